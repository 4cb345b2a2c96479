import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { getSeller } from '../../src/documents/settings.js';
import { addLine } from '../../src/orders/edit.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { putVerificationMode } from '../../src/shipping/checks.js';
import { api, csrfOf, loginAs, loginAtStation, makeApp } from '../helpers.js';
import { apiError, json } from '../json.js';
import { binary, bytesOf, pdfBarcodes } from '../pdf.js';

const count = (db: Db, sql: string) => db.$client.prepare(sql).pluck().get() as number;

async function as(role: 'packer' | 'operator' | 'admin') {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, role, { name: 'Pia Packare' });
  return { ...ctx, user, ...(await loginAs(ctx.app, user.email)) };
}

const rowOf = (html: string, code: string) => {
  const start = html.indexOf(`<tr data-code="${code}">`);
  if (start < 0) throw new Error(`no row for ${code} on the page`);
  return html.slice(start, html.indexOf('</tr>', start));
};

describe('Outbound', () => {
  it('prints the selected orders as one PDF, then shows them struck through with who and when', async () => {
    const { db, agent } = await as('packer');
    const a = buildPackingOrder(db);
    const b = buildPackingOrder(db);
    const page = await agent.get('/outbound');
    expect(page.status).toBe(200);
    expect(rowOf(page.text, a.code)).not.toContain('printed-pick_slip');
    const posted = await agent
      .post('/outbound/print')
      .type('form')
      .send({ _csrf: csrfOf(page.text), orders: [a.code, b.code], kind: 'pick_slip' });
    expect(posted.status).toBe(303);
    const res = await agent.get(posted.headers.location!).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(await pdfBarcodes(bytesOf(res))).toEqual([[a.code], [b.code]]);
    const after = (await agent.get('/outbound')).text;
    expect(rowOf(after, a.code)).toMatch(/<span class="marker printed printed-pick_slip" title="Pick slip printed [^"]+ by Pia Packare \(1×\)">Pick slip/);
    expect(rowOf(after, b.code)).toContain('printed-pick_slip');
  });

  it('says when a pick slip is out of date because the lines changed after it was printed', async () => {
    const { db, agent, clock } = await as('operator');
    const order = buildPackingOrder(db);
    const page = await agent.get('/outbound');
    await agent
      .post('/outbound/print')
      .type('form')
      .send({ _csrf: csrfOf(page.text), orders: order.code, kind: 'pick_slip' })
      .redirects(1)
      .buffer(true)
      .parse(binary);
    expect(rowOf((await agent.get('/outbound')).text, order.code)).not.toContain('stale');
    addLine(db, order.code, { sku: buildProduct(db).sku, quantity: 1 }, { actor: { type: 'system', id: null, name: 'test' }, now: clock() });
    expect(rowOf((await agent.get('/outbound')).text, order.code)).toContain('Slip out of date');
  });

  it('refuses an empty selection, a missing function and an invoice for a card order, keeping the selection', async () => {
    const { db, agent } = await as('packer');
    const order = buildPackingOrder(db);
    const page = await agent.get('/outbound');
    const csrf = csrfOf(page.text);
    const none = await agent.post('/outbound/print').type('form').send({ _csrf: csrf, kind: 'pick_slip' });
    expect(none.status).toBe(422);
    expect(none.text).toContain('Select at least one order to print.');
    const noKind = await agent.post('/outbound/print').type('form').send({ _csrf: csrf, orders: order.code, kind: '' });
    expect(noKind.status).toBe(422);
    expect(noKind.text).toContain('Choose what to print.');
    expect(noKind.text).toMatch(new RegExp(`value="${order.code}" aria-label="[^"]+" checked`));
    const invoice = await agent.post('/outbound/print').type('form').send({ _csrf: csrf, orders: order.code, kind: 'invoice' });
    expect(invoice.status).toBe(409);
    expect(invoice.text).toContain('is not paid by own invoice');
    expect(invoice.text).toMatch(/<option value="invoice" selected>/);
    expect(db.$client.prepare('SELECT count(*) FROM printed_documents').pluck().get()).toBe(0);
  });

  it('Print is checked, then opens the PDF at a GET address: the first load is the print, each reload a reprint, and nothing is posted again', async () => {
    const { db, agent } = await as('packer');
    const a = buildPackingOrder(db);
    const b = buildPackingOrder(db);
    const csrf = csrfOf((await agent.get('/outbound')).text);
    const posted = await agent
      .post('/outbound/print')
      .type('form')
      .send({ _csrf: csrf, orders: [a.code, b.code], kind: 'pick_slip' });
    // The POST only checks and redirects: a reload of the PDF's tab is a GET, never this POST again.
    expect(posted.status).toBe(303);
    const url = posted.headers.location!;
    expect(url).toBe(`/outbound/documents/pick-slip.pdf?orders=${a.code},${b.code}`);
    expect(count(db, 'SELECT count(*) FROM printed_documents')).toBe(0);

    // The page's script asks for the address as JSON, and opens it in a new tab.
    const asked = await agent
      .post('/outbound/print')
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: csrf, orders: [a.code, b.code], kind: 'pick_slip' });
    expect(asked.status).toBe(200);
    expect(json<{ url: string }>(asked)).toEqual({ url });
    expect(count(db, 'SELECT count(*) FROM printed_documents')).toBe(0);

    const first = await agent.get(url).buffer(true).parse(binary);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(await pdfBarcodes(bytesOf(first))).toEqual([[a.code], [b.code]]);
    const reloaded = await agent.get(url).buffer(true).parse(binary);
    expect(reloaded.status).toBe(200);
    expect(bytesOf(reloaded).subarray(0, 5).toString()).toBe('%PDF-');

    // printDocuments recorded both loads: a print, then a reprint, on each order.
    const prints = (code: string) =>
      (db.$client.prepare("SELECT data FROM order_events WHERE order_code = ? AND type = 'document_printed' ORDER BY id").pluck().all(code) as string[]).map(
        (d) => JSON.parse(d) as { kind: string; reprint: boolean },
      );
    expect(prints(a.code)).toEqual([
      { kind: 'pick_slip', reprint: false },
      { kind: 'pick_slip', reprint: true },
    ]);
    expect(prints(b.code)).toEqual([
      { kind: 'pick_slip', reprint: false },
      { kind: 'pick_slip', reprint: true },
    ]);
    expect(rowOf((await agent.get('/outbound')).text, a.code)).toMatch(/title="Pick slip printed [^"]+ by Pia Packare \(2×\)"/);
    // Outbound's document names only.
    expect((await agent.get(`/outbound/documents/label.pdf?orders=${a.code}`)).status).toBe(404);
    expect((await agent.get(`/outbound/documents/constructor?orders=${a.code}`)).status).toBe(404);
  });

  it('a refused print is shown on the page where Print was pressed: as JSON for the script, as the list at the PDF address', async () => {
    const { db, agent } = await as('packer');
    const order = buildPackingOrder(db);
    const csrf = csrfOf((await agent.get('/outbound')).text);
    const refused = await agent
      .post('/outbound/print')
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: csrf, orders: order.code, kind: 'invoice' });
    expect(refused.status).toBe(409);
    expect(apiError(refused)).toMatchObject({ code: 'not_invoice_order' });
    expect(apiError(refused).message).toContain('is not paid by own invoice');
    const none = await agent.post('/outbound/print').set('Accept', 'application/json').type('form').send({ _csrf: csrf, kind: 'pick_slip' });
    expect(none.status).toBe(422);
    expect(apiError(none).message).toBe('Select at least one order to print.');

    // The address loaded once the print is no longer possible (a reload, a bookmark): the list says why.
    const atUrl = await agent.get(`/outbound/documents/invoice.pdf?orders=${order.code}`);
    expect(atUrl.status).toBe(409);
    expect(atUrl.headers['content-type']).toMatch(/^text\/html/);
    expect(atUrl.text).toMatch(/id="outbound-error">[^<]*is not paid by own invoice/);
    expect(atUrl.text).toMatch(new RegExp(`value="${order.code}" aria-label="[^"]+" checked`));
    expect(atUrl.text).toMatch(/<option value="invoice" selected>/);
    expect(count(db, 'SELECT count(*) FROM printed_documents')).toBe(0);
  });

  it('a GET of an invoice (a link from another site) takes no number; Print (a POST) takes it, and reloads reprint it', async () => {
    const { db, agent } = await as('operator');
    const order = buildPackingOrder(db, { body: { paymentMethod: 'invoice' } });
    const invoices = () => db.$client.prepare('SELECT count(*) FROM invoices').pluck().get();
    // A signed-in browser following a link on another site: top-level GETs carry the Lax cookie.
    const fromLink = await agent.get(`/outbound/documents/invoice.pdf?orders=${order.code}`);
    expect(fromLink.status).toBe(409);
    expect(fromLink.text).toContain('has no invoice number yet');
    const fromOrderLink = await agent.get(`/outbound/orders/${order.code}/invoice.pdf`);
    expect(fromOrderLink.status).toBe(409);
    expect(invoices()).toBe(0);
    expect(db.$client.prepare("SELECT count(*) FROM sequences WHERE name = 'invoice'").pluck().get()).toBe(0);

    const csrf = csrfOf((await agent.get('/outbound')).text);
    const print = await agent.post('/outbound/print').type('form').send({ _csrf: csrf, orders: order.code, kind: 'invoice' });
    expect(print.status).toBe(303);
    expect(invoices()).toBe(1);
    const first = await agent.get(print.headers.location!).buffer(true).parse(binary);
    expect(first.headers['content-type']).toBe('application/pdf');
    await agent.get(print.headers.location!).buffer(true).parse(binary);
    // Print pressed again: the same invoice, no second number.
    await agent.post('/outbound/print').type('form').send({ _csrf: csrf, orders: order.code, kind: 'invoice' }).expect(303);
    expect(invoices()).toBe(1);
    expect((await agent.get(`/orders/${order.code}`)).text).toContain('Printed: Invoice · invoice 1001 · reprint');
  });

  it('the order page links its documents', async () => {
    const { db, agent } = await as('operator');
    const order = buildPackingOrder(db, { body: { paymentMethod: 'invoice' } });
    const html = (await agent.get(`/orders/${order.code}`)).text;
    for (const d of ['pick-slip', 'receipt', 'packing-slip']) expect(html).toContain(`/outbound/orders/${order.code}/${d}.pdf`);
    // The invoice is a POST (it takes the number), then shown at its GET address.
    expect(html).toContain(`action="/outbound/orders/${order.code}/invoice"`);
    const pdf = await agent.get(`/outbound/orders/${order.code}/packing-slip.pdf`).buffer(true).parse(binary);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const printed = await agent
      .post(`/outbound/orders/${order.code}/invoice`)
      .type('form')
      .send({ _csrf: csrfOf(html) });
    expect(printed.status).toBe(303);
    expect(printed.headers.location).toBe(`/outbound/orders/${order.code}/invoice.pdf`);
    await agent.get(printed.headers.location!).buffer(true).parse(binary);
    await agent.get(printed.headers.location!).buffer(true).parse(binary);
    const history = (await agent.get(`/orders/${order.code}`)).text;
    expect(history).toContain('Printed: Packing slip');
    expect(history).toContain('Printed: Invoice · invoice 1001 · reprint');
  });
});

