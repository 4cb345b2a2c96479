import { gunzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { parse as parseHtml } from 'node-html-parser';
import { describe, expect, it } from 'vitest';
import { csvUploads, stockLedger } from '../../src/db/schema/index.js';
import { buildProduct, buildUser, productBySku } from '../builders.js';
import { dbDigest } from '../digest.js';
import { api, csrfOf, loginAs, makeApp } from '../helpers.js';
import { pythonCsv } from '../csv.js';
import { localeOf } from '../../src/i18n/index.js';
import { formatMoney } from '../../src/i18n/numbers.js';

async function operator() {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, 'operator');
  const session = await loginAs(ctx.app, user.email);
  /** Uploads `content` on the import form, as a browser sends it (multipart, CSRF token first). */
  const upload = async (content: Buffer | string, opts: { skipBad?: boolean; name?: string } = {}) => {
    const csrf = csrfOf((await session.agent.get('/tools/csv')).text);
    let req = session.agent.post('/tools/csv/import').field('_csrf', csrf);
    if (opts.skipBad) req = req.field('skipBad', '1');
    return req.attach('file', Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'), opts.name ?? 'products.csv');
  };
  /** Presses a button of the preview page (Import, or Import skipping bad rows). */
  const press = async (previewHtml: string, skipBad: boolean) => {
    const page = parseHtml(previewHtml);
    const form = page
      .querySelectorAll('form')
      .find((f) => f.getAttribute('action')!.endsWith('/confirm') && !!f.querySelector('input[name=skipBad]') === skipBad);
    if (!form) throw new Error(`no ${skipBad ? 'skipping ' : ''}confirm form on the preview`);
    const fields: Record<string, string> = { _csrf: csrfOf(previewHtml) };
    if (skipBad) fields.skipBad = '1';
    return session.agent.post(form.getAttribute('action')!).type('form').send(fields);
  };
  return { ...ctx, session, upload, press };
}

/** The changes table of a preview: each row's SKU, action and its list of field changes, as read. */
const changesOf = (html: string) =>
  parseHtml(html)
    .querySelectorAll('#changes tbody tr')
    .map((tr) => {
      const td = tr.querySelectorAll('td');
      return { sku: td[1]!.text.trim(), action: td[2]!.text.trim(), fields: td[3]!.querySelectorAll('li').map((li) => li.text.trim()) };
    });

const badRowsOf = (html: string) =>
  parseHtml(html)
    .querySelectorAll('#bad-rows tbody tr')
    .map((tr) => tr.querySelectorAll('td').map((td) => td.text.trim()));

describe('CSV import of products and stock', () => {
  it('previews with an error for each bad row and writes nothing; one bad row refuses the file; skipping bad rows imports the rest', async () => {
    const { db, upload, press, session } = await operator();
    buildProduct(db, { sku: 'TENT-2', name: 'Tält', onHand: 5, barcode: '7350000001006' });
    const file = [
      'sku,name,price,vat_percent,on_hand,barcode',
      'TENT-2,Tält 2 personer,1999.00,25,8,7350000001006',
      'MUG-1,Mugg,abc,25,3,',
      'LAMP,Lampa,99,25,-4,',
      'BOOT,Känga,499,25,2,7350000001006',
      'MUG-1,Mugg igen,10,25,1,',
      'CAP,Keps,149.50,12.5,10,',
    ].join('\r\n');
    const before = dbDigest(db);

    const res = await upload(file);
    expect(res.status).toBe(200);
    const bad = badRowsOf(res.text);
    expect(bad.map((r) => [r[0], r[1]])).toEqual([
      ['3', 'MUG-1'],
      ['4', 'LAMP'],
      ['5', 'BOOT'],
      ['6', 'MUG-1'],
    ]);
    expect(bad[0]![2]).toContain('price: Enter an amount');
    expect(bad[1]![2]).toContain('on_hand: Must be at least 0');
    expect(bad[2]![2]).toContain('Barcode 7350000001006 already belongs to TENT-2');
    expect(bad[3]![2]).toContain('SKU MUG-1 is already on line 3');
    expect(res.text).toContain('The file has 4 bad rows and is refused as it is');
    // The preview ran the rows and wrote nothing.
    expect(dbDigest(db)).toBe(before);
    expect(db.select().from(csvUploads).all()).toHaveLength(1);

    // The file waits on the server: confirming needs no second upload. Skipping bad rows imports the others.
    const done = await press(res.text, true);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/tools/csv');
    const flash = await session.agent.get('/tools/csv');
    expect(flash.text).toContain('Imported. New: 1, changed: 1, unchanged: 0, bad rows skipped: 4.');
    expect(productBySku(db, 'TENT-2')).toMatchObject({ name: 'Tält 2 personer', price: 199900, onHand: 8, barcode: '7350000001006' });
    expect(productBySku(db, 'CAP')).toMatchObject({ name: 'Keps', price: 14950, vatRate: 1250, onHand: 10 });
    expect(productBySku(db, 'MUG-1')).toBeUndefined();
    expect(productBySku(db, 'BOOT')).toBeUndefined();
    const ledger = db.select().from(stockLedger).where(eq(stockLedger.sku, 'TENT-2')).all();
    expect(ledger.at(-1)).toMatchObject({ delta: 3, onHandAfter: 8, reason: 'stock_count' });
    // The kept file is gone once imported: a second confirm is refused.
    expect(db.select().from(csvUploads).all()).toHaveLength(0);
  });

  it('keeps the uploaded file packed, and confirms a file kept unpacked before files were packed', async () => {
    const { db, upload, press } = await operator();
    const content = `sku,name,on_hand\n${Array.from({ length: 200 }, (_, i) => `PACK-${i},Produkt ${i},${i}`).join('\n')}\n`;
    const res = await upload(content);
    const [kept] = db.select().from(csvUploads).all();
    expect([kept!.content[0], kept!.content[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(kept!.content).toString('utf8')).toBe(content);
    // As a file kept by the version before: the bytes uploaded.
    db.update(csvUploads)
      .set({ content: Buffer.from(content, 'utf8') })
      .where(eq(csvUploads.token, kept!.token))
      .run();
    expect((await press(res.text, false)).status).toBe(303);
    expect(productBySku(db, 'PACK-199')).toMatchObject({ name: 'Produkt 199', onHand: 199 });
  });

  it('confirming a file with a bad row without skipping writes nothing', async () => {
    const { db, upload, session } = await operator();
    const res = await upload('sku,name,on_hand\nA-1,Ett,1\nB-2,,2\n');
    expect(badRowsOf(res.text).map((r) => r[0])).toEqual(['3']);
    const before = dbDigest(db);
    const action = parseHtml(res.text).querySelector('form[action$="/confirm"]')!.getAttribute('action')!;
    const refused = await session.agent
      .post(action)
      .type('form')
      .send({ _csrf: csrfOf(res.text) });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Nothing was imported: 1 row is bad.');
    expect(dbDigest(db)).toBe(before);
  });

  it('reads ; with a BOM and decimal commas, as Excel in Nordic locales saves', async () => {
    const { db, upload, press } = await operator();
    buildProduct(db, { sku: 'KAFFE', name: 'Kaffe', onHand: 10, price: 5900, location: 'A-01-1' });
    const file = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('SKU;Name;Price;VAT_percent;On_hand\r\nKAFFE;Kaffe mörkrost;"1 234,50";12;7\r\nTE-1;"Te; grönt";49,00;12;\r\n', 'utf8'),
    ]);
    const res = await upload(file);
    expect(res.status).toBe(200);
    expect(badRowsOf(res.text)).toEqual([]);
    expect(productBySku(db, 'KAFFE')).toMatchObject({ name: 'Kaffe', onHand: 10 });
    const done = await press(res.text, false);
    expect(done.status).toBe(303);
    // A column left out (location) keeps its value; an empty on_hand keeps the stock (none for a new product).
    expect(productBySku(db, 'KAFFE')).toMatchObject({ name: 'Kaffe mörkrost', price: 123450, vatRate: 1200, onHand: 7, location: 'A-01-1' });
    expect(productBySku(db, 'TE-1')).toMatchObject({ name: 'Te; grönt', price: 4900, vatRate: 1200, onHand: 0 });
  });

  it('refuses a file it cannot read with a message next to the file field, and keeps nothing', async () => {
    const { db, upload } = await operator();
    const before = dbDigest(db);
    const latin1 = await upload(Buffer.from('sku,name\nA-1,Kr\xe4ftor\n', 'latin1'));
    expect(latin1.status).toBe(422);
    expect(parseHtml(latin1.text).querySelector('#file-error')!.text).toBe('The file is not UTF-8 text. Save it as "CSV UTF-8" and try again.');
    const column = await upload('sku,namn\nA-1,Ett\n');
    expect(parseHtml(column.text).querySelector('#file-error')!.text).toBe(
      'Unknown column "namn". Columns: sku, name, barcode, location, price, vat_percent, track_stock, on_hand.',
    );
    const none = await upload('sku,name\n');
    expect(parseHtml(none.text).querySelector('#file-error')!.text).toBe('The file has a header but no rows.');
    expect(dbDigest(db)).toBe(before);
    expect(db.select().from(csvUploads).all()).toHaveLength(0);
  });

  it("gives the file's own line numbers after a cell with a line break", async () => {
    const { upload } = await operator();
    const crlf = await upload('sku,name,on_hand\r\nA-1,"Två\r\nrader",1\r\nB-2,,2\r\n\r\nC-3,"x\ny",-1\r\n');
    expect(badRowsOf(crlf.text).map((r) => [r[0], r[1]])).toEqual([
      ['4', 'B-2'],
      ['6', 'C-3'],
    ]);
    const lf = await upload('sku,name,on_hand\nA-1,"Två\r\nrader",1\n\nB-2,,2\n');
    expect(badRowsOf(lf.text).map((r) => [r[0], r[1]])).toEqual([['5', 'B-2']]);
  });

  it('lists the first 500 bad rows of a preview, by line, and says how many more there are', async () => {
    const { upload } = await operator();
    const rows = Array.from({ length: 620 }, (_, i) => `BAD-${i},Namn,abc`);
    const preview = await upload(`sku,name,price\n${rows.join('\n')}\n`);
    const bad = badRowsOf(preview.text);
    expect(bad).toHaveLength(500);
    expect([bad[0]![0], bad[0]![1], bad[499]![0], bad[499]![1]]).toEqual(['2', 'BAD-0', '501', 'BAD-499']);
    expect(parseHtml(preview.text).querySelector('#bad-rows')!.parentNode.nextElementSibling!.text).toBe('and 120 more.');
  });

  it('reads a products export back as it was written: neutralised cells and line breaks included', async () => {
    const from = makeApp();
    const products = [
      { sku: 'F-1', name: '=1+2', location: '@A1' },
      { sku: 'F-2', name: "'=already quoted", location: '-B2' },
      { sku: 'F-3', name: 'Mugg\nblå', location: null },
      { sku: 'F-4', name: "It's fine", location: '+C3' },
    ];
    for (const { location, ...p } of products) buildProduct(from.db, { ...p, ...(location !== null && { location }), onHand: 3 });
    const exported = await api(from.app).get('/api/v1/products.csv').buffer(true);
    const rows = pythonCsv(exported.text);
    expect(rows).toHaveLength(products.length + 1);
    expect(rows.slice(1).map((r) => [r[1], r[3]])).toEqual([
      ["'=1+2", "'@A1"],
      ["''=already quoted", "'-B2"],
      ['Mugg\nblå', ''],
      ["It's fine", "'+C3"],
    ]);

    const { db, upload, press } = await operator();
    const res = await upload(exported.text);
    expect(badRowsOf(res.text)).toEqual([]);
    expect((await press(res.text, false)).status).toBe(303);
    for (const p of products) expect(productBySku(db, p.sku)).toMatchObject({ ...p, onHand: 3 });
  });

  it('previews every field a row changes, before → after, as people read it; a new row what it creates; a row changing nothing as unchanged', async () => {
    const { db, upload, config } = await operator();
    buildProduct(db, { sku: 'LAMP', name: 'Lampa', onHand: 20, price: 24900, location: 'A-1', barcode: '7350000001006' });
    buildProduct(db, { sku: 'SAME', name: 'Samma', onHand: 3, price: 1000 });
    const file = [
      'sku,name,barcode,location,price,vat_percent,track_stock,on_hand',
      'LAMP,Lampa ny,,B-2,149.00,12,no,25',
      'SAME,Samma,,,10.00,25,yes,3',
      'NEW-1,Ny,,,99.50,25,yes,4',
    ].join('\n');
    const res = await upload(file);
    expect(res.status).toBe(200);
    const money = (minor: number) => formatMoney(localeOf('en'), minor, config.currency);
    expect(changesOf(res.text)).toEqual([
      {
        sku: 'LAMP',
        action: 'Changed',
        fields: [
          'Name: Lampa → Lampa ny',
          'Barcode: 7350000001006 → —',
          'Location: A-1 → B-2',
          `Price: ${money(24900)} → ${money(14900)}`,
          'VAT: 25% → 12%',
          'Stock tracked: Yes → No',
          'On hand: 20 → 25',
        ],
      },
      { sku: 'NEW-1', action: 'New', fields: ['Name: Ny', `Price: ${money(9950)}`, 'VAT: 25%', 'Stock tracked: Yes', 'On hand: 4'] },
    ]);
    expect(res.text).toContain('1 unchanged');
  });

  it("lists all that is wrong with a row at once, the service's barcode checks beside the cells' errors", async () => {
    const { db, upload } = await operator();
    buildProduct(db, { sku: 'TENT-2', name: 'Tält', barcode: '7350000001006' });
    const res = await upload('sku,name,barcode,price,on_hand\nBOOT,Känga,7350000001006,abc,x\nMUG,Mugg,7350000001007,1,-1\n');
    const [boot, mug] = badRowsOf(res.text);
    expect(boot![2]).toContain('price: Enter an amount such as 129 or 129.50.');
    expect(boot![2]).toContain('on_hand: Must be a whole number');
    expect(boot![2]).toContain('barcode: Barcode 7350000001006 already belongs to TENT-2');
    const items = parseHtml(res.text).querySelectorAll('#bad-rows tbody tr')[1]!.querySelectorAll('li');
    expect(items.map((li) => li.text.split(':')[0])).toEqual(['on_hand', 'barcode']);
    expect(mug![2]).toContain('barcode: ');
  });

  it("gives examples in the file's own number style: decimal commas for a file with ;", async () => {
    const { upload } = await operator();
    const comma = await upload('sku;name;price;vat_percent\nA-1;Ett;12x;abc\n');
    expect(badRowsOf(comma.text)[0]![2]).toContain('price: Enter an amount such as 129 or 129,50.');
    expect(badRowsOf(comma.text)[0]![2]).toContain('vat_percent: Enter VAT in percent, 0–100 (such as 25, 12 or 12,5).');
    const point = await upload('sku,name,price\nA-1,Ett,12x\n');
    expect(badRowsOf(point.text)[0]![2]).toContain('price: Enter an amount such as 129 or 129.50.');
  });
});
