import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPackScript } from '../../src/pack/run.js';
import { putEmailSettings, getEmailSettings } from '../../src/email/settings.js';
import { emailBackoffMs, sendDueEmails, smtpTransport } from '../../src/email/sender.js';
import { linksOf, templateProblems, textToHtml } from '../../src/email/templates.js';
import { composeOrderMail } from '../../src/email/compose.js';
import { listLines } from '../../src/orders/repo/orders.js';
import { writeTransaction } from '../../src/db/client.js';
import { putParcelPatterns } from '../../src/shipping/parcel-rules.js';
import { reportDelivery } from '../../src/shipping/service.js';
import { reportDrafts } from '../../src/shipping/drafts.js';
import { consoleLogger } from '../../src/log.js';
import { bookParcels } from '../carrier-parcels.js';
import { aCustomer, buildOrder, buildPackingOrder, buildProduct, buildUser, reload } from '../builders.js';
import { api, loginAs, makeApp, makeClock, makeDb } from '../helpers.js';
import { json, type OrderEmailsJson, type OrderJson } from '../json.js';
import { deadSmtpUrl, silentSmtpServer, smtpServer } from '../smtp.js';
import { tempDir } from '../temp.js';

const FROM = 'Nordic Socks <orders@socks.example>';
const SYSTEM = { type: 'system' as const, id: null, name: 'test' };

/** An app whose shop has a name and two recipients for the new-order notice. */
function shop(env: Record<string, string> = {}) {
  const clock = makeClock(new Date());
  const ctx = makeApp({ clock, env: { SHOP_ADMIN_EMAILS: 'boss@socks.example, Lager@socks.example', ...env } });
  ctx.db.$client.prepare('INSERT INTO settings (key, value, updated_at) VALUES (\'documents_seller\', json(\'{"name":"Nordic Socks"}\'), 0)').run();
  return { ...ctx, clock };
}

function outbox(db: ReturnType<typeof makeDb>) {
  return db.$client
    .prepare(
      'SELECT id, order_id AS orderId, to_address AS toAddress, template, language, status, attempts, subject, text_body AS text, last_error AS lastError FROM email_outbox ORDER BY id',
    )
    .all() as {
    id: number;
    orderId: number;
    toAddress: string;
    template: string;
    language: string;
    status: string;
    attempts: number;
    subject: string;
    text: string;
    lastError: string | null;
  }[];
}

async function createOrderByApi(app: Parameters<typeof api>[0], language?: 'en' | 'sv') {
  const res = await api(app)
    .post('/api/v1/orders')
    .send({
      lines: [{ sku: 'SOCK-1', quantity: 2 }],
      customer: { ...aCustomer('Åsa Øvergård'), ...(language && { language }) },
      paymentMethod: 'card',
      paid: true,
    });
  expect(res.status).toBe(201);
  return res.body as { code: string };
}

