import { parse as parseHtml } from 'node-html-parser';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CHECK_GS1, CHECK_TEXT, GS } from '../../src/domain/scanner-check.js';
import { getScannerSettings } from '../../src/scanners/settings.js';
import { buildUser } from '../builders.js';
import { loginAs, makeApp } from '../helpers.js';
import { binary, bytesOf, pdfPages, pdfSymbols, pdfText } from '../pdf.js';

/** The GS substitute field as the page shows it: the value in the input, its ARIA and the message next to it. */
function gsField(html: string) {
  const page = parseHtml(html);
  const input = page.querySelector('input[name=gsSubstitute]');
  expect(input, 'the GS substitute input').not.toBeNull();
  return {
    value: input!.getAttribute('value'),
    invalid: input!.getAttribute('aria-invalid'),
    describedBy: input!.getAttribute('aria-describedby'),
    error: page.querySelector('#gsSubstitute-error')?.text ?? null,
  };
}

const updatedBy = (db: ReturnType<typeof makeApp>['db']) => db.$client.prepare("SELECT updated_by FROM settings WHERE key = 'scanners'").pluck().get();

describe('Settings → Scanners', () => {
  it('saves a GS substitute, records who changed it, and shows it again', async () => {
    const { db, app } = makeApp();
    const admin = await buildUser(db, 'admin', { name: 'Ada Admin' });
    const { agent, submit } = await loginAs(app, admin.email);
    const page = await agent.get('/settings/scanners');
    expect(page.status).toBe(200);
    expect(gsField(page.text)).toEqual({ value: '', invalid: undefined, describedBy: undefined, error: null });
    // The sheet and the scanner check are a link away; the settings menu names the page.
    const links = parseHtml(page.text)
      .querySelectorAll('a')
      .map((a) => [a.getAttribute('href'), a.text.trim()]);
    expect(links).toEqual(
      expect.arrayContaining([
        ['/scanners/sheet.pdf', 'Check sheet (A4, PDF)'],
        ['/scanners', 'Scanner check'],
        ['/settings/scanners', 'Scanners'],
      ]),
    );

    for (const substitute of ['~', '|', '^]', '<GS>', '{GS}']) {
      const saved = await submit('/settings/scanners', '/settings/scanners', { gsSubstitute: substitute });
      expect(saved.status, substitute).toBe(302);
      expect(saved.headers.location).toBe('/settings/scanners');
      expect(getScannerSettings(db)).toEqual({ gsSubstitute: substitute });
      const shown = await agent.get('/settings/scanners');
      expect(gsField(shown.text).value).toBe(substitute);
    }
    expect(updatedBy(db)).toBe('Ada Admin');
    expect((await agent.get('/settings/scanners')).text).not.toContain('Scanner settings saved.');
    // Empty: the scanners send GS itself.
    await submit('/settings/scanners', '/settings/scanners', { gsSubstitute: '' });
    expect(getScannerSettings(db)).toEqual({ gsSubstitute: '' });
  });

  it.each([
    ['a letter', 'x', 'A GS substitute is 1–4 ASCII characters'],
    ['letters', 'GS', 'A GS substitute is 1–4 ASCII characters'],
    ['a digit', '5', 'A GS substitute is 1–4 ASCII characters'],
    ['ending in a letter', '~A', 'A GS substitute is 1–4 ASCII characters'],
    ['a space', ' ', 'A GS substitute is 1–4 ASCII characters'],
    ['a sign and a space', '~ ', 'A GS substitute is 1–4 ASCII characters'],
    ['a space inside', '< >', 'A GS substitute is 1–4 ASCII characters'],
    ['too long', '<GS>~', 'At most 4 characters.'],
    ['a letter outside ASCII', 'é', 'A GS substitute is 1–4 ASCII characters'],
    ['a sign outside ASCII', '§', 'A GS substitute is 1–4 ASCII characters'],
    ['a control character', '\x1d', 'A GS substitute is 1–4 ASCII characters'],
  ])('refuses %s (%j): the form again, the message at the field, the value typed, nothing saved', async (_what, typed, message) => {
    const { db, app } = makeApp();
    const admin = await buildUser(db, 'admin');
    const { submit } = await loginAs(app, admin.email);
    expect((await submit('/settings/scanners', '/settings/scanners', { gsSubstitute: '|' })).status).toBe(302);
    const before = updatedBy(db);
    const res = await submit('/settings/scanners', '/settings/scanners', { gsSubstitute: typed });
    expect(res.status).toBe(422);
    const field = gsField(res.text);
    expect(field.value).toBe(typed);
    expect(field.invalid).toBe('true');
    expect(field.describedBy).toBe('gsSubstitute-error');
    expect(field.error).toContain(message);
    expect(getScannerSettings(db)).toEqual({ gsSubstitute: '|' });
    expect(updatedBy(db)).toBe(before);
  });

  it('speaks the reader’s language, its message at the field too', async () => {
    const { db, app } = makeApp();
    const admin = await buildUser(db, 'admin', { language: 'sv' });
    const { agent, submit } = await loginAs(app, admin.email);
    expect((await agent.get('/settings/scanners')).text).toContain('GS-ersättning');
    const res = await submit('/settings/scanners', '/settings/scanners', { gsSubstitute: 'ab' });
    expect(gsField(res.text).error).toContain('En GS-ersättning är 1–4 ASCII-tecken');
  });

  it('is for admins: a packer gets 403 on the page and its form', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent, submit } = await loginAs(app, packer.email);
    expect((await agent.get('/settings/scanners')).status).toBe(403);
    // With a good CSRF token (from the packer's own account page): refused for who it is.
    expect((await submit('/account', '/settings/scanners', { gsSubstitute: '~' })).status).toBe(403);
    expect(getScannerSettings(db)).toEqual({ gsSubstitute: '' });
  });
});

