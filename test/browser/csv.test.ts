import { describe, expect, it } from 'vitest';
import { buildProduct, buildUser, productBySku } from '../builders.js';
import { browserSuite, logIn } from './browser.js';

describe('CSV import and export in a real browser', () => {
  const suite = browserSuite();

  it('previews an Excel file (BOM, ";"), refuses it for one bad row, imports it skipping the row, and exports the products', async () => {
    const { browser, server } = suite;
    const op = await buildUser(server.db, 'operator');
    buildProduct(server.db, { sku: 'CSV-OLD', onHand: 4 });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(page, server.url, op.email, '/tools/csv');

    // As Excel in a Nordic locale saves it: a BOM, ";" between cells, a decimal comma.
    const file =
      '\uFEFFsku;name;barcode;location;price;vat_percent;track_stock;on_hand\r\n' +
      'CSV-NEW;Lantern;;A-01;149,50;25;yes;7\r\n' +
      'CSV-OLD;Old mug;;;;25;yes;9\r\n' +
      'CSV-BAD;Broken;;;;25;yes;-3\r\n';
    await page.setInputFiles('input[type=file]', { name: 'stock.csv', mimeType: 'text/csv', buffer: Buffer.from(file, 'utf8') });
    await page.click('form[action="/tools/csv/import"] button[type=submit]');
    await page.waitForURL(/\/tools\/csv\/import/);

    // The preview names the bad row and writes nothing; the file as a whole is refused.
    await expect(page.locator('#bad-rows tbody tr').count()).resolves.toBe(1);
    await expect(page.locator('#bad-rows tbody tr').textContent()).resolves.toContain('CSV-BAD');
    await expect(page.locator('[role=alert]').first().textContent()).resolves.toMatch(/1/);
    expect(server.db.$client.prepare("SELECT count(*) FROM products WHERE sku IN ('CSV-NEW', 'CSV-BAD')").pluck().get()).toBe(0);
    expect(productBySku(server.db, 'CSV-OLD').onHand).toBe(4);

    // "Import, skipping 1 bad row": the good rows are written, the bad one is not.
    await page.click('button:text("Import, skipping 1 bad row")');
    await page.waitForURL(`${server.url}/tools/csv`);
    await expect(page.locator('.flash').first().textContent()).resolves.toContain('New: 1, changed: 1');
    expect(productBySku(server.db, 'CSV-NEW')).toMatchObject({ name: 'Lantern', onHand: 7, location: 'A-01', price: 14950 });
    expect(productBySku(server.db, 'CSV-OLD').onHand).toBe(9);
    expect(server.db.$client.prepare("SELECT count(*) FROM products WHERE sku = 'CSV-BAD'").pluck().get()).toBe(0);

    // The Excel export opens as a download with the same dialect, and holds what was imported.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href="/tools/csv/products.csv?separator=semicolon&bom=yes"]')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const chunks: Buffer[] = [];
    for await (const chunk of (await download.createReadStream()) as AsyncIterable<Buffer>) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toMatch(/^\uFEFFsku;name;/);
    expect(text).toMatch(/\r\nCSV-NEW;Lantern;;A-01;149,50;/);
    await page.close();
  });
});
