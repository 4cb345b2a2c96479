import fc from 'fast-check';
import { parse as parseHtml } from 'node-html-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { buildUser } from '../builders.js';
import { dbDigest } from '../digest.js';
import { api, csrfOf, loginAs, makeApp } from '../helpers.js';
import { expectInvariants } from '../invariants.js';

/**
 * CSV import fuzz: generated files (random and misspelt headers, `,` `;` or tab, a BOM or not,
 * `\n` `\r\n` or `\r`, quoted and half-quoted cells, separators, quotes and line breaks in cells,
 * formulas, cells near and over the length limit, too many columns, bytes that are not UTF-8)
 * uploaded on Tools → Import and export, previewed, and confirmed with or without "skip bad rows".
 * What must hold: every answer is a preview, a clear refusal (the form with the file's error) or
 * an import; a preview and a refusal change nothing (the DB digest); confirming a file with bad
 * rows without skipping them writes nothing; and exporting the products then importing the export
 * again (in either dialect) previews no change and changes nothing.
 */
// Each upload and confirm reads the file in a worker thread of its own: a run costs a few of them.
const RUNS = Math.ceil(Number(process.env.FUZZ_RUNS ?? 40) / 4);

const KNOWN = ['sku', 'name', 'barcode', 'location', 'price', 'vat_percent', 'track_stock', 'on_hand'];

/** Text a person or a spreadsheet puts in a cell: formulas, quotes, separators, line breaks, Unicode. */
const textCell = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'Tält',
      'Mugg blå',
      'Te; grönt',
      'Kaffe, mörk',
      'Säck "stor"',
      '"',
      '""',
      "'",
      "It's",
      'Två\nrader',
      'CR\rhär',
      'a\r\nb',
      ' pad ',
      '\tTab',
    ),
    weight: 4,
  },
  {
    arbitrary: fc.constantFrom(
      '=1+2',
      '+46 70',
      '-5',
      '@SUM(A1)',
      "'=already",
      "''=twice",
      ' =spaced',
      "' =x",
      '=HYPERLINK("http://x","y")',
      '\u0000',
      '\uFEFFbom',
      '𝕏💥',
      'Ω≈ç',
    ),
    weight: 3,
  },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 3 },
  { arbitrary: fc.constantFrom('x'.repeat(200), 'x'.repeat(201), 'y'.repeat(9_990)), weight: 1 },
);
const skuCell = fc.oneof(
  { arbitrary: fc.constantFrom('CSV-1', 'CSV-2', 'CSV-3', 'csv-1', 'KAFFE', 'TE-1', 'Å-1'), weight: 6 },
  { arbitrary: fc.constantFrom('', ' ', 'has space', 'x'.repeat(65), '=1', 'a,b', 'a;b', 'a"b', 'line\nbreak'), weight: 2 },
  { arbitrary: fc.string({ maxLength: 10 }), weight: 1 },
);
const numberCell = (good: string[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...good), weight: 4 },
    { arbitrary: fc.constantFrom('', '-1', 'abc', '1e3', '1.2.3', '١٢', '1 000 000 000 000', 'NaN'), weight: 1 },
  );
const CELL: Record<string, fc.Arbitrary<string>> = {
  sku: skuCell,
  name: textCell,
  barcode: fc.oneof(
    { arbitrary: fc.constantFrom('', '7350000001006', '4006381333931', '7350000000016'), weight: 4 },
    { arbitrary: fc.constantFrom('7350000001007', 'ABC-123', '123', '=1'), weight: 1 },
  ),
  location: fc.oneof({ arbitrary: fc.constantFrom('', 'A-01-1', '@A1', '-B2', '+C3', "'=x"), weight: 4 }, { arbitrary: textCell, weight: 1 }),
  price: numberCell(['', '0', '12.50', '1 234,50', '99', '1234.5', '0,01']),
  vat_percent: numberCell(['', '25', '12,5', '6', '0', '25%', '100', '101']),
  track_stock: numberCell(['', 'yes', 'no', 'ja', 'nej', 'x', 'TRUE', '0', '1', 'maybe']),
  on_hand: numberCell(['', '0', '3', '12', '1 000', '1000000000', '1000000001']),
};
const headerName = (name: string) =>
  fc.oneof(
    { arbitrary: fc.constant(name), weight: 30 },
    { arbitrary: fc.constantFrom(name.toUpperCase(), ` ${name} `), weight: 4 },
    { arbitrary: fc.constant(`"${name}"`), weight: 1 },
  );

