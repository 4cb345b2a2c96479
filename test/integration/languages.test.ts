import { createServer } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { sendDueEmails, smtpTransport } from '../../src/email/sender.js';
import { LANGUAGE_NAMES, LANGUAGES } from '../../src/i18n/index.js';
import { printParcelLabel, savePrinter } from '../../src/printers/service.js';
import { aCustomer, buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { api, csrfOf, loginAs, makeApp, makeClock } from '../helpers.js';
import { binary, bytesOf, pdfText } from '../pdf.js';
import { smtpServer } from '../smtp.js';

/** A shop with a name (the e-mails sign with it) and a few products. */
function shop(env: Record<string, string> = {}) {
  const ctx = makeApp({ clock: makeClock(new Date()), env });
  ctx.db.$client.prepare('INSERT INTO settings (key, value, updated_at) VALUES (\'documents_seller\', json(\'{"name":"Fjellsport AS"}\'), 0)').run();
  buildProduct(ctx.db, { sku: 'TELT-2', name: 'Telt for to', price: 199900, onHand: 20, location: 'A-01-1' });
  buildProduct(ctx.db, { sku: 'KOPP', name: 'Emaljekopp', price: 14900, onHand: 20, location: 'B-02-3' });
  return ctx;
}

const kari = () => ({
  ...aCustomer('Kari Nordmann'),
  language: 'nb' as const,
  address: { line1: 'Storgata 1', postalCode: '0155', city: 'Oslo', country: 'NO' },
});

function userLanguage(db: ReturnType<typeof shop>['db'], email: string): string {
  return db.$client.prepare('SELECT language FROM users WHERE email = ?').pluck().get(email.toLowerCase()) as string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A label printer on loopback (port 9100's raw TCP): what each connection sent, as text. */
async function labelPrinter() {
  const jobs: string[] = [];
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      jobs.push(Buffer.concat(chunks).toString('utf8'));
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as { port: number }).port, jobs };
}

/** A PDF the web app serves to a logged-in agent, as its text. */
async function webPdf(agent: ReturnType<typeof request.agent>, url: string): Promise<string> {
  const res = await agent.get(url).buffer(true).parse(binary);
  expect(res.status, url).toBe(200);
  return pdfText(bytesOf(res));
}

describe('Norsk bokmål for the staff', () => {
  it('is offered wherever a language is chosen, and a user set to it works in Norwegian', async () => {
    const { app, db } = shop();
    const admin = await buildUser(db, 'admin');
    const { agent, submit } = await loginAs(app, admin.email);

    const usersPage = (await agent.get('/settings/users')).text;
    for (const lang of LANGUAGES) expect(usersPage).toMatch(new RegExp(`<option value="${lang}"[^>]*>${LANGUAGE_NAMES[lang]}</option>`));
    expect(usersPage).toContain('Norsk bokmål');
    const created = await submit('/settings/users', '/settings/users', {
      name: 'Ola Pakker',
      email: 'ola@lager.example',
      role: 'operator',
      language: 'nb',
      password: 'ti tegn eller mer',
    });
    expect(created.status).toBe(302);
    expect(userLanguage(db, 'ola@lager.example')).toBe('nb');

    buildPackingOrder(db, { lines: [{ sku: 'KOPP', quantity: 2 }], body: { customer: kari() } });
    const ola = await loginAs(app, 'ola@lager.example', 'ti tegn eller mer');
    const orders = (await ola.agent.get('/orders')).text;
    expect(orders).toContain('<html lang="nb">');
    expect(orders).toContain('Ordrer');
    expect(orders).toContain('Pakking');
    expect(orders).toContain('Logg ut');
    expect(orders).not.toContain('Log out');

    const outbound = (await ola.agent.get('/outbound')).text;
    expect(outbound).toContain('Utlevering');
    expect(outbound).toContain('Plukkliste');
    expect(outbound).toContain('Pakkseddel');
    expect(outbound).toContain('Samleplukkliste');

    const missing = await ola.agent.get('/orders/0000-0000-0');
    expect(missing.text).toContain('<html lang="nb">');
    expect(missing.text).not.toContain('Something went wrong');
  });

  it('My account switches a user to Norwegian', async () => {
    const { app, db } = shop();
    const op = await buildUser(db, 'operator');
    const { agent, submit } = await loginAs(app, op.email);
    expect((await agent.get('/account')).text).toContain(`<option value="nb" >Norsk bokmål</option>`);
    expect((await submit('/account', '/account', { name: op.name, language: 'nb' })).status).toBe(302);
    const page = (await agent.get('/account')).text;
    expect(page).toContain('<html lang="nb">');
    expect(page).toContain('Min konto');
    expect(page).toContain('Bytt passord');
  });
});

describe('the browser chooses before login', () => {
  it.each(['nb-NO,nb;q=0.9,en;q=0.5', 'no', 'nn-NO', 'de-DE, nb;q=0.8, en;q=0.7'])('Accept-Language %j gives the Norwegian login page', async (header) => {
    const { app } = shop();
    const page = await request(app).get('/login').set('Accept-Language', header);
    expect(page.text).toContain('<html lang="nb">');
    expect(page.text).toContain('Logg inn');
    expect(page.text).toContain('Passord');
  });

  it('a refused login answers in Norwegian too; a language the shop lacks falls back to DEFAULT_LANGUAGE', async () => {
    const { app } = shop();
    const agent = request.agent(app);
    const form = await agent.get('/login').set('Accept-Language', 'nb');
    const refused = await agent
      .post('/login')
      .set('Accept-Language', 'nb')
      .type('form')
      .send({ _csrf: csrfOf(form.text), email: 'nobody@lager.example', password: 'feil passord' });
    expect(refused.text).toContain('Feil e-post eller passord.');
    expect((await request(app).get('/login').set('Accept-Language', 'da-DK')).text).toContain('<html lang="en">');
    const norwegianShop = shop({ DEFAULT_LANGUAGE: 'nb' });
    expect((await request(norwegianShop.app).get('/login')).text).toContain('Logg inn');
  });
});

describe("a customer's language", () => {
  it('prints the packing slip and the invoice in Norwegian for a Norwegian customer, the pick slip in the packer’s language', async () => {
    const { app, db } = shop();
    const norwegian = buildPackingOrder(db, {
      lines: [
        { sku: 'TELT-2', quantity: 1 },
        { sku: 'KOPP', quantity: 2 },
      ],
      body: { paymentMethod: 'invoice', customer: kari() },
    });
    const english = buildPackingOrder(db, { lines: [{ sku: 'KOPP', quantity: 1 }], body: { customer: aCustomer('Jane Smith') } });
    const packer = await buildUser(db, 'packer');
    const { agent } = await loginAs(app, packer.email);

    // One PDF for two orders: each packing slip speaks its own customer's language.
    const slips = await webPdf(agent, `/outbound/documents/packing-slip.pdf?orders=${norwegian.code},${english.code}`);
    const [first, second] = slips.split('\f');
    expect(first).toContain('Pakkseddel');
    expect(first).toContain('Leveringsadresse');
    expect(first).toContain('Sendt før');
    expect(first).toMatch(/Side 1 av 1/);
    expect(first).not.toContain('Packing slip');
    expect(second).toContain('Packing slip');
    expect(second).not.toContain('Pakkseddel');

    // A POST takes the invoice's number (the order page's button); its GET address shows it.
    const page = await agent.get(`/orders/${norwegian.code}`);
    await agent
      .post(`/outbound/orders/${norwegian.code}/invoice`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) })
      .expect(303);
    const invoice = await webPdf(agent, `/outbound/orders/${norwegian.code}/invoice.pdf`);
    expect(invoice).toContain('Faktura');
    expect(invoice).toContain('Forfallsdato');
    expect(invoice).toContain('KID');
    expect(invoice).toContain('Betalingsbetingelser: 30 dager netto');
    expect(invoice).toContain('Sum eks. MVA');
    expect(invoice).not.toContain('Due date');

    // The pick slip is the packer's (English here).
    const pick = await webPdf(agent, `/outbound/orders/${norwegian.code}/pick-slip.pdf`);
    expect(pick).toContain('Pick slip');
    expect(pick).not.toContain('Plukkliste');

    // The API follows the customer too, unless ?lang= names one language for the document.
    const byApi = async (url: string) => pdfText(bytesOf(await api(app).get(url).buffer(true).parse(binary)));
    expect(await byApi(`/api/v1/orders/${norwegian.code}/documents/packing-slip.pdf`)).toContain('Pakkseddel');
    expect(await byApi(`/api/v1/orders/${norwegian.code}/documents/packing-slip.pdf?lang=en`)).toContain('Packing slip');
    expect(await byApi(`/api/v1/orders/${english.code}/documents/packing-slip.pdf?lang=nb`)).toContain('Pakkseddel');
  });

  it('prints the shipping label in Norwegian, as a PDF and on a ZPL printer', async () => {
    const { app, db, clock } = shop();
    const order = buildPackingOrder(db, { lines: [{ sku: 'KOPP', quantity: 1 }], body: { customer: kari() } });
    expect((await api(app).post(`/api/v1/orders/${order.code}/parcels`).send({ parcelId: 'JJD000111222333' })).status).toBe(201);
    const pdf = await pdfText(
      bytesOf(await api(app).get(`/api/v1/orders/${order.code}/documents/label.pdf?parcel=JJD000111222333`).buffer(true).parse(binary)),
    );
    expect(pdf).toContain('Kolli 1 av 1');
    expect(pdf).toContain('Fra');

    const printer = await labelPrinter();
    const zebra = savePrinter(db, null, { name: 'Zebra', host: '127.0.0.1', port: printer.port, dpi: 203 }, clock());
    await printParcelLabel(
      { db, clock, timeoutMs: 5000, lang: 'en' },
      { code: order.code, parcelId: 'JJD000111222333', actor: { type: 'system', id: null, name: 'test' }, printerId: zebra.id },
    );
    expect(printer.jobs).toHaveLength(1);
    expect(printer.jobs[0]).toContain('Kolli 1 av 1');
    expect(printer.jobs[0]).not.toContain('Parcel 1 of 1');
  });

  it('writes the e-mails to a Norwegian customer in Norwegian, and a real SMTP server receives them', async () => {
    const { app, db, clock } = shop();
    const created = await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'KOPP', quantity: 2 }], customer: kari(), paymentMethod: 'card', paid: true });
    expect(created.status).toBe(201);
    const code = (created.body as { code: string }).code;
    const rows = db.$client.prepare("SELECT template, language FROM email_outbox WHERE template = 'order_confirmation'").all();
    expect(rows).toEqual([{ template: 'order_confirmation', language: 'nb' }]);

    const smtp = await smtpServer();
    await sendDueEmails(db, smtpTransport(smtp.url), 'Fjellsport <ordre@fjellsport.example>', clock);
    const confirmation = smtp.received.find((m) => m.to && 'text' in m.to && m.to.text.startsWith('customer'));
    expect(confirmation!.subject).toBe(`Ordre ${code} er bekreftet – Fjellsport AS`);
    expect(confirmation!.text).toContain('Hei Kari Nordmann,');
    expect(confirmation!.text).toContain('Takk for bestillingen.');
    expect(confirmation!.text).toContain('2 × Emaljekopp (KOPP)');
    expect(confirmation!.text).toContain('Leveringsadresse:');
    expect(confirmation!.text).toContain('Vennlig hilsen');
  });

  it('the manual order form and Settings → E-mails offer Norwegian; its built-in texts are Norwegian', async () => {
    const { app, db } = shop();
    const admin = await buildUser(db, 'admin');
    const { agent } = await loginAs(app, admin.email);
    expect((await agent.get('/orders/new')).text).toMatch(/<option value="nb"\s*>Norsk bokmål<\/option>/);
    const emails = (await agent.get('/settings/emails')).text;
    expect(emails).toContain('href="/settings/emails/templates/order_confirmation/nb"');
    expect(emails).toContain('href="/settings/emails/templates/shipped/nb"');
    const template = (await agent.get('/settings/emails/templates/shipped/nb')).text;
    expect(template).toContain('Ordren din {{order_code}} er sendt');
    expect(template).toContain('Kommer senere:');
  });
});
