import { describe, expect, it } from 'vitest';
import { getSeller } from '../../src/documents/settings.js';
import { addLine } from '../../src/orders/edit.js';
import { buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { csrfOf, loginAs, makeApp } from '../helpers.js';
import { binary, bytesOf, pdfBarcodes } from '../pdf.js';

async function as(role: 'packer' | 'operator' | 'admin') {
  const ctx = makeApp();
  const user = await buildUser(ctx.db, role, { name: 'Pia Packare' });
  return { ...ctx, ...(await loginAs(ctx.app, user.email)) };
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
    const res = await agent
      .post('/outbound/print')
      .type('form')
      .send({ _csrf: csrfOf(page.text), orders: [a.code, b.code], kind: 'pick_slip' })
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(await pdfBarcodes(bytesOf(res))).toEqual([[a.code], [b.code]]);
    const after = (await agent.get('/outbound')).text;
    expect(rowOf(after, a.code)).toMatch(/<s class="marker printed printed-pick_slip" title="Pick slip printed [^"]+ by Pia Packare \(1×\)">Pick slip<\/s>/);
    expect(rowOf(after, b.code)).toContain('printed-pick_slip');
  });

  it('says when a pick slip is out of date because the lines changed after it was printed', async () => {
    const { db, agent, clock } = await as('operator');
    const order = buildPackingOrder(db);
    const page = await agent.get('/outbound');
    await agent.post('/outbound/print').type('form').send({ _csrf: csrfOf(page.text), orders: order.code, kind: 'pick_slip' }).buffer(true).parse(binary);
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

  it('the order page links its documents', async () => {
    const { db, agent } = await as('operator');
    const order = buildPackingOrder(db, { body: { paymentMethod: 'invoice' } });
    const html = (await agent.get(`/orders/${order.code}`)).text;
    for (const d of ['pick-slip', 'receipt', 'packing-slip', 'invoice']) expect(html).toContain(`/outbound/orders/${order.code}/${d}.pdf`);
    const pdf = await agent.get(`/outbound/orders/${order.code}/packing-slip.pdf`).buffer(true).parse(binary);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    await agent.get(`/outbound/orders/${order.code}/invoice.pdf`).buffer(true).parse(binary);
    await agent.get(`/outbound/orders/${order.code}/invoice.pdf`).buffer(true).parse(binary);
    const history = (await agent.get(`/orders/${order.code}`)).text;
    expect(history).toContain('Printed: Packing slip');
    expect(history).toContain('Printed: Invoice · invoice 1001 · reprint');
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
    const ok = await submit('/settings/documents', '/settings/documents', { name: 'Fjällbutiken AB', address: 'Lagervägen 3', paymentTermsDays: '20', shippingVatPercent: '25', firstInvoiceNumber: '7001' });
    expect(ok.status).toBe(302);
    expect(getSeller(db)).toMatchObject({ name: 'Fjällbutiken AB', paymentTermsDays: 20, shippingVatRate: 2500, firstInvoiceNumber: 7001 });
  });

  it('is for admins', async () => {
    const { agent } = await as('operator');
    expect((await agent.get('/settings/documents')).status).toBe(403);
  });
});