type Cells = { header: string[]; rows: string[][] };

/** A header (known columns, some left out, maybe an export's ignored column, a misspelt or repeated one) and rows. */
const tableArb: fc.Arbitrary<Cells> = fc
  .tuple(
    fc.shuffledSubarray(KNOWN.slice(2), { minLength: 0 }),
    fc.oneof(
      { arbitrary: fc.constantFrom<string[]>([], ['allocated', 'available'], ['']), weight: 8 },
      {
        arbitrary: fc.constantFrom<string[]>(
          ['namn'],
          ['sku'],
          Array.from({ length: 101 }, (_, i) => `c${i}`),
        ),
        weight: 1,
      },
    ),
    fc.boolean(),
    fc.oneof({ arbitrary: fc.constant(false), weight: 12 }, { arbitrary: fc.constant(true), weight: 1 }),
  )
  .chain(([optional, odd, skuFirst, dropRequired]) => {
    const columns = [...(skuFirst ? ['sku', 'name'] : ['name', 'sku']), ...optional, ...odd];
    if (dropRequired && odd.length === 0 && optional.length > 0) columns.splice(0, 1);
    return fc.tuple(
      fc.tuple(...columns.map((c) => (KNOWN.includes(c) ? headerName(c) : fc.constant(c)))),
      fc.array(
        fc.tuple(...columns.map((c) => CELL[c] ?? fc.constantFrom('', '1', 'x'))).chain((row) => fc.constantFrom(row, row.slice(0, -1), [...row, 'extra'])),
        { minLength: 1, maxLength: 8 },
      ),
    );
  })
  .map(([header, rows]) => ({ header, rows }));

interface Dialect {
  separator: ',' | ';' | '\t';
  eol: '\n' | '\r\n' | '\r';
  bom: boolean;
  quoteAll: boolean;
  /** A cell with a quote left open, or bytes that are not UTF-8. */
  broken: 'none' | 'quote' | 'latin1' | 'blankLines';
}
const dialectArb: fc.Arbitrary<Dialect> = fc.record({
  separator: fc.oneof(
    { arbitrary: fc.constantFrom<Dialect['separator']>(',', ';'), weight: 12 },
    { arbitrary: fc.constant<Dialect['separator']>('\t'), weight: 1 },
  ),
  eol: fc.constantFrom<Dialect['eol']>('\n', '\r\n', '\r'),
  bom: fc.boolean(),
  quoteAll: fc.boolean(),
  broken: fc.oneof(
    { arbitrary: fc.constantFrom<Dialect['broken']>('none', 'blankLines'), weight: 10 },
    { arbitrary: fc.constantFrom<Dialect['broken']>('quote', 'latin1'), weight: 1 },
  ),
});