describe('e-mail on a new order', () => {
  it('writes the confirmation in the customer language and the notice to the shop, and a real SMTP server receives both', async () => {
    const { app, db, clock } = shop();
    buildProduct(db, { sku: 'SOCK-1', name: 'Ullsockor grå', price: 14900 });
    const order = await createOrderByApi(app, 'sv');
    const rows = outbox(db);
    expect(rows.map((r) => [r.template, r.toAddress, r.language, r.status])).toEqual([
      ['order_confirmation', expect.stringMatching(/@example\.com$/), 'sv', 'queued'],
      ['new_order_notice', 'boss@socks.example', 'en', 'queued'],
      ['new_order_notice', 'lager@socks.example', 'en', 'queued'],
    ]);

    const smtp = await smtpServer();
    expect(await sendDueEmails(db, smtpTransport(smtp.url), FROM, clock)).toBe(3);
    expect(outbox(db).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    const [confirmation, notice] = smtp.received;
    expect(confirmation!.subject).toBe(`Order ${order.code} bekräftad – Nordic Socks`);
    expect(confirmation!.from!.value).toEqual([{ name: 'Nordic Socks', address: 'orders@socks.example' }]);
    expect(confirmation!.text).toContain('Hej Åsa Øvergård,');
    expect(confirmation!.text).toContain('2 × Ullsockor grå (SOCK-1)');
    expect(confirmation!.text).toMatch(/Totalt: 298,00\s?kr/);
    expect(confirmation!.html).toContain('<p>Hej Åsa Øvergård,</p>');
    expect(notice!.subject).toMatch(new RegExp(`^New order ${order.code} – SEK\\s?298\\.00$`));
    expect(notice!.to).toMatchObject({ text: 'boss@socks.example' });
    expect(notice!.text).toContain('Customer: Åsa Øvergård <customer');

    // The order's log says what was written; the API lists the e-mails with their status.
    const listed = await api(app).get(`/api/v1/orders/${order.code}/emails`);
    expect(listed.status).toBe(200);
    expect(json<OrderEmailsJson>(listed).emails).toEqual([
      expect.objectContaining({ template: 'order_confirmation', status: 'sent', language: 'sv', subject: confirmation!.subject, sentAt: expect.any(String) }),
      expect.objectContaining({ template: 'new_order_notice', status: 'sent', to: 'boss@socks.example' }),
      expect.objectContaining({ template: 'new_order_notice', status: 'sent', to: 'lager@socks.example' }),
    ]);
    const events = json<OrderJson>(await api(app).get(`/api/v1/orders/${order.code}`)).events.filter((e) => e.type === 'email_queued');
    expect(events).toHaveLength(3);
    expect((await api(app).get('/api/v1/orders/1234-5678-0/emails')).status).toBe(404);
  });

  it('a preorder writes nothing until checkout; without a language the shop default is used', async () => {
    const { app, db } = shop({ DEFAULT_LANGUAGE: 'sv' });
    buildProduct(db, { sku: 'SOCK-1' });
    const cart = await api(app)
      .post('/api/v1/orders')
      .send({ status: 'preorder', lines: [{ sku: 'SOCK-1', quantity: 1 }] });
    expect(outbox(db)).toEqual([]);
    await api(app)
      .post(`/api/v1/orders/${json<OrderJson>(cart).code}/checkout`)
      .send({ customer: aCustomer(), paymentMethod: 'invoice' })
      .expect(200);
    expect(outbox(db).map((r) => [r.template, r.language])).toEqual([
      ['order_confirmation', 'sv'],
      ['new_order_notice', 'sv'],
      ['new_order_notice', 'sv'],
    ]);
  });

  it('"never" writes no confirmation; recipients saved in Settings replace SHOP_ADMIN_EMAILS', async () => {
    const { app, db, clock } = shop();
    buildProduct(db, { sku: 'SOCK-1' });
    putEmailSettings(
      db,
      { ...getEmailSettings(db), modes: { ...getEmailSettings(db).modes, order_confirmation: 'never' }, shopRecipients: ['kontor@socks.example'] },
      clock(),
      'test',
    );
    await createOrderByApi(app);
    expect(outbox(db).map((r) => [r.template, r.toAddress])).toEqual([['new_order_notice', 'kontor@socks.example']]);
  });
});

describe('the new-order notice before Settings names its recipients', () => {
  it('goes to the first admin when SHOP_ADMIN_EMAILS is not set, and Settings → E-mails says so', async () => {
    const { app, db } = makeApp({ clock: makeClock(new Date()) });
    buildProduct(db, { sku: 'SOCK-1' });
    const first = await buildUser(db, 'admin', { email: 'first.admin@socks.example' });
    await buildUser(db, 'admin', { email: 'second.admin@socks.example' });
    await buildUser(db, 'operator');
    await createOrderByApi(app);
    expect(
      outbox(db)
        .filter((r) => r.template === 'new_order_notice')
        .map((r) => r.toAddress),
    ).toEqual(['first.admin@socks.example']);
    const { agent } = await loginAs(app, first.email);
    const page = (await agent.get('/settings/emails')).text;
    expect(page).toContain('Empty: the first admin&#39;s e-mail (first.admin@socks.example), as SHOP_ADMIN_EMAILS is not set.');
  });

  it('SHOP_ADMIN_EMAILS comes before the first admin, and the page names them', async () => {
    const { app, db } = shop();
    buildProduct(db, { sku: 'SOCK-1' });
    const admin = await buildUser(db, 'admin', { email: 'first.admin@socks.example' });
    await createOrderByApi(app);
    expect(
      outbox(db)
        .filter((r) => r.template === 'new_order_notice')
        .map((r) => r.toAddress),
    ).toEqual(['boss@socks.example', 'lager@socks.example']);
    const { agent } = await loginAs(app, admin.email);
    expect((await agent.get('/settings/emails')).text).toContain('Empty: the addresses of SHOP_ADMIN_EMAILS (boss@socks.example, lager@socks.example).');
  });
});

describe('e-mail when an order ships', () => {
  it('a partial delivery says what is still to come, with tracking links; the rest says it has shipped', async () => {
    const { db, clock } = shop();
    putEmailSettings(db, { ...getEmailSettings(db), trackingUrl: 'https://track.example/?id={parcel}' }, clock(), 'test');
    const a = buildProduct(db, { sku: 'A', name: 'Termos 0,5 l' });
    const b = buildProduct(db, { sku: 'B', name: 'Mössa' });
    const order = buildPackingOrder(db, {
      lines: [
        { sku: a.sku, quantity: 2 },
        { sku: b.sku, quantity: 1 },
      ],
    });
    const lines = listLines(db, order.id);
    writeTransaction(db, (tx) =>
      reportDelivery(tx, order, { parcels: ['PKG/1&A', 'PKG-2'], quantities: new Map([[lines[0]!.id, 2]]) }, { actor: SYSTEM, now: clock() }),
    );
    writeTransaction(db, (tx) => reportDelivery(tx, reload(db, order.code), { parcels: ['PKG-3'] }, { actor: SYSTEM, now: clock() }));
    const shipped = outbox(db).filter((r) => r.template === 'shipped');
    expect(shipped).toHaveLength(2);

    const smtp = await smtpServer();
    await sendDueEmails(db, smtpTransport(smtp.url), FROM, clock);
    const [part, rest] = smtp.received.filter((m) => /shipped/.test(m.subject ?? ''));
    expect(part!.subject).toBe(`Part of your order ${order.code} has shipped`);
    expect(part!.text).toContain('Shipped now:\n2 × Termos 0,5 l (A)');
    expect(part!.text).toContain('Still to come:\n1 × Mössa (B)');
    expect(part!.text).toContain('PKG/1&A  Track it: https://track.example/?id=PKG%2F1%26A');
    expect(part!.html).toContain('<a href="https://track.example/?id=PKG-2">');
    expect(rest!.subject).toBe(`Your order ${order.code} has shipped`);
    expect(rest!.text).not.toContain('Still to come');
    expect(rest!.text).toContain('1 × Mössa (B)');
    expect(rest!.text).toContain('PKG-3');
  });

  it('a parcel booked with a carrier links its own tracking page; one without (or with an address that is not http(s)) the shop’s pattern', async () => {
    const { db, clock } = shop();
    putEmailSettings(db, { ...getEmailSettings(db), trackingUrl: 'https://track.example/?id={parcel}' }, clock(), 'test');
    const order = buildPackingOrder(db, { body: { customer: { ...aCustomer('Nils Nilsson'), language: 'en' } } });
    const carrierPage = 'https://tracking.bring.com/tracking/BRG0000000001?lang=en&type=package';
    bookParcels(
      db,
      order,
      {
        kind: 'bring',
        service: '5800',
        parcels: [
          { parcelId: 'BRG0000000001', trackingUrl: carrierPage },
          { parcelId: 'BRG0000000002', trackingUrl: 'javascript:alert(1)' },
        ],
      },
      clock(),
    );
    expect(reportDrafts(db, [order.code], { actor: SYSTEM, now: clock() }).failed).toEqual([]);

    const smtp = await smtpServer();
    await sendDueEmails(db, smtpTransport(smtp.url), FROM, clock);
    const mail = smtp.received.find((m) => /shipped/.test(m.subject ?? ''))!;
    expect(mail.text).toContain(`BRG0000000001  Track it: ${carrierPage}`);
    expect(mail.text).toContain('BRG0000000002  Track it: https://track.example/?id=BRG0000000002');
    expect(mail.text).not.toContain('javascript');
    // The HTML part links exactly those addresses, the carrier's whole (its `&` included).
    expect(linksOf(String(mail.html))).toEqual([carrierPage, 'https://track.example/?id=BRG0000000002']);
    // An e-mail edited by hand links only what the template links: the same two addresses.
    const composed = composeOrderMail(db, order.id, 'shipped');
    const edited = textToHtml(`${composed.text}\nSee also https://evil.example/x`, { language: 'en', title: composed.subject }, linksOf(composed.html));
    expect(linksOf(edited)).toEqual([carrierPage, 'https://track.example/?id=BRG0000000002']);
  });

  it('without a pattern, only the carrier’s page is given, and an address that would end a link early is encoded whole', () => {
    const { db, clock } = shop();
    const order = buildPackingOrder(db, { body: { customer: { ...aCustomer('Nils Nilsson'), language: 'en' } } });
    bookParcels(
      db,
      order,
      {
        kind: 'shipmondo',
        service: 'GLS_PRIVATE',
        parcels: [
          { parcelId: 'SMD0000000001', trackingUrl: 'https://track.example/find?q=SMD 0001"<b>' },
          { parcelId: 'SMD0000000002', trackingUrl: null },
        ],
      },
      clock(),
    );
    reportDrafts(db, [order.code], { actor: SYSTEM, now: clock() });
    const mail = db.$client.prepare("SELECT text_body AS text, html_body AS html FROM email_outbox WHERE template = 'shipped'").get() as {
      text: string;
      html: string;
    };
    expect(mail.text).toContain('SMD0000000001  Track it: https://track.example/find?q=SMD%200001%22%3Cb%3E');
    expect(mail.text).toMatch(/SMD0000000002\n/);
    expect(linksOf(mail.html)).toEqual(['https://track.example/find?q=SMD%200001%22%3Cb%3E']);
  });

  it('a partial delivery says the rest waits for stock only when it is not in stock', () => {
    const { db, clock } = shop();
    buildProduct(db, { sku: 'A', onHand: 10 });
    buildProduct(db, { sku: 'B', onHand: 10 });
    const partOf = (beforeReport: () => void = () => undefined) => {
      const order = buildPackingOrder(db, {
        lines: [
          { sku: 'A', quantity: 1 },
          { sku: 'B', quantity: 1 },
        ],
      });
      const lines = listLines(db, order.id);
      beforeReport();
      writeTransaction(db, (tx) =>
        reportDelivery(tx, order, { parcels: [`P-${order.code}`], quantities: new Map([[lines[0]!.id, 1]]) }, { actor: SYSTEM, now: clock() }),
      );
      return outbox(db).filter((r) => r.template === 'shipped' && r.orderId === order.id)[0]!.text;
    };
    const inStock = partOf();
    expect(inStock).toContain('The rest follows in a later parcel.');
    expect(inStock).not.toContain('as soon as it is in stock');
    // A stock count finds B's units gone: what the order still waits for is not in stock.
    const waiting = partOf(() => db.$client.prepare("UPDATE products SET on_hand = 0 WHERE sku = 'B'").run());
    expect(waiting).toContain('The rest follows as soon as it is in stock.');
  });

  it('the pack script writes the "being packed" e-mail only when Settings sends it automatically', async () => {
    const { db, clock } = shop();
    const first = buildOrder(db, { paid: true });
    await runPackScript({ db, clock, log: consoleLogger({ silent: true }) }, { trigger: 'manual', dryRun: false, actor: SYSTEM });
    expect(outbox(db).filter((r) => r.template === 'packing')).toEqual([]);
    putEmailSettings(db, { ...getEmailSettings(db), modes: { ...getEmailSettings(db).modes, packing: 'auto' } }, clock(), 'test');
    const second = buildOrder(db, { paid: true });
    await runPackScript({ db, clock, log: consoleLogger({ silent: true }) }, { trigger: 'manual', dryRun: false, actor: SYSTEM });
    const packing = outbox(db).filter((r) => r.template === 'packing');
    expect(packing.map((r) => r.orderId)).toEqual([second.id]);
    expect(packing[0]!.subject).toBe(`Your order ${second.code} is being packed`);
    expect(reload(db, first.code).status).toBe('packing');
  });
});

describe('customer text in e-mails', () => {
  /** Runs of text between tags, outside the e-mail's own links, that a mail client would make a link of. */
  const linkableRuns = (html: string) =>
    html
      .replace(/<a [^>]*>[^<]*<\/a>/g, '')
      .split(/<[^>]*>/)
      .filter((run) => /https?:\/\/|www\.|[\w.+-]@[\w-]+\.|[\w-]\.(?:example|com|se|no|fr|pl)\b/i.test(run.replace(/&#8288;/g, '\u2060')));

  it('an address holding https://evil.example/x and evil@example.com is no link in the shop’s notice nor the confirmation, in either part, and is still there to read', async () => {
    const { app, db, clock } = shop();
    buildProduct(db, { sku: 'SOCK-1', name: 'Ullsockor grå', price: 14900 });
    const res = await api(app)
      .post('/api/v1/orders')
      .send({
        lines: [{ sku: 'SOCK-1', quantity: 2 }],
        customer: {
          name: 'Eve www.evil.example',
          email: 'evil@example.com',
          language: 'sv',
          address: { line1: 'https://evil.example/x', line2: 'evil@example.com', postalCode: '111 22', city: 'evil.example', country: 'SE' },
        },
        paymentMethod: 'card',
        paid: true,
      });
    expect(res.status).toBe(201);
    const smtp = await smtpServer();
    expect(await sendDueEmails(db, smtpTransport(smtp.url), FROM, clock)).toBe(3);
    expect(smtp.received).toHaveLength(3);
    for (const mail of smtp.received) {
      const html = String(mail.html);
      expect(html, mail.subject).not.toMatch(/<a\b/);
      expect(linkableRuns(html), mail.subject).toEqual([]);
      expect(mail.text, mail.subject).not.toMatch(/https?:\/\/evil|evil\.example|evil@example|example\.com/);
      // Shown as typed: the breaks are invisible.
      expect(html.replace(/<[^>]*>/g, '').replace(/&#8288;/g, '')).toContain('https://evil.example/x');
      expect(mail.text!.replace(/\u2060/g, '')).toContain('https://evil.example/x');
    }
    const [confirmation, notice] = smtp.received;
    expect(String(confirmation!.html)).toContain('<html lang="sv">');
    expect(String(confirmation!.html)).toContain(`<title>Order ${json<{ code: string }>(res).code} bekräftad – Nordic Socks</title>`);
    expect(String(notice!.html)).toContain('<html lang="en">');
    expect(notice!.text!.replace(/\u2060/g, '')).toContain('evil@example.com');
  });

  it('the shop’s tracking address stays a link beside a parcel ID and name that look like addresses', () => {
    const { db, clock } = shop();
    putEmailSettings(db, { ...getEmailSettings(db), trackingUrl: 'https://track.example/?id={parcel}' }, clock(), 'test');
    const order = buildPackingOrder(db, { body: { customer: { ...aCustomer('Eve https://evil.example/x'), language: 'en' } } });
    // A shop's own parcel form (an admin's pattern) can take a parcel ID that looks like an address.
    putParcelPatterns(db, ['[a-z]+\\.example'], clock(), 'test');
    writeTransaction(db, (tx) => reportDelivery(tx, order, { parcels: ['evil.example'] }, { actor: SYSTEM, now: clock() }));
    const html = db.$client.prepare("SELECT html_body FROM email_outbox WHERE template = 'shipped'").pluck().get() as string;
    expect([...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1])).toEqual(['https://track.example/?id=evil.example']);
    expect(linkableRuns(html.replace(/<a [^>]*>[^<]*<\/a>/g, ''))).toEqual([]);
  });
});

describe('the status form', () => {
  async function asOperator() {
    const ctx = shop();
    await buildUser(ctx.db, 'operator', { email: 'op@example.com' });
    return { ...ctx, ...(await loginAs(ctx.app, 'op@example.com')) };
  }

  it('offers the e-mail per status: ticked sends, unticked does not, "never" hides it', async () => {
    const { db, agent, submit } = await asOperator();
    const order = buildPackingOrder(db);
    const page = (await agent.get(`/orders/${order.code}`)).text;
    // Cancelled is "offer": offered, not ticked; a move back to Order has no e-mail.
    expect(page).toMatch(/<option value="cancelled" data-mail="offer"/);
    expect(page).toMatch(/<option value="order" data-mail="never"/);
    const statusMails = () => outbox(db).filter((r) => r.template !== 'order_confirmation' && r.template !== 'new_order_notice');
    // Unpack and cancel are confirmed (the order page's confirmation step: confirmed + the status it was shown for).
    const confirmed = { confirmed: 'yes', from: 'packing' };
    expect((await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'order', notifyCustomer: 'on', ...confirmed })).status).toBe(302);
    const other = buildPackingOrder(db);
    expect((await submit(`/orders/${other.code}`, `/orders/${other.code}/status`, { status: 'cancelled', ...confirmed })).status).toBe(302);
    expect(statusMails()).toEqual([]);
    const third = buildPackingOrder(db);
    expect((await submit(`/orders/${third.code}`, `/orders/${third.code}/status`, { status: 'cancelled', notifyCustomer: 'on', ...confirmed })).status).toBe(
      302,
    );
    const cancelled = outbox(db).filter((r) => r.template === 'cancelled');
    expect(cancelled.map((r) => r.orderId)).toEqual([third.id]);
    const shown = (await agent.get(`/orders/${third.code}`)).text;
    expect(shown).toContain(`Your order ${third.code} has been cancelled`);
    expect(shown).toContain('Queued');
  });

  it('edits the e-mail for this one order before sending; a bad edit comes back with the text kept', async () => {
    const { db, agent, submit } = await asOperator();
    const order = buildPackingOrder(db);
    const compose = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { status: 'cancelled', compose: '1' });
    expect(compose.status).toBe(200);
    expect(compose.text).toContain(`Your order ${order.code} has been cancelled`);
    // Nothing changed yet: the compose page only shows the e-mail.
    expect(reload(db, order.code).status).toBe('packing');

    const refused = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, {
      status: 'cancelled',
      notifyCustomer: 'on',
      subject: ' ',
      body: 'We are sorry: the last pair sold out.',
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('We are sorry: the last pair sold out.');
    expect(refused.text).toMatch(/Required\./);
    expect(reload(db, order.code).status).toBe('packing');

    // The edited e-mail goes through the cancel's confirmation step, kept in the form.
    const edited = {
      status: 'cancelled',
      notifyCustomer: 'on',
      subject: 'About your socks',
      body: 'We are sorry: the last pair sold out.\nA new batch comes in May.',
    };
    const ask = await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, edited);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain(`The customer gets your edited e-mail “About your socks” at ${reload(db, order.code).customerEmail}.`);
    expect(ask.text).toContain('<input type="hidden" name="body" value="We are sorry: the last pair sold out.\nA new batch comes in May.">');
    expect(reload(db, order.code).status).toBe('packing');
    expect(outbox(db).filter((r) => r.template === 'cancelled')).toEqual([]);
    expect((await submit(`/orders/${order.code}`, `/orders/${order.code}/status`, { ...edited, confirmed: 'yes', from: 'packing' })).status).toBe(302);
    expect(reload(db, order.code).status).toBe('cancelled');
    const mail = outbox(db).find((r) => r.template === 'cancelled')!;
    expect(mail).toMatchObject({ subject: 'About your socks', text: 'We are sorry: the last pair sold out.\nA new batch comes in May.' });
    const history = (await agent.get(`/orders/${order.code}`)).text;
    expect(history).toContain('E-mail queued: Cancelled to customer');
  });

  it('the API sends the status e-mail when its mode is auto, or when asked unless it is never', async () => {
    const { app, db, clock } = shop();
    const auto = buildPackingOrder(db);
    putEmailSettings(db, { ...getEmailSettings(db), modes: { ...getEmailSettings(db).modes, cancelled: 'auto' } }, clock(), 'test');
    await api(app).post(`/api/v1/orders/${auto.code}/status`).send({ status: 'cancelled' }).expect(200);
    const declined = buildPackingOrder(db);
    await api(app).post(`/api/v1/orders/${declined.code}/status`).send({ status: 'cancelled', notifyCustomer: false }).expect(200);
    putEmailSettings(db, { ...getEmailSettings(db), modes: { ...getEmailSettings(db).modes, cancelled: 'never' } }, clock(), 'test');
    const never = buildPackingOrder(db);
    await api(app).post(`/api/v1/orders/${never.code}/status`).send({ status: 'cancelled', notifyCustomer: true }).expect(200);
    expect(
      outbox(db)
        .filter((r) => r.template === 'cancelled')
        .map((r) => r.orderId),
    ).toEqual([auto.id]);
  });
});

describe('the sender', () => {
  it('without SMTP the e-mail is kept, readable and marked not sent; sent by hand once SMTP is there', async () => {
    const { app, db, clock } = shop();
    await buildUser(db, 'operator', { email: 'op@example.com' });
    buildProduct(db, { sku: 'SOCK-1' });
    const order = await createOrderByApi(app);
    expect(await sendDueEmails(db, null, FROM, clock)).toBe(3);
    expect(outbox(db).map((r) => r.status)).toEqual(['unsent', 'unsent', 'unsent']);
    const { agent, submit } = await loginAs(app, 'op@example.com');
    const page = (await agent.get(`/orders/${order.code}`)).text;
    expect(page).toContain('Not sent: no SMTP configured');
    const id = outbox(db)[0]!.id;
    const one = (await agent.get(`/orders/${order.code}/emails/${id}`)).text;
    expect(one).toContain('Thank you for your order.');
    expect((await submit(`/orders/${order.code}/emails/${id}`, `/orders/${order.code}/emails/${id}/retry`, {})).status).toBe(302);
    const smtp = await smtpServer();
    await sendDueEmails(db, smtpTransport(smtp.url), FROM, clock);
    expect(smtp.received.map((m) => m.subject)).toEqual([`Order ${order.code} confirmed – Nordic Socks`]);
    expect(outbox(db).map((r) => r.status)).toEqual(['sent', 'unsent', 'unsent']);
    expect(json<OrderEmailsJson>(await api(app).get(`/api/v1/orders/${order.code}/emails`)).emails.map((e) => e.status)).toEqual(['sent', 'unsent', 'unsent']);
  });

  it('a mail server that is down: retried with backoff, nothing lost, delivered once it is back', async () => {
    const { db, clock } = shop();
    buildOrder(db);
    const down = smtpTransport(await deadSmtpUrl());
    await sendDueEmails(db, down, FROM, clock);
    expect(outbox(db).map((r) => [r.status, r.attempts])).toEqual([
      ['queued', 1],
      ['queued', 1],
      ['queued', 1],
    ]);
    expect(outbox(db)[0]!.lastError).toMatch(/ECONNREFUSED/);
    const smtp = await smtpServer();
    const up = smtpTransport(smtp.url);
    // Not before its time.
    expect(await sendDueEmails(db, up, FROM, clock)).toBe(0);
    clock.advance(emailBackoffMs(1));
    await sendDueEmails(db, up, FROM, clock);
    expect(smtp.received).toHaveLength(3);
    expect(outbox(db).map((r) => [r.status, r.attempts])).toEqual([
      ['sent', 2],
      ['sent', 2],
      ['sent', 2],
    ]);
  });

  it('451 is tried again; 550 fails at once, shows in Settings and is sent again by hand', async () => {
    const { app, db, clock } = shop();
    await buildUser(db, 'admin', { email: 'admin@socks.example' });
    buildOrder(db);
    const smtp = await smtpServer((n) => (n === 1 ? { code: 451, text: 'Try again later' } : n === 2 ? { code: 550, text: 'No such mailbox' } : null));
    const transport = smtpTransport(smtp.url);
    await sendDueEmails(db, transport, FROM, clock);
    const [first, second, third] = outbox(db);
    expect(first).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringMatching(/^451/) });
    expect(second).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/^550/) });
    expect(third).toMatchObject({ status: 'sent' });

    const { agent, submit } = await loginAs(app, 'admin@socks.example');
    const settings = (await agent.get('/settings/emails')).text;
    expect(settings).toContain('550 No such mailbox');
    expect((await submit('/settings/emails', `/settings/emails/outbox/${second!.id}/retry`, {})).status).toBe(302);
    expect(outbox(db)[1]).toMatchObject({ status: 'queued', attempts: 0, lastError: null });
    clock.advance(emailBackoffMs(1));
    await sendDueEmails(db, transport, FROM, clock);
    expect(outbox(db).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    // A sent e-mail is not sent again.
    expect((await submit('/settings/emails', `/settings/emails/outbox/${second!.id}/retry`, {})).status).toBe(409);
  });

  it('a mail server that never answers times out; the change that wrote the e-mail was never held up', async () => {
    const { app, db, clock } = shop();
    buildProduct(db, { sku: 'SOCK-1' });
    const t0 = performance.now();
    await createOrderByApi(app);
    const requestMs = performance.now() - t0;
    const silent = await silentSmtpServer();
    const transport = smtpTransport(silent.url, { connectionTimeout: 300, greetingTimeout: 300, socketTimeout: 300 });
    await sendDueEmails(db, transport, FROM, clock, 1);
    expect(outbox(db)[0]).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringMatching(/greeting|timeout/i) });
    // The request answered without waiting for any mail server (there was none to wait for).
    expect(requestMs).toBeLessThan(5000);
  });

  it('a restart mid-queue loses nothing: another process sends what the first left, claimed or not', async () => {
    const path = join(tempDir('emails'), 'warehouse.db');
    const clock = makeClock(new Date());
    const first = makeApp({ db: makeDb(path), clock, env: { SHOP_ADMIN_EMAILS: 'boss@socks.example' } });
    buildOrder(first.db);
    buildOrder(first.db);
    // The first process claimed one e-mail and died before it was sent.
    first.db.$client
      .prepare("UPDATE email_outbox SET next_attempt_at = ? WHERE id = (SELECT min(id) FROM email_outbox WHERE status = 'queued')")
      .run(clock().getTime() + 100_000);
    first.db.$client.close();

    const second = makeApp({ db: makeDb(path), clock });
    const smtp = await smtpServer();
    await sendDueEmails(second.db, smtpTransport(smtp.url), FROM, clock);
    expect(smtp.received).toHaveLength(3);
    clock.advance(100_001);
    await sendDueEmails(second.db, smtpTransport(smtp.url), FROM, clock);
    expect(smtp.received).toHaveLength(4);
    expect(outbox(second.db).every((r) => r.status === 'sent')).toBe(true);
    second.db.$client.close();
  });
});

