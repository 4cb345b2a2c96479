import { describe, expect, it } from 'vitest';
import { buildAppDeps, createApp } from '../../src/app.js';
import { applyShopDefaults } from '../../src/email/settings.js';
import { consoleLogger } from '../../src/log.js';
import { buildUser } from '../builders.js';
import { loginAs, makeClock, makeDb, testConfig } from '../helpers.js';

const LIST = '/settings/shipping/carriers';
const NEW_SHIPMONDO = `${LIST}/accounts/new?kind=shipmondo`;

/** The app with its deps in hand, so that the test opens the stored box with the server's own key. */
async function admin() {
  const db = makeDb();
  const clock = makeClock();
  const config = testConfig();
  applyShopDefaults(db, config, clock());
  const deps = buildAppDeps({ db, config, clock, log: consoleLogger({ silent: true }) });
  const app = createApp(deps);
  const user = await buildUser(db, 'admin');
  return { app, db, deps, ...(await loginAs(app, user.email)) };
}

const SENDER = {
  senderName: 'Lager AB',
  senderLine1: 'Hamngatan 1',
  senderLine2: '',
  senderPostalCode: '111 22',
  senderCity: 'Stockholm',
  senderCountry: 'se',
  senderPhone: '',
  senderEmail: '',
};
const SHIPMONDO = {
  name: 'Shipmondo DK',
  kind: 'shipmondo',
  test: 'on',
  baseUrl: '',
  labelFormat: 'zpl',
  parcelWeightGrams: '1000',
  ...SENDER,
  'credential.apiUser': 'user-7731',
  'credential.apiKey': 'key-SECRET-4242',
};
const BRING = {
  name: 'Bring NO',
  kind: 'bring',
  test: 'on',
  baseUrl: '',
  labelFormat: 'pdf',
  parcelWeightGrams: '1500',
  ...SENDER,
  'credential.apiUid': 'lager@example.com',
  'credential.apiKey': 'bring-key-1',
  'credential.customerNumber': '5',
  'credential.clientUrl': 'https://shop.example',
};

type Ctx = Awaited<ReturnType<typeof admin>>;
const count = (ctx: Ctx, table: string) => ctx.db.$client.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
const storedBox = (ctx: Ctx, id: number) => ctx.db.$client.prepare('SELECT credentials FROM carrier_accounts WHERE id = ?').pluck().get(id) as string;
const accountId = (ctx: Ctx, name: string) => ctx.db.$client.prepare('SELECT id FROM carrier_accounts WHERE name = ?').pluck().get(name) as number;
const fieldError = (html: string, field: string) => new RegExp(`<p class="field-error" id="${field.replace(/\./g, '\\.')}-error">([^<]*)</p>`).exec(html)?.[1];

