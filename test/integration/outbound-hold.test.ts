import { describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';
import type { Role } from '../../src/domain/permissions.js';
import { putPackSettings, DEFAULT_PACK_SETTINGS } from '../../src/pack/settings.js';
import { buildPackingOrder, buildProduct, buildShippedOrder, buildUser } from '../builders.js';
import { api, csrfOf, loginAs, loginAtStation, makeApp } from '../helpers.js';
import { apiError } from '../json.js';

// Orders awaiting approval (Settings → Pack script) on Outbound and at the station, and the hold
// refusal worded for its reader: a packer is told whom to ask and never sent to a page they cannot
// open; an operator gets the order page, an admin Settings too.

const APPROVAL_PACKER = (code: string) =>
  `Order ${code} is on hold (awaiting approval): own-invoice, cash-on-delivery and pay-at-pickup orders are approved before they are picked. Ask an operator to approve it.`;
const APPROVAL_OPERATOR = (code: string) =>
  `Order ${code} is on hold (awaiting approval): approve it on the order page (Approve) before it is picked or shipped. It is also released once it is paid.`;
const APPROVAL_ADMIN = (code: string) =>
  `Order ${code} is on hold (awaiting approval): Settings → Pack script requires own-invoice, cash-on-delivery and pay-at-pickup orders to be approved before they are picked or shipped. It is released once it is approved or paid, or when that setting is switched off.`;
const WAITING_PACKER = (code: string) => `Order ${code} is on hold (waiting): ask an operator to take it off hold.`;
const WAITING_OPERATOR = (code: string) => `Order ${code} is on hold (waiting): take it off hold on the order page first (untick Waiting).`;

function setup() {
  const ctx = makeApp();
  buildProduct(ctx.db, { sku: 'TENT', onHand: 20 });
  const lines = [{ sku: 'TENT', quantity: 1 }];
  // Promoted before Settings asked for approval: packing, unpaid, own invoice, not approved.
  const awaiting = buildPackingOrder(ctx.db, { lines, body: { paymentMethod: 'invoice', paid: false } });
  const free = buildPackingOrder(ctx.db, { lines });
  const waiting = buildPackingOrder(ctx.db, { lines });
  ctx.db.$client.prepare('UPDATE orders SET waiting = 1 WHERE id = ?').run(waiting.id);
  putPackSettings(ctx.db, { ...DEFAULT_PACK_SETTINGS, requireApproval: true }, ctx.clock(), 'test');
  return { ...ctx, awaiting, free, waiting };
}

type Ctx = ReturnType<typeof setup>;

async function as(ctx: Ctx, role: Role) {
  const user = await buildUser(ctx.db, role);
  const { agent } = await loginAs(ctx.app, user.email);
  const page = async () => (await agent.get('/outbound').expect(200)).text;
  const print = async (kind: string, orders: string[], json = false) => {
    const req = agent.post('/outbound/print').type('form');
    if (json) req.set('Accept', 'application/json');
    return req.send(`_csrf=${encodeURIComponent(csrfOf(await page()))}&kind=${kind}&${orders.map((o) => `orders=${o}`).join('&')}`);
  };
  const why = async (code: string) =>
    (await agent.get(`/outbound/scan?code=${code}`).set('Accept', 'application/json').expect(200)).body as {
      message: string;
      links: { href: string; text: string }[];
    };
  return { agent, page, print, why };
}

const rowOf = (html: string, code: string) => parse(html).querySelector(`tr[data-code="${code}"]`);
const flashOf = (html: string) => parse(html).getElementById('outbound-error')!;
const hrefs = (el: ReturnType<typeof flashOf>) => el.querySelectorAll('a').map((a) => a.getAttribute('href'));
/** Outbound's JSON refusal, as the page's script reads it. */
const refusalOf = (res: { body: unknown }) => (res.body as { error: { code: string; message: string; links: { href: string; text: string }[] } }).error;
const count = (ctx: Ctx, sql: string) => ctx.db.$client.prepare(sql).pluck().get() as number;

describe('Outbound marks an order awaiting approval and prints nothing for it', () => {
  it('lists it marked "Awaiting approval", with no box to select it; the waiting order is not listed', async () => {
    const ctx = setup();
    const packer = await as(ctx, 'packer');
    const html = await packer.page();
    const row = rowOf(html, ctx.awaiting.code)!;
    expect(row.classList.contains('held')).toBe(true);
    expect(row.querySelector('.marker.hold')!.text).toBe('Awaiting approval');
    expect(row.querySelector('input[name="orders"]')).toBeNull();
    // A packer cannot open the order page: the marker is no link.
    expect(row.querySelector('a.marker')).toBeNull();
    expect(rowOf(html, ctx.free.code)!.querySelector('input[name="orders"]')).not.toBeNull();
    expect(rowOf(html, ctx.free.code)!.querySelector('.marker.hold')).toBeNull();
    expect(rowOf(html, ctx.waiting.code)).toBeNull();

    // An operator's marker opens the order at its Approve button.
    const operator = await as(ctx, 'operator');
    expect(
      rowOf(await operator.page(), ctx.awaiting.code)!
        .querySelector('a.marker.hold')!
        .getAttribute('href'),
    ).toBe(`/orders/${ctx.awaiting.code}#approve`);
  });

  it('refuses its pick slip and its invoice with the hold message: a packer is told to ask an operator, with no link', async () => {
    const ctx = setup();
    const packer = await as(ctx, 'packer');
    for (const kind of ['pick_slip', 'invoice']) {
      const res = await packer.print(kind, [ctx.awaiting.code]);
      expect(res.status).toBe(409);
      const flash = flashOf(res.text);
      expect(flash.text.trim()).toBe(APPROVAL_PACKER(ctx.awaiting.code));
      expect(hrefs(flash)).toEqual([]);
      expect(res.text).not.toContain('Settings → Pack script');
    }
    // The API numbers no invoice for it either; its message is the admin's (no reader role).
    const numbered = await api(ctx.app).post(`/api/v1/orders/${ctx.awaiting.code}/invoice`).send({});
    expect(numbered.status).toBe(409);
    expect(apiError(numbered)).toEqual({ code: 'order_on_hold', message: APPROVAL_ADMIN(ctx.awaiting.code), details: { reason: 'approval' } });
    // Nothing printed, no invoice number taken from the series.
    expect(count(ctx, 'SELECT count(*) FROM printed_documents')).toBe(0);
    expect(count(ctx, 'SELECT count(*) FROM invoices')).toBe(0);

    // The page's script gets the same, as JSON.
    const json = await packer.print('pick_slip', [ctx.free.code, ctx.awaiting.code], true);
    expect(json.status).toBe(409);
    expect(refusalOf(json)).toMatchObject({ code: 'order_on_hold', message: APPROVAL_PACKER(ctx.awaiting.code), links: [] });
  });

  it('an operator gets the order page to approve it, an admin Settings → Pack script as well', async () => {
    const ctx = setup();
    const code = ctx.awaiting.code;
    const operator = await as(ctx, 'operator');
    let res = await operator.print('pick_slip', [code]);
    expect(res.status).toBe(409);
    expect(flashOf(res.text).text).toContain(APPROVAL_OPERATOR(code));
    expect(hrefs(flashOf(res.text))).toEqual([`/orders/${code}#approve`]);

    const admin = await as(ctx, 'admin');
    res = await admin.print('invoice', [code]);
    expect(res.status).toBe(409);
    expect(flashOf(res.text).text).toContain(APPROVAL_ADMIN(code));
    expect(hrefs(flashOf(res.text))).toEqual([`/orders/${code}#approve`, '/settings/pack-script']);
    const json = await admin.print('pick_slip', [code], true);
    expect(refusalOf(json).links).toEqual([
      { href: `/orders/${code}#approve`, text: `Open order ${code}` },
      { href: '/settings/pack-script', text: 'Settings → Pack script' },
    ]);

    // Approved, it is ready: its box is back and its pick slip is printed.
    ctx.db.$client.prepare('UPDATE orders SET approved = 1 WHERE id = ?').run(ctx.awaiting.id);
    expect(rowOf(await operator.page(), code)!.querySelector('input[name="orders"]')).not.toBeNull();
    expect((await operator.print('pick_slip', [code])).status).toBe(303);
  });

  it('a scanned code with no box says why: on hold and who releases it, by the reader; not packing; unknown', async () => {
    const ctx = setup();
    const packer = await as(ctx, 'packer');
    expect(await packer.why(ctx.waiting.code)).toEqual({ message: WAITING_PACKER(ctx.waiting.code), links: [] });
    expect(await packer.why(ctx.awaiting.code)).toEqual({ message: APPROVAL_PACKER(ctx.awaiting.code), links: [] });
    const operator = await as(ctx, 'operator');
    expect(await operator.why(ctx.waiting.code)).toEqual({
      message: WAITING_OPERATOR(ctx.waiting.code),
      links: [{ href: `/orders/${ctx.waiting.code}`, text: `Open order ${ctx.waiting.code}` }],
    });

    const shipped = buildShippedOrder(ctx.db, { lines: [{ sku: 'TENT', quantity: 1 }] });
    expect((await packer.why(shipped.code)).message).toBe(`${shipped.code} is Shipped: Outbound lists the orders in Packing.`);
    expect((await packer.why(ctx.free.code)).message).toBe(`${ctx.free.code} is not in this list.`);
    expect((await packer.why('no-such-order')).message).toBe('no-such-order is not in this list.');
    // The page's scan field knows where to ask.
    expect(
      parse(await packer.page())
        .getElementById('outbound-scan-code')!
        .getAttribute('data-why-url'),
    ).toBe('/outbound/scan');
  });

  it('says it in the reader language (French: a no-break space before the colon)', async () => {
    const ctx = setup();
    const user = await buildUser(ctx.db, 'packer', { language: 'fr' });
    const { agent } = await loginAs(ctx.app, user.email);
    const body = (await agent.get(`/outbound/scan?code=${ctx.waiting.code}`).expect(200)).body as { message: string };
    expect(body.message).toBe(`La commande ${ctx.waiting.code} est en attente\u00a0: demandez à un gestionnaire de commandes de lever l’attente.`);
  });
});

describe('the station and an order awaiting approval', () => {
  it('does not offer it in the queue, and refuses it with words a packer can act on', async () => {
    const ctx = setup();
    const packer = await buildUser(ctx.db, 'packer');
    const { agent, scan } = await loginAtStation(ctx.app, packer.email);
    const page = parse((await agent.get('/shipping')).text);
    const queued = page.querySelectorAll('#queue button[name="value"]').map((b) => b.getAttribute('value'));
    expect(queued).toContain(ctx.free.code);
    expect(queued).not.toContain(ctx.awaiting.code);
    expect(queued).not.toContain(ctx.waiting.code);

    const res = await scan(ctx.awaiting.code);
    expect(res.status).toBe(303);
    const after = (await agent.get(res.headers.location!)).text;
    expect(after).toContain(APPROVAL_PACKER(ctx.awaiting.code));
    expect(after).not.toContain('Settings → Pack script');
    expect(after).not.toContain('href="/settings');
  });

  it('an order held after it was opened: its card says so in the packer’s words', async () => {
    const ctx = setup();
    const packer = await buildUser(ctx.db, 'packer');
    const { agent, scan } = await loginAtStation(ctx.app, packer.email);
    await scan(ctx.free.code);
    ctx.db.$client.prepare('UPDATE orders SET waiting = 1 WHERE id = ?').run(ctx.free.id);
    const card = parse((await agent.get('/shipping')).text).getElementById('current')!;
    expect(card.text).toContain(WAITING_PACKER(ctx.free.code));
    expect(card.text).not.toContain('untick Waiting');
  });
});
