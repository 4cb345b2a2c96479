import type session from 'express-session';
import { describe, expect, it } from 'vitest';
import { SqliteSessionStore } from '../../src/web/session-store.js';
import { buildUser } from '../builders.js';
import { makeDb } from '../helpers.js';

const promised =
  <A extends unknown[], R>(fn: (...args: [...A, (err: unknown, value?: R) => void]) => void) =>
  (...args: A) =>
    new Promise<R | undefined>((resolve, reject) =>
      fn(...args, (err, value) => (err ? reject(err instanceof Error ? err : new Error('session store error')) : resolve(value))),
    );

/** The session store on a real database, with a clock the test moves. */
describe('SqliteSessionStore', () => {
  const setUp = () => {
    const db = makeDb();
    let now = new Date('2026-11-27T08:00:00Z');
    const store = new SqliteSessionStore(db, () => now);
    const expiresAt = (sid: string) => db.$client.prepare('SELECT expires_at FROM sessions WHERE sid = ?').pluck().get(sid) as number | undefined;
    const data = (expires: Date) => ({ cookie: { expires, originalMaxAge: 3_600_000 } }) as unknown as session.SessionData;
    return {
      db,
      store,
      expiresAt,
      data,
      advance: (ms: number) => (now = new Date(now.getTime() + ms)),
      get: promised<[string], session.SessionData | null>((sid, cb) => store.get(sid, cb)),
      set: promised<[string, session.SessionData], void>((sid, s, cb) => store.set(sid, s, cb)),
      touch: promised<[string, session.SessionData], void>((sid, s, cb) => store.touch(sid, s, cb)),
    };
  };

  it('keeps a session until it expires, and renews its expiry at most once a minute', async () => {
    const s = setUp();
    const first = new Date('2026-11-27T09:00:00Z');
    const user = await buildUser(s.db, 'packer');
    await s.set('sid-1', { ...s.data(first), userId: user.id });
    expect(s.expiresAt('sid-1')).toBe(first.getTime());
    expect(await s.get('sid-1')).toMatchObject({ userId: user.id });

    // The first touch renews; one 30 s later does not write; one a minute after the first does.
    const second = new Date('2026-11-27T09:10:00Z');
    await s.touch('sid-1', s.data(second));
    expect(s.expiresAt('sid-1')).toBe(second.getTime());
    s.advance(30_000);
    await s.touch('sid-1', s.data(new Date('2026-11-27T09:20:00Z')));
    expect(s.expiresAt('sid-1')).toBe(second.getTime());
    s.advance(31_000);
    const third = new Date('2026-11-27T09:30:00Z');
    await s.touch('sid-1', s.data(third));
    expect(s.expiresAt('sid-1')).toBe(third.getTime());

    // Past its expiry the session is gone, and pruning removes the row.
    s.advance(2 * 3_600_000);
    expect(await s.get('sid-1')).toBeNull();
    expect(s.store.prune()).toBe(1);
    expect(s.expiresAt('sid-1')).toBeUndefined();
  });
});