/** A CSV file as a spreadsheet (or a careless script) writes it. */
function fileOf(table: Cells, d: Dialect): Buffer {
  const cell = (text: string) => (d.quoteAll || /[",;\t\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = [table.header.map(cell).join(d.separator), ...table.rows.map((r) => r.map(cell).join(d.separator))];
  if (d.broken === 'quote' && lines.length > 1) lines[1] = `"${lines[1]}`;
  if (d.broken === 'blankLines') lines.splice(1, 0, '', ' ');
  const text = lines.join(d.eol) + (d.eol === '\r' ? '' : d.eol);
  const body = d.broken === 'latin1' ? Buffer.from(`${text}Kr\u00e4ftor${d.separator}x`, 'latin1') : Buffer.from(text, 'utf8');
  return d.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

const NO_TRACE = /\bat [\w.<>]+ \(|node_modules|\/src\/\w|\.ts:\d+|ReferenceError|TypeError/;
const counts = { files: 0, previews: 0, refusedFiles: 0, refusedConfirms: 0, imports: 0, roundTrips: 0 };
/** Why files were refused, by the message's first words. */
const refusals: Record<string, number> = {};
afterAll(() => {
  console.log(
    `CSV import fuzz: ${counts.files} files, ${counts.previews} previews and ${counts.refusedFiles} refused files (each changing nothing), ${counts.imports} imports, ${counts.refusedConfirms} confirms refused for bad rows (nothing written), ${counts.roundTrips} export → import round trips (no change); refusals ${JSON.stringify(refusals)}`,
  );
});

async function operator() {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, 'operator');
  const session = await loginAs(ctx.app, user.email);
  // Products as the API makes them: a formula-like name, a line break, a bin that starts with @.
  for (const [sku, body] of [
    ['KAFFE', { name: '=1+2', onHand: 4, location: '@A1', price: 5900 }],
    ['TE-1', { name: 'Te\ngrönt', onHand: 0, barcode: '7350000001006', trackStock: false, price: null }],
  ] as const) {
    expect((await api(ctx.app).put(`/api/v1/products/${sku}`).send(body)).status).toBe(201);
  }
  const csrf = csrfOf((await session.agent.get('/tools/csv')).text);
  const upload = (content: Buffer, name = 'products.csv') => session.agent.post('/tools/csv/import').field('_csrf', csrf).attach('file', content, name);
  const confirm = (previewHtml: string, skipBad: boolean) => {
    const form = parseHtml(previewHtml)
      .querySelectorAll('form')
      .find((f) => (f.getAttribute('action') ?? '').endsWith('/confirm'))!;
    return session.agent
      .post(form.getAttribute('action')!)
      .type('form')
      .send({ _csrf: csrf, ...(skipBad && { skipBad: '1' }) });
  };
  return { ...ctx, session, upload, confirm };
}

/** What a preview page says: its bad rows and its changes. */
function previewOf(html: string) {
  const page = parseHtml(html);
  return {
    bad: page.querySelectorAll('#bad-rows tbody tr').length,
    changes: page.querySelectorAll('#changes tbody tr').length,
    confirm: page.querySelectorAll('form').some((f) => (f.getAttribute('action') ?? '').endsWith('/confirm')),
  };
}

describe('CSV import fuzz', () => {
  it('answers every file with a preview, a clear refusal or an import; a refusal writes nothing; export → import is a no-op', async () => {
    // One shop for every file: what earlier files imported is there for the later ones to update.
    const w = await operator();
    const { db } = w;
    await fc.assert(
      fc.asyncProperty(
        tableArb,
        dialectArb,
        fc.constantFrom(true, true, false),
        fc.constantFrom(',', ';'),
        fc.boolean(),
        async (table, dialect, skipBad, exportSeparator, exportBom) => {
          const file = fileOf(table, dialect);
          const before = dbDigest(db);
          const uploads = () => db.$client.prepare('SELECT count(*) FROM csv_uploads').pluck().get() as number;
          const kept = uploads();
          const res = await w.upload(file);
          counts.files++;
          const what = `file ${JSON.stringify(file.toString('latin1').slice(0, 400))} → ${res.status}`;
          expect(res.status, what).toBeLessThan(500);
          expect(res.text ?? '', what).not.toMatch(NO_TRACE);
          expect(dbDigest(db), `a preview or a refused file changed data: ${what}`).toBe(before);
          if (res.status !== 200) {
            // A refused file: the form again, the reason next to the file field, nothing kept.
            counts.refusedFiles++;
            expect([400, 413, 422], what).toContain(res.status);
            const error = parseHtml(res.text).querySelector('#file-error');
            expect(error?.text.trim().length ?? 0, `a refusal without its reason: ${what}`).toBeGreaterThan(0);
            const reason = error!.text.trim().split(/[.:"]/)[0]!;
            refusals[reason] = (refusals[reason] ?? 0) + 1;
            expect(uploads(), what).toBe(kept);
            return;
          }
          counts.previews++;
          const preview = previewOf(res.text);
          expect(preview.confirm, `a preview without its confirm form: ${what}`).toBe(true);
          expect(uploads(), what).toBe(kept + 1);

          const done = await w.confirm(res.text, skipBad);
          expect(done.status, `${what}; confirm → ${done.status} ${done.text.slice(0, 300)}`).toBeLessThan(500);
          if (preview.bad > 0 && !skipBad) {
            // Not skipping bad rows: the preview again, refused, and nothing written.
            expect(done.status, what).toBe(422);
            expect(dbDigest(db), `a refused confirm wrote something: ${what}`).toBe(before);
            counts.refusedConfirms++;
          } else {
            expect(done.status, `${what}; confirm → ${done.status}`).toBe(303);
            counts.imports++;
            expect(uploads(), what).toBe(kept);
          }
          expectInvariants(db);
          // The shop changed only by an import (and before the first file): then its export is read back.
          if (done.status !== 303 && counts.roundTrips > 0) return;

          // Export and import the export again: nothing to change, nothing changed.
          const exported = await w.session.agent
            .get(`/tools/csv/products.csv?separator=${encodeURIComponent(exportSeparator)}&bom=${exportBom ? 'yes' : 'no'}`)
            .buffer(true)
            .parse((r, cb) => {
              const chunks: Buffer[] = [];
              r.on('data', (c: Buffer) => chunks.push(c));
              r.on('end', () => cb(null, Buffer.concat(chunks)));
            });
          expect(exported.status).toBe(200);
          const settled = dbDigest(db);
          const again = await w.upload(exported.body as Buffer, 'export.csv');
          const export400 = `export (${exportSeparator}, bom ${exportBom}) ${JSON.stringify((exported.body as Buffer).toString('utf8').slice(0, 600))} → ${again.status}`;
          expect(again.status, export400).toBe(200);
          const second = previewOf(again.text);
          expect(
            second,
            `the export previews changes: ${export400} ${parseHtml(again.text).querySelector('#changes')?.text ?? ''} ${parseHtml(again.text).querySelector('#bad-rows')?.text ?? ''}`,
          ).toMatchObject({ bad: 0, changes: 0, confirm: true });
          const reimport = await w.confirm(again.text, false);
          expect(reimport.status, export400).toBe(303);
          expect(dbDigest(db), `importing the export changed data: ${export400}`).toBe(settled);
          counts.roundTrips++;
        },
      ),
      { numRuns: RUNS },
    );
  }, 180_000);

  it('refuses a file over the size limit and one with a cell over the length limit, changing nothing', async () => {
    const w = await operator();
    const before = dbDigest(w.db);
    const big = await w.upload(Buffer.concat([Buffer.from('sku,name\n'), Buffer.alloc(5 * 1024 * 1024 + 1, 'a')]));
    expect(big.status).toBe(413);
    expect(parseHtml(big.text).querySelector('#file-error')?.text.trim().length ?? 0).toBeGreaterThan(0);
    const longCell = await w.upload(Buffer.from(`sku,name\nA-1,${'x'.repeat(10_001)}\n`));
    expect(longCell.status).toBe(422);
    expect(parseHtml(longCell.text).querySelector('#file-error')?.text.trim().length ?? 0).toBeGreaterThan(0);
    const within = await w.upload(Buffer.from(`sku,name\nA-1,${'x'.repeat(9_000)}\n`));
    expect(within.status).toBe(200);
    expect(previewOf(within.text).bad).toBe(1);
    expect(dbDigest(w.db)).toBe(before);
  });
});
