import { describe, expect, it } from 'vitest';
import { CHECK_GS1, CHECK_TEXT } from '../../src/domain/scanner-check.js';
import { buildUser } from '../builders.js';
import { browserSuite, logIn } from './browser.js';
import { scanKeys } from './scanner.js';

// The scanner check at a LAN origin: the sheet's barcodes sent as scanners set up in different ways
// send them (CDP key events at scanner speed, layouts from xkb), and what the page says of each.

describe('The scanner check, in a real browser', () => {
  const suite = browserSuite();

  it('tells a packer what each scanner sends and what to change: suffix, AIM, layout, GS, speed', async () => {
    const { browser, server } = suite;
    const packer = await buildUser(server.db, 'packer');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.context().addCookies([{ name: 'station', value: 'Bench%201', url: server.url }]);
    await logIn(page, server.url, packer.email, '/shipping');
    // Linked from the station; the sheet is a PDF any packer can open.
    await page.click('a[href="/scanners"]');
    await page.waitForURL(`${server.url}/scanners`);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('check-field');
    const rows = (barcode: number) =>
      page
        .locator(`#finding-${barcode} dd`)
        .evaluateAll((dds) => dds.map((dd) => ({ ok: (dd as HTMLElement).dataset.ok === 'true', text: dd.textContent.trim() })));

    // A US scanner on a French computer, with AIM identifiers on and Tab as its suffix.
    await scanKeys(page, `]C0${CHECK_TEXT}`, { layout: 'fr', suffix: 'Tab' });
    await expect.poll(() => page.locator('#finding-1').count(), { timeout: 20_000 }).toBe(1);
    const french = await rows(1);
    expect(french).toContainEqual({ ok: true, text: '✓ Tab: read here as the end of a scan; Enter is the usual setting.' });
    expect(french).toContainEqual({ ok: true, text: '✓ “]C0” (AIM identifiers on): read and removed here; nothing to change.' });
    expect(french).toContainEqual({ ok: true, text: '✓ Nothing: good.' });
    expect(french.find((r) => r.text.includes('keyboard layout'))).toMatchObject({
      ok: false,
      text: expect.stringContaining('this computer to French (AZERTY): set the scanner’s keyboard layout to French (AZERTY)'),
    });
    // The focus stays in the field: the Tab did not walk it away.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('check-field');

    // Barcode 2 from a scanner that matches, sending GS as Ctrl+] and Enter.
    await scanKeys(page, `]C1${CHECK_GS1.elements}`, { suffix: 'Enter' });
    await expect.poll(() => page.locator('#finding-2').count(), { timeout: 20_000 }).toBe(1);
    const gs1 = await rows(2);
    expect(gs1).toContainEqual({ ok: true, text: '✓ Sent as Ctrl+]: good.' });
    expect(gs1).toContainEqual({ ok: true, text: '✓ Matches this computer: good.' });
    expect(gs1).toContainEqual({ ok: true, text: '✓ Enter: good.' });
    expect(gs1.find((r) => r.text.includes('ms a key'))).toMatchObject({ ok: true });

    // Barcode 2 from a scanner that drops GS: batch and serial run together.
    await scanKeys(page, `]C1${CHECK_GS1.elements.replace('\x1D', '')}`, { suffix: 'Enter' });
    await expect.poll(async () => (await rows(2)).some((r) => r.text.startsWith('✗ Lost: batch and serial run together.')), { timeout: 20_000 }).toBe(true);

    // No suffix on a Swedish computer: the page waits for the pause, names the layout and asks for Enter.
    await scanKeys(page, CHECK_TEXT, { layout: 'se', suffix: 'none' });
    await expect
      .poll(async () => (await rows(1)).some((r) => r.text.startsWith('✗ Nothing: set the scanner to end each scan with Enter')), { timeout: 20_000 })
      .toBe(true);
    expect((await rows(1)).find((r) => r.text.includes('keyboard layout'))?.text).toContain('Swedish/Finnish');

    // Something that is not on the sheet says so.
    await scanKeys(page, 'HELLO-1', { suffix: 'Enter' });
    await expect.poll(() => page.locator('#finding-unknown').textContent(), { timeout: 20_000 }).toContain('That was not a barcode of the check sheet');
    await context.close();
  });
});
