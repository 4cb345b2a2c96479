import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { en } from '../../src/i18n/en.js';
import { fr } from '../../src/i18n/fr.js';
import { putSeller, DEFAULT_SELLER } from '../../src/documents/settings.js';
import { sendDueEmails, smtpTransport } from '../../src/email/sender.js';
import { aCustomer, buildPackingOrder, buildProduct, buildUser } from '../builders.js';
import { api, csrfOf, loginAs, makeApp, makeClock } from '../helpers.js';
import { binary, bytesOf, pdfText } from '../pdf.js';
import { smtpServer } from '../smtp.js';

/** Every text of a catalog by its dotted key. */
function flat(catalog: object, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const [key, value] of Object.entries(catalog)) {
    if (typeof value === 'string') out[prefix + key] = value;
    else flat(value as object, `${prefix}${key}.`, out);
  }
  return out;
}

/** What a text hands over to code: {{placeholders}}, mustache sections, $t(nested keys), {parcel}, <token>. */
const slots = (text: string) => (text.match(/\{\{[^}]*\}\}|\$t\([^)]*\)|\{parcel\}|<token>/g) ?? []).sort();

/** A space in a French number or amount: an ordinary, no-break or narrow no-break space. */
const sp = '[\\s\\u00a0\\u202f]';

/** A shop in Kiruna with a customer in Lyon whose language is French, and an own-invoice order packing. */
function frenchShop() {
  const clock = makeClock(new Date('2026-11-20T10:00:00Z'));
  const ctx = makeApp({ clock, env: { SHOP_ADMIN_EMAILS: 'lager@socks.example' } });
  putSeller(ctx.db, { ...DEFAULT_SELLER, name: 'Fjällbutiken AB', address: 'Lagervägen 3\n981 31 Kiruna', firstInvoiceNumber: 7001 }, clock(), 'test');
  buildProduct(ctx.db, { sku: 'BATON-01', name: 'Bâtons de randonnée « Crête »', location: 'E-01-2', price: 59_900, onHand: 10 });
  const order = buildPackingOrder(ctx.db, {
    lines: [{ sku: 'BATON-01', quantity: 2 }],
    body: {
      paymentMethod: 'invoice',
      customer: {
        ...aCustomer('Zoë Lefèvre'),
        address: { line1: '12 rue de la République', postalCode: '69002', city: 'Lyon', country: 'FR' },
        language: 'fr',
      },
    },
  });
  return { ...ctx, clock, order };
}

describe('French (fr)', () => {
  it('has every English key, with the same placeholders, mustache sections and nested keys', () => {
    const english = flat(en);
    const french = flat(fr);
    expect(Object.keys(french).sort()).toEqual(Object.keys(english).sort());
    const differing = Object.keys(english).filter((key) => slots(english[key]!).join(' ') !== slots(french[key]!).join(' '));
    expect(differing).toEqual([]);
  });

  it('an invoice for a French customer is in French with its accents, even when an English-speaking operator prints it', async () => {
    const { app, db, order } = frenchShop();
    const operator = await buildUser(db, 'operator');
    const { agent } = await loginAs(app, operator.email);
    // The order page's invoice button: a POST takes the number, then the PDF opens at its GET address.
    const page = await agent.get(`/orders/${order.code}`);
    await agent
      .post(`/outbound/orders/${order.code}/invoice`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) })
      .expect(303);
    const res = await agent.get(`/outbound/orders/${order.code}/invoice.pdf`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    const text = await pdfText(bytesOf(res));
    expect(text).toContain('Facture');
    expect(text).toMatch(/Numéro de facture\s+7001/);
    expect(text).toContain('Date d’échéance');
    expect(text).toMatch(new RegExp(`Conditions de paiement${sp}?:${sp}30 jours net`));
    // A label the code puts a colon after follows French typography too: a space before the colon.
    expect(text).toMatch(new RegExp(`Règlement à${sp}:`));
    expect(text).toContain('Zoë Lefèvre');
    expect(text).toContain('12 rue de la République');
    expect(text).toContain('Fjällbutiken AB');
    expect(text).toContain('Bâtons de randonnée « Crête »');
    expect(text).toMatch(new RegExp(`Total HT${sp}+958,40${sp}SEK`));
    expect(text).toMatch(new RegExp(`Total${sp}+1${sp}198,00${sp}SEK`));
    expect(text).not.toMatch(/Invoice|Due date|Amount due/);
  });

  it('a packer who chooses French under My account sees the pages and prints the pick slip in French', async () => {
    const { app, db, order } = frenchShop();
    const packer = await buildUser(db, 'packer');
    const { agent, submit } = await loginAs(app, packer.email);
    const saved = await submit('/account', '/account', { name: packer.name, language: 'fr' });
    expect(saved.status).toBe(302);
    const orders = await agent.get('/outbound');
    expect(orders.text).toContain('<html lang="fr"');
    expect(orders.text).toContain('Bon de préparation');
    const slip = await pdfText(bytesOf(await agent.get(`/outbound/orders/${order.code}/pick-slip.pdf`).buffer(true).parse(binary)));
    expect(slip).toContain(`Bon de préparation`);
    expect(slip).toMatch(/Emplacement\s+Réf\.\s+Code-barres\s+Produit\s+Qté/);
    expect(slip).toMatch(/E-01-2\s+BATON-01\s+Bâtons de randonnée « Crête »\s+2/);
    expect(slip).toMatch(new RegExp(`1 ligne, 2 unités à prélever`));
    expect(slip).toContain('Zoë Lefèvre');
  });

  it('sends the French customer the French e-mail, accents intact, and chooses French before login from the browser', async () => {
    const { app, db, clock } = frenchShop();
    const res = await api(app)
      .post('/api/v1/orders')
      .send({ lines: [{ sku: 'BATON-01', quantity: 1 }], customer: { ...aCustomer('Zoë Lefèvre'), language: 'fr' }, paymentMethod: 'card', paid: true });
    expect(res.status).toBe(201);
    const code = (res.body as { code: string }).code;
    const smtp = await smtpServer();
    await sendDueEmails(db, smtpTransport(smtp.url), 'Fjällbutiken <order@fjall.example>', clock);
    const mail = smtp.received.find((m) => m.subject?.includes(code) && /confirmée/.test(m.subject));
    expect(mail?.subject).toBe(`Commande ${code} confirmée – Fjällbutiken AB`);
    expect(mail?.text).toContain('Bonjour Zoë Lefèvre,');
    expect(mail?.text).toContain('Merci pour votre commande. Nous l’avons bien reçue');
    expect(mail?.text).toMatch(new RegExp(`1 × Bâtons de randonnée « Crête » \\(BATON-01\\)${sp}+599,00${sp}SEK`));
    expect(mail?.text).toContain('Cordialement,');

    const login = await request(app).get('/login').set('Accept-Language', 'fr-CH, fr;q=0.9, en;q=0.5');
    expect(login.text).toContain('<html lang="fr"');
    expect(login.text).toContain('Mot de passe');
    expect(login.text).toContain('Se connecter');
  });
});