describe('the scanner check sheet', () => {
  it('is for anyone signed in: a packer prints it; signed out, it asks for a login', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent } = await loginAs(app, packer.email);
    const res = await agent.get('/scanners/sheet.pdf').buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(bytesOf(res).subarray(0, 5).toString()).toBe('%PDF-');
    const anonymous = await request(app).get('/scanners/sheet.pdf');
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/login/);
  });

  it('reads as a person’s scanner reads it: 1 is Code 128 of the check text, 2 is GS1-128 with the batch and serial apart', async () => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer');
    const { agent } = await loginAs(app, packer.email);
    const pdf = bytesOf(await agent.get('/scanners/sheet.pdf').buffer(true).parse(binary));
    const { pages, sizes } = await pdfPages(pdf);
    expect(pages).toBe(1);
    expect(Math.round(sizes[0]!.width)).toBe(210);
    expect(Math.round(sizes[0]!.height)).toBe(297);

    const [symbols] = await pdfSymbols(pdf);
    expect(symbols).toHaveLength(2);
    const one = symbols!.find((s) => !s.modifiers.includes('GS1'));
    const two = symbols!.find((s) => s.modifiers.includes('GS1'));
    // Barcode 1: plain Code 128 (no FNC1 first), exactly the check text.
    expect(one).toEqual({ type: 'CODE-128', modifiers: [], data: CHECK_TEXT });
    // Barcode 2: FNC1 first makes it GS1-128; the FNC1 after the batch arrives as GS.
    expect(two!.type).toBe('CODE-128');
    expect(two!.modifiers).toContain('GS1');
    expect(two!.data).toBe(CHECK_GS1.elements);
    expect(two!.data.split(GS)).toEqual(['0109501101020917' + '10LOT7', '21SER1']);

    // The numbers, what each barcode holds in print, and the instruction.
    const text = await pdfText(pdf, { raw: true });
    expect(text).toContain('Scanner check');
    expect(text).toContain('Scan barcode 1, then barcode 2, on the scanner check page');
    expect(text).toMatch(/^1 Code 128$/m);
    expect(text).toMatch(/^2 GS1-128$/m);
    expect(text).toContain(CHECK_TEXT);
    expect(text).toContain(CHECK_GS1.hri);
  });

  it.each([
    ['sv', 'Skanna streckkod 1 och sedan streckkod 2'],
    ['nb', 'Skann strekkode 1 og deretter strekkode 2'],
    ['fr', 'Scannez le code-barres 1, puis le code-barres 2'],
  ] as const)('is written in the reader’s language (%s), the barcodes the same', async (language, intro) => {
    const { db, app } = makeApp();
    const packer = await buildUser(db, 'packer', { language });
    const { agent } = await loginAs(app, packer.email);
    const pdf = bytesOf(await agent.get('/scanners/sheet.pdf').buffer(true).parse(binary));
    expect((await pdfText(pdf, { raw: true })).replace(/\s+/g, ' ')).toContain(intro);
    expect((await pdfSymbols(pdf))[0]!.map((s) => s.data).sort()).toEqual([CHECK_GS1.elements, CHECK_TEXT]);
  });
});