describe('Settings → E-mails', () => {
  async function asAdmin() {
    const ctx = shop();
    await buildUser(ctx.db, 'admin', { email: 'admin@socks.example' });
    return { ...ctx, ...(await loginAs(ctx.app, 'admin@socks.example')) };
  }

  it('finds template errors when saving, not when a customer e-mail is written', async () => {
    const { db, submit } = await asAdmin();
    const url = '/settings/emails/templates/shipped/sv';
    const unknown = await submit(url, url, { subject: 'Skickat {{order_cod}}', body: 'Hej {{customer_name}}' });
    expect(unknown.status).toBe(422);
    expect(unknown.text).toContain('Unknown placeholder {{order_cod}}');
    expect(unknown.text).toContain('Skickat {{order_cod}}');
    const unclosed = await submit(url, url, { subject: 'Skickat', body: 'Hej {{#parcels}}{{parcel_id}}' });
    expect(unclosed.status).toBe(422);
    expect(unclosed.text).toContain('The template cannot be read');
    expect(db.$client.prepare('SELECT count(*) FROM email_templates').pluck().get()).toBe(0);

    const preview = await submit(url, url, {
      subject: 'Skickat: {{order_code}}',
      body: 'Hej {{customer_name}}!\n{{#parcels}}Kolli {{parcel_id}}\n{{/parcels}}',
      action: 'preview',
    });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Kolli 00373500001234567895');
    expect(db.$client.prepare('SELECT count(*) FROM email_templates').pluck().get()).toBe(0);

    expect(
      (await submit(url, url, { subject: 'Skickat: {{order_code}}', body: 'Hej {{customer_name}}!\n{{#parcels}}Kolli {{parcel_id}}\n{{/parcels}}' })).status,
    ).toBe(302);
    const order = buildPackingOrder(db, { body: { customer: { ...aCustomer('Nils'), language: 'sv' } } });
    writeTransaction(db, (tx) => reportDelivery(tx, order, { parcels: ['P-1'] }, { actor: SYSTEM, now: new Date() }));
    expect(outbox(db).find((r) => r.template === 'shipped')).toMatchObject({ subject: `Skickat: ${order.code}`, text: 'Hej Nils!\nKolli P-1\n' });

    expect((await submit(url, url, { action: 'reset' })).status).toBe(302);
    expect(db.$client.prepare('SELECT count(*) FROM email_templates').pluck().get()).toBe(0);
  });

  it('saves modes, recipients and the tracking page; a bad address is shown next to its field and nothing is saved', async () => {
    const { db, agent, submit } = await asAdmin();
    const page = (await agent.get('/settings/emails')).text;
    expect(page).toContain('No SMTP server is configured');
    const modes = {
      order_confirmation: 'auto',
      new_order_notice: 'auto',
      packing: 'offer',
      shipped: 'auto',
      cancelled: 'never',
      return_received: 'never',
      ready_for_pickup: 'never',
      pickup_reminder: 'auto',
    };
    const bad = await submit('/settings/emails', '/settings/emails', {
      ...modes,
      shopRecipients: 'boss@socks.example\nnot-an-address',
      trackingUrl: 'https://track.example/',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('not-an-address is not a valid e-mail address.');
    expect(bad.text).toContain('Put {parcel} where the parcel ID goes');
    expect(bad.text).toContain('boss@socks.example\nnot-an-address');
    expect(getEmailSettings(db).shopRecipients).toBeNull();
    expect(
      (
        await submit('/settings/emails', '/settings/emails', {
          ...modes,
          shopRecipients: 'boss@socks.example; kontor@socks.example',
          trackingUrl: 'https://track.example/?id={parcel}',
        })
      ).status,
    ).toBe(302);
    expect(getEmailSettings(db)).toMatchObject({
      modes,
      shopRecipients: ['boss@socks.example', 'kontor@socks.example'],
      trackingUrl: 'https://track.example/?id={parcel}',
    });
    // A mode a template does not have is refused.
    const offerOnNew = await submit('/settings/emails', '/settings/emails', { ...modes, order_confirmation: 'offer' });
    expect(offerOnNew.status).toBe(422);
  });

  it('a stored value that is no longer valid falls back field by field, keeping the rest', () => {
    const { db } = shop();
    db.$client
      .prepare("INSERT INTO settings (key, value, updated_at) VALUES ('email_settings', json(?), 0)")
      .run(JSON.stringify({ modes: { shipped: 'never', retired_template: 'auto' }, shopRecipients: ['kontor@socks.example'], trackingUrl: 'not a url' }));
    expect(getEmailSettings(db)).toEqual({
      modes: {
        order_confirmation: 'auto',
        new_order_notice: 'auto',
        packing: 'never',
        shipped: 'auto',
        cancelled: 'offer',
        return_received: 'auto',
        ready_for_pickup: 'auto',
        pickup_reminder: 'auto',
      },
      shopRecipients: ['kontor@socks.example'],
      trackingUrl: '',
    });
  });

  it('knows which placeholders each template has', () => {
    expect(templateProblems('cancelled', '{{order_code}}', '{{#parcels}}{{parcel_id}}{{/parcels}}')).toEqual([
      expect.objectContaining({ path: 'body', key: 'validation.template.unknownPlaceholder' }),
    ]);
    expect(templateProblems('shipped', '{{order_code}}', '{{#parcels}}{{parcel_id}} {{order_code}}{{/parcels}}{{^partial}}x{{/partial}}')).toEqual([]);
    expect(templateProblems('shipped', '{{order_code}}', '{{> footer}}')).toEqual([expect.objectContaining({ key: 'validation.template.unsupported' })]);
  });
});