describe('Settings → Shipping → Carriers', () => {
  it('is linked from Settings → Shipping, whose tab stays active', async () => {
    const { agent } = await admin();
    expect((await agent.get('/settings/shipping')).text).toContain(`href="${LIST}"`);
    const list = await agent.get(LIST);
    expect(list.status).toBe(200);
    expect(list.text).toMatch(/<a href="\/settings\/shipping" class="active">/);
    // The carriers offered by the plain GET form (no script needed).
    expect(list.text).toContain(`action="${LIST}/accounts/new"`);
    for (const name of ['nShift Delivery (Unifaun)', 'Shipmondo', 'Bring']) expect(list.text).toContain(`>${name}</option>`);
  });

  it('adds a Shipmondo account: listed, its credentials sealed in the database and never on a page', async () => {
    const ctx = await admin();
    const form = await ctx.agent.get(NEW_SHIPMONDO);
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<input type="checkbox" name="test"\s+checked>/);
    expect(form.text).toMatch(/name="labelFormat" value="zpl"\s+checked/);
    expect(form.text).not.toContain('value="pdf"  checked');
    expect(form.text).toContain('placeholder="https://sandbox.shipmondo.com');
    expect(form.text).toContain('<input type="password" name="credential.apiUser" autocomplete="off"');
    expect(form.text).toContain('<input type="password" name="credential.apiKey" autocomplete="off"');
    expect(form.text).toContain('value="1000"');

    const added = await ctx.submit(NEW_SHIPMONDO, `${LIST}/accounts`, SHIPMONDO);
    expect([added.status, added.headers.location]).toEqual([303, LIST]);
    const list = await ctx.agent.get(LIST);
    expect(list.text).toContain('Carrier account Shipmondo DK added.');
    expect(list.text).toContain('<strong>Shipmondo DK</strong>');
    expect(list.text).toContain('<span class="badge">Test</span>');
    expect(list.text).toContain('Labels: ZPL');
    expect(list.text).toMatch(/<span class="code muted">https:\/\/sandbox\.shipmondo\.com[^<]*<\/span> <span class="muted">\(the carrier’s own address\)/);
    expect(list.text).toContain('Sender: Lager AB, Hamngatan 1, 111 22 Stockholm, SE');

    const id = accountId(ctx, 'Shipmondo DK');
    const edit = await ctx.agent.get(`${LIST}/accounts/${id}`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain('placeholder="Kept — type to replace"');
    for (const page of [form.text, list.text, edit.text]) {
      expect(page).not.toContain('user-7731');
      expect(page).not.toContain('key-SECRET-4242');
    }
    const box = storedBox(ctx, id);
    expect(box).toMatch(/^v1\./);
    expect(box).not.toContain('user-7731');
    expect(box).not.toContain('key-SECRET-4242');
    expect(ctx.deps.carriers.box.open(box)).toEqual({ apiUser: 'user-7731', apiKey: 'key-SECRET-4242' });
  });

  it('editing with the credential inputs empty keeps them; typing one replaces only that one', async () => {
    const ctx = await admin();
    await ctx.submit(NEW_SHIPMONDO, `${LIST}/accounts`, SHIPMONDO);
    const id = accountId(ctx, 'Shipmondo DK');
    const edit = `${LIST}/accounts/${id}`;
    const kept = await ctx.submit(edit, edit, {
      ...SHIPMONDO,
      name: 'Shipmondo live',
      test: '',
      labelFormat: 'pdf',
      'credential.apiUser': '',
      'credential.apiKey': '',
    });
    expect([kept.status, kept.headers.location]).toEqual([303, LIST]);
    expect(ctx.deps.carriers.box.open(storedBox(ctx, id))).toEqual({ apiUser: 'user-7731', apiKey: 'key-SECRET-4242' });
    expect(ctx.db.$client.prepare('SELECT name, test, label_format FROM carrier_accounts WHERE id = ?').get(id)).toEqual({
      name: 'Shipmondo live',
      test: 0,
      label_format: 'pdf',
    });
    const list = await ctx.agent.get(LIST);
    expect(list.text).toContain('Carrier account Shipmondo live saved.');
    expect(list.text).toContain('<span class="badge">Live</span>');
    expect(list.text).toContain('https://app.shipmondo.com');

    await ctx.submit(edit, edit, { ...SHIPMONDO, 'credential.apiUser': '', 'credential.apiKey': 'key-NEW-9' });
    expect(ctx.deps.carriers.box.open(storedBox(ctx, id))).toEqual({ apiUser: 'user-7731', apiKey: 'key-NEW-9' });
    expect((await ctx.agent.get(edit)).text).not.toContain('key-NEW-9');
  });

  it('refuses a missing credential at its field, writes nothing and does not fill the typed one back in', async () => {
    const ctx = await admin();
    const res = await ctx.submit(NEW_SHIPMONDO, `${LIST}/accounts`, { ...SHIPMONDO, 'credential.apiKey': '' });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'credential.apiKey')).toBe('Required.');
    expect(res.text).toMatch(/name="credential\.apiKey"[^>]*aria-invalid="true"/);
    expect(res.text).not.toContain('user-7731');
    // The rest is kept as typed.
    expect(res.text).toContain('value="Shipmondo DK"');
    expect(res.text).toContain('value="Hamngatan 1"');
    expect(count(ctx, 'carrier_accounts')).toBe(0);
  });

  it.each([
    ['a country that is not two letters', { ...SHIPMONDO, senderCountry: 'Sweden' }, 'senderCountry', 'Use the two-letter country code (SE, NO, DK…).'],
    ['a label format the carrier does not offer (Bring and ZPL)', { ...BRING, labelFormat: 'zpl' }, 'labelFormat', 'Bring does not send labels as ZPL.'],
    ['an API address that is not http(s)', { ...SHIPMONDO, baseUrl: 'ftp://shipmondo.example' }, 'baseUrl', 'An http:// or https:// address.'],
    ['a parcel weight that is not a number', { ...SHIPMONDO, parcelWeightGrams: 'heavy' }, 'parcelWeightGrams', 'Must be a whole number.'],
  ])('refuses %s at its field, nothing written', async (_what, fields, field, message) => {
    const ctx = await admin();
    const res = await ctx.submit(`${LIST}/accounts/new?kind=${fields.kind}`, `${LIST}/accounts`, fields);
    expect(res.status).toBe(422);
    expect(fieldError(res.text, field)).toBe(message);
    expect(count(ctx, 'carrier_accounts')).toBe(0);
  });

  it('an account keeps its carrier', async () => {
    const ctx = await admin();
    await ctx.submit(NEW_SHIPMONDO, `${LIST}/accounts`, SHIPMONDO);
    const id = accountId(ctx, 'Shipmondo DK');
    const res = await ctx.submit(`${LIST}/accounts/${id}`, `${LIST}/accounts/${id}`, { ...BRING, name: 'Shipmondo DK' });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'kind')).toBe('The carrier of an account cannot change: add a new account instead.');
    expect(ctx.db.$client.prepare('SELECT kind FROM carrier_accounts').pluck().get()).toBe('shipmondo');
  });

  it('shipping methods: a carrier method with its service, pickup, one default at a time, refusals at their fields', async () => {
    const ctx = await admin();
    await ctx.submit(NEW_SHIPMONDO, `${LIST}/accounts`, SHIPMONDO);
    const account = accountId(ctx, 'Shipmondo DK');
    const list = await ctx.agent.get(LIST);
    // The service list offers the account's carrier's services.
    expect(list.text).toContain('<option value="GLSDK_HD" label="Shipmondo: GLS (DK) Home Delivery"></option>');
    expect(list.text).toContain(`<option value="${account}" >Shipmondo DK (Shipmondo)</option>`);

    const home = { code: 'home', name: 'Home delivery', kind: 'carrier', carrierAccountId: String(account), service: 'GLSDK_HD', isDefault: 'on' };
    expect((await ctx.submit(LIST, `${LIST}/methods`, home)).status).toBe(303);
    const pickup = { code: 'store', name: 'Pickup in Malmö', kind: 'pickup', carrierAccountId: '', service: '' };
    expect((await ctx.submit(LIST, `${LIST}/methods`, pickup)).status).toBe(303);
    const methods = (): { code: string; kind: string; account: number | null; service: string | null; isDefault: number }[] =>
      ctx.db.$client
        .prepare('SELECT code, kind, carrier_account_id AS account, service, is_default AS isDefault FROM shipping_methods ORDER BY code')
        .all() as never;
    expect(methods()).toEqual([
      { code: 'home', kind: 'carrier', account, service: 'GLSDK_HD', isDefault: 1 },
      { code: 'store', kind: 'pickup', account: null, service: null, isDefault: 0 },
    ]);
    const shown = await ctx.agent.get(LIST);
    expect(shown.text).toContain('Shipping method Pickup in Malmö added.');
    expect(shown.text).toContain('<td>Shipmondo DK · GLSDK_HD GLS (DK) Home Delivery</td>');
    expect(shown.text).toContain('<td>Pickup in store</td>');

    // Made the default, the pickup method takes the mark.
    const storeId = ctx.db.$client.prepare("SELECT id FROM shipping_methods WHERE code = 'store'").pluck().get() as number;
    const edit = await ctx.agent.get(`${LIST}/methods/${storeId}`);
    expect(edit.text).toMatch(/name="kind" value="pickup"\s+checked/);
    const saved = await ctx.submit(`${LIST}/methods/${storeId}`, `${LIST}/methods/${storeId}`, { ...pickup, isDefault: 'on' });
    expect(saved.status).toBe(303);
    expect(methods().map((m) => [m.code, m.isDefault])).toEqual([
      ['home', 0],
      ['store', 1],
    ]);

    const twice = await ctx.submit(LIST, `${LIST}/methods`, { ...home, name: 'Another' });
    expect(twice.status).toBe(422);
    expect(fieldError(twice.text, 'code')).toBe('The code home is already the shipping method Home delivery.');
    expect(twice.text).toContain('value="Another"');
    const noAccount = await ctx.submit(LIST, `${LIST}/methods`, { ...home, code: 'express', carrierAccountId: '' });
    expect(noAccount.status).toBe(422);
    expect(fieldError(noAccount.text, 'carrierAccountId')).toBe('Choose the carrier account this method books with.');
    const noService = await ctx.submit(LIST, `${LIST}/methods`, { ...home, code: 'express', service: '' });
    expect(fieldError(noService.text, 'service')).toBe('Type the carrier’s service (product code) this method books.');
    expect(count(ctx, 'shipping_methods')).toBe(2);

    // An own-parcel-ID method says where those come from.
    await ctx.submit(LIST, `${LIST}/methods`, { code: 'local', name: 'Local courier', kind: 'own' });
    expect((await ctx.agent.get(LIST)).text).toContain('<td>Station’s own parcel IDs (Settings → Shipping)</td>');
  });

  it('an account a method uses is not deleted, and says why; unused, it is', async () => {
    const ctx = await admin();
    await ctx.submit(NEW_SHIPMONDO, `${LIST}/accounts`, SHIPMONDO);
    const account = accountId(ctx, 'Shipmondo DK');
    await ctx.submit(LIST, `${LIST}/methods`, { code: 'home', name: 'Home delivery', kind: 'carrier', carrierAccountId: String(account), service: 'X1' });
    const refused = await ctx.submit(LIST, `${LIST}/accounts/${account}/delete`, {});
    expect([refused.status, refused.headers.location]).toEqual([303, LIST]);
    expect((await ctx.agent.get(LIST)).text).toContain('Carrier account Shipmondo DK is still in use (shipping methods: 1, bookings: 0)');
    expect(count(ctx, 'carrier_accounts')).toBe(1);

    const methodId = ctx.db.$client.prepare('SELECT id FROM shipping_methods').pluck().get() as number;
    expect((await ctx.submit(LIST, `${LIST}/methods/${methodId}/delete`, {})).status).toBe(303);
    expect((await ctx.submit(LIST, `${LIST}/accounts/${account}/delete`, {})).status).toBe(303);
    expect((await ctx.agent.get(LIST)).text).toContain('Carrier account Shipmondo DK deleted.');
    expect(count(ctx, 'carrier_accounts')).toBe(0);
  });

  it('a carrier that does not exist, or an account that does not, is refused with a page', async () => {
    const ctx = await admin();
    expect((await ctx.agent.get(`${LIST}/accounts/new?kind=dhl`)).status).toBe(422);
    expect((await ctx.agent.get(`${LIST}/accounts/99`)).status).toBe(404);
    expect((await ctx.agent.get(`${LIST}/methods/99`)).status).toBe(404);
  });

  it.each(['packer', 'operator'] as const)('is for admins only: a %s gets 403', async (role) => {
    const ctx = await admin();
    await ctx.submit(NEW_SHIPMONDO, `${LIST}/accounts`, SHIPMONDO);
    const other = await buildUser(ctx.db, role);
    const { agent } = await loginAs(ctx.app, other.email);
    for (const path of [LIST, NEW_SHIPMONDO, `${LIST}/accounts/${accountId(ctx, 'Shipmondo DK')}`]) expect((await agent.get(path)).status, path).toBe(403);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/account')).text)![1]!;
    const posted = await agent
      .post(`${LIST}/accounts`)
      .type('form')
      .send({ _csrf: csrf, ...SHIPMONDO, name: 'Sneaky' });
    expect(posted.status).toBe(403);
    expect(count(ctx, 'carrier_accounts')).toBe(1);
  });
});