describe('Outbound: verify an order by scanning its items (pick-and-pack)', () => {
  /** A packing order of a tent (EAN-13) ×2 and a mug (checked by SKU) ×1, and a sock on no line; verification "warn". */
  async function world() {
    const ctx = await as('packer');
    putVerificationMode(ctx.db, 'warn', new Date(), 'test');
    buildProduct(ctx.db, { sku: 'TENT', name: 'Tent for two', barcode: '5901234123457' });
    buildProduct(ctx.db, { sku: 'MUG', name: 'Enamel mug' });
    buildProduct(ctx.db, { sku: 'SOCK', barcode: '96385074' });
    const order = buildPackingOrder(ctx.db, {
      lines: [
        { sku: 'TENT', quantity: 2 },
        { sku: 'MUG', quantity: 1 },
      ],
    });
    return { ...ctx, order };
  }
  const lineOf = (html: string, sku: string) => {
    const start = html.indexOf(`<tr data-sku="${sku}"`);
    if (start < 0) throw new Error(`no line ${sku} on the page`);
    return html.slice(start, html.indexOf('</tr>', start));
  };

  it('a scan in the Outbound view records the check the station and the API see; a wrong item is refused with its message and kept as a mis-pick', async () => {
    const { app, db, agent, order, user } = await world();
    const list = await agent.get('/outbound');
    expect(rowOf(list.text, order.code)).toContain(`href="/outbound/orders/${order.code}/verify"`);
    const page = await agent.get(`/outbound/orders/${order.code}/verify`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<input id="verify-barcode" name="barcode"[^>]* autofocus/);
    expect(lineOf(page.text, 'TENT')).toContain('0 of 2 checked');
    const csrf = csrfOf(page.text);

    // Without the script: the form posts, the answer is a redirect to the view with the message.
    const scanned = await agent.post(`/outbound/orders/${order.code}/checks`).type('form').send({ _csrf: csrf, barcode: '5901234123457' });
    expect(scanned.status).toBe(303);
    expect(scanned.headers.location).toBe(`/outbound/orders/${order.code}/verify`);
    const after = await agent.get(scanned.headers.location!);
    expect(after.text).toContain('Checked TENT: 1 of 2.');
    expect(lineOf(after.text, 'TENT')).toContain('1 of 2 checked');

    // The same check, as the API and the packing station show the order.
    const state = json<{ lines: { sku: string; checked: number; quantity: number }[]; checks: { checkedBy: string }[] }>(
      await api(app).get(`/api/v1/orders/${order.code}/checks`),
    );
    expect(state.lines.find((l) => l.sku === 'TENT')).toMatchObject({ checked: 1, quantity: 2 });
    expect(state.checks[0]!.checkedBy).toBe(user.name);

    // With the script: the fragment of the lines and the message. A wrong item is refused and kept.
    const fragment = (barcode: string, quantity = '') =>
      agent.post(`/outbound/orders/${order.code}/checks`).set('X-Outbound', 'fragment').type('form').send({ _csrf: csrf, barcode, quantity });
    const wrong = await fragment('96385074');
    expect(wrong.status).toBe(409);
    expect(wrong.text).toMatch(/^\s*<section id="verify-state"/);
    expect(wrong.text).toContain('data-kind="error"');
    expect(wrong.text).toContain(`SOCK is not on order ${order.code}. Put it back.`);
    expect(count(db, "SELECT count(*) FROM refused_checks WHERE reason = 'item_not_on_order'")).toBe(1);
    const extra = await fragment('5901234123457', '2');
    expect(extra.status).toBe(409);
    expect(extra.text).toContain('One too many TENT: 1 of 2 checked already.');

    // The keyed quantity counts many units at once; then the count before the barcode (5*code) does too.
    const keyed = await fragment('5901234123457', '1');
    expect(keyed.text).toContain('data-kind="ok"');
    expect(lineOf(keyed.text, 'TENT')).toMatch(/class="checked"[\s\S]*2 of 2 checked/);
    const mug = await fragment('1*MUG');
    expect(mug.text).toContain('Every unit is checked.');
    expect(json<{ complete: boolean }>(await api(app).get(`/api/v1/orders/${order.code}/checks`)).complete).toBe(true);

    // Undo the last check.
    const undone = await agent.post(`/outbound/orders/${order.code}/checks/undo`).set('X-Outbound', 'fragment').type('form').send({ _csrf: csrf });
    expect(undone.text).toContain(`Check undone: 1 × MUG on order ${order.code}.`);
    expect(lineOf(undone.text, 'MUG')).toContain('0 of 1 checked');
    expect(count(db, 'SELECT count(*) FROM delivery_checks')).toBe(2);

    // A packing station that opens the order sees the same checks; from then on it is the station's.
    const station = await loginAtStation(app, user.email);
    const opened = await station.scanFragment(order.code);
    expect(opened.text).toMatch(/data-sku="TENT"><span class="qty">2×<\/span>[\s\S]*?2 of 2 checked/);
    expect((await fragment('1*MUG')).status).toBe(409);
  });

  it('shows the verify link only when verification is on; the view needs a signed-in user', async () => {
    const { app, db, agent } = await as('packer');
    const order = buildPackingOrder(db);
    expect(rowOf((await agent.get('/outbound')).text, order.code)).not.toContain('/verify');
    putVerificationMode(db, 'required', new Date(), 'test');
    expect(rowOf((await agent.get('/outbound')).text, order.code)).toContain(`/outbound/orders/${order.code}/verify`);
    const anonymous = await request(app).get(`/outbound/orders/${order.code}/verify`);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/login/);
  });
});

describe('Settings → Documents', () => {
  it('saves the seller; bad input is shown next to the field and changes nothing', async () => {
    const { db, submit } = await as('admin');
    const bad = await submit('/settings/documents', '/settings/documents', { name: 'Fjällbutiken AB', paymentTermsDays: '', shippingVatPercent: '250' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="paymentTermsDays-error">Required\./);
    expect(bad.text).toMatch(/id="shippingVatPercent-error">Must be at most 100\./);
    expect(bad.text).toContain('value="Fjällbutiken AB"');
    expect(getSeller(db).name).toBe('');
    const ok = await submit('/settings/documents', '/settings/documents', {
      name: 'Fjällbutiken AB',
      address: 'Lagervägen 3',
      paymentTermsDays: '20',
      shippingVatPercent: '25',
      firstInvoiceNumber: '7001',
    });
    expect(ok.status).toBe(302);
    expect(getSeller(db)).toMatchObject({ name: 'Fjällbutiken AB', paymentTermsDays: 20, shippingVatRate: 2500, firstInvoiceNumber: 7001 });
  });

  it('is for admins', async () => {
    const { agent } = await as('operator');
    expect((await agent.get('/settings/documents')).status).toBe(403);
  });
});
