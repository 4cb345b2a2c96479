import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTransaction, type Db, type Tx } from '../../src/db/client.js';
import { appendOrderEvent } from '../../src/events/repo.js';
import { getSetting, putSetting } from '../../src/settings/service.js';
import { saveCustomer } from '../../src/customers/repo.js';
import { deleteSessionsOf } from '../../src/users/repo.js';
import { buildPaidOrder } from '../builders.js';
import { makeDb } from '../helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Writers that still take a `Conn` (a database or any drizzle transaction, so their signature says
 * nothing about where the transaction begins). Each is a single statement called with the server's
 * Db; they are to move to `Db` or `Tx` with the code around them.
 */
const NOT_YET: string[] = [
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const WRITE = /\.(?:insert|update|delete)\(|\b(?:INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/;

/** Functions (and arrow consts) whose parameters include a `Conn` and whose body writes, as `file: name`. */
function connWriters(files: { name: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { name, text } of files) {
    // Top-level declarations start at the line start; each chunk runs to the next one.
    for (const chunk of text.split(/\n(?=(?:export\s+)?(?:async\s+)?function\s|(?:export\s+)?const\s)/)) {
      const head = /^(?:export\s+)?(?:async\s+)?(?:function\s+(\w+)|const\s+(\w+)\s*=)[^{]*?\(([^)]*)\)/.exec(chunk.trimStart());
      if (!head || !/:\s*Conn\b/.test(head[3]!)) continue;
      if (WRITE.test(chunk.slice(head.index + head[0].length))) found.push(`${name}: ${head[1] ?? head[2]}`);
    }
  }
  return found;
}

describe('a writer says in its signature where the transaction begins', () => {
  it('no function under src/ or jobs/ that writes takes a Conn, but the few listed', () => {
    const files = ['src', 'jobs'].flatMap((d) => sourceFiles(join(ROOT, d))).map((f) => ({ name: relative(ROOT, f).split('\\').join('/'), text: readFileSync(f, 'utf8') }));
    expect(connWriters(files).sort()).toEqual([...NOT_YET].sort());
  });

  it('the search finds a Conn writer (drizzle or SQL) and passes readers and Tx writers', () => {
    const text = [
      "export function a(conn: Conn, id: number) {\n  conn.update(orders).set({}).run();\n}",
      "function b(conn: Conn) {\n  conn.$client.prepare('DELETE FROM x').run();\n}",
      'export const c = (conn: Conn): number => conn.select().from(x).all().length;',
      "export function d(tx: Tx) {\n  tx.insert(x).values({}).run();\n}",
    ].join('\n');
    expect(connWriters([{ name: 'f.ts', text }])).toEqual(['f.ts: a', 'f.ts: b']);
  });

  it('a bare Db does not compile where a Tx is needed; inside writeTransaction it does', () => {
    const db = makeDb();
    const order = buildPaidOrder(db);
    const actor = { type: 'system' as const, id: null, name: 'test' };
    const now = new Date();
    const customer = { name: 'A', email: 'a@example.com', address: { line1: 'x', postalCode: '1', city: 'c', country: 'SE' } };
    // The compiler (tsc in the test command) refuses each of these: a @ts-expect-error without an error is itself an error.
    const bare = (d: Db) => {
      // @ts-expect-error appendOrderEvent needs a Tx
      appendOrderEvent(d, order, 'pack_check', actor, now);
      // @ts-expect-error saveCustomer needs a Tx
      saveCustomer(d, customer, now);
      // @ts-expect-error deleteSessionsOf needs a Tx
      deleteSessionsOf(d, 1);
    };
    expect(typeof bare).toBe('function');
    const before = db.$client.prepare('SELECT count(*) FROM order_events').pluck().get() as number;
    writeTransaction(db, (tx: Tx) => {
      appendOrderEvent(tx, order, 'pack_check', actor, now, { outcome: 'held' });
      saveCustomer(tx, customer, now);
    });
    expect(db.$client.prepare('SELECT count(*) FROM order_events').pluck().get()).toBe(before + 1);
  });

  it('putSetting opens its own transaction, and inside a caller\'s is undone with it', () => {
    const db = makeDb();
    putSetting(db, 'probe', { n: 1 }, new Date());
    expect(getSetting(db, 'probe')).toEqual({ n: 1 });
    expect(() =>
      writeTransaction(db, (tx) => {
        putSetting(tx, 'probe', { n: 2 }, new Date());
        throw new Error('the caller fails after the setting');
      }),
    ).toThrow('the caller fails');
    expect(getSetting(db, 'probe')).toEqual({ n: 1 });
  });
});
