import type { PackTrigger } from '../../src/pack/progress.js';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { writeTransaction } from '../../src/db/client.js';
import { orders, packRuns } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { buildOrder, buildProduct, buildUser } from '../builders.js';
import { csrfOf, loginAs, makeApp } from '../helpers.js';

/** Intl's no-break spaces (thousands, before a unit) read as plain spaces. */
const plain = (html: string) => html.replace(/[\u00a0\u202f]|&nbsp;/g, ' ');

async function as(language: 'en' | 'sv') {
  const made = makeApp();
  const user = await buildUser(made.db, 'admin', { language });
  const { agent } = await loginAs(made.app, user.email);
  return { ...made, agent };
}

/** A finished run as the scheduler records it: 1,234 orders looked at in 412 ms. */
function recordRun(db: ReturnType<typeof makeApp>['db'], run: { trigger: PackTrigger; dryRun: boolean; startedBy: string }) {
  const startedAt = new Date('2026-11-20T07:00:00Z');
  return writeTransaction(db, (tx) =>
    tx
      .insert(packRuns)
      .values({
        ...run,
        status: 'succeeded',
        startedAt,
        finishedAt: new Date(startedAt.getTime() + 412),
        examined: 1234,
        promoted: 1200,
        held: 34,
        summary: { held: { insufficient_stock: 34 } },
      })
      .returning()
      .get(),
  );
}

describe('numbers and counts on the pages, in the reader’s language', () => {
  it('pack runs: Swedish writes "0,4 s" and "1 234", English "0.4 s" and "1,234"', async () => {
    const sv = await as('sv');
    recordRun(sv.db, { trigger: 'cron', dryRun: false, startedBy: 'pack script' });
    const swedish = plain((await sv.agent.get('/tools/pack-script')).text);
    expect(swedish).toContain('0,4 s');
    expect(swedish).toContain('1 234');
    expect(swedish).toContain('1 200');
    expect(swedish).not.toContain('0.4 s');
    expect(swedish).toContain('Genomgångna');

    const en = await as('en');
    recordRun(en.db, { trigger: 'cron', dryRun: false, startedBy: 'pack script' });
    const english = plain((await en.agent.get('/tools/pack-script')).text);
    expect(english).toContain('0.4 s');
    expect(english).toContain('1,234');
  });

  it('a run page: its duration, its counts, a manual dry run and the pack script named in Swedish', async () => {
    const { db, agent } = await as('sv');
    const dry = recordRun(db, { trigger: 'manual', dryRun: true, startedBy: 'Anna' });
    const scheduled = recordRun(db, { trigger: 'cron', dryRun: false, startedBy: 'pack script' });
    const list = plain((await agent.get('/tools/pack-script')).text);
    expect(list).toContain('Manuell testkörning');
    expect(list).toContain('packskriptet');
    expect(list).not.toMatch(/>pack script</);
    const page = plain((await agent.get(`/tools/pack-script/runs/${dry.id}`)).text);
    expect(page).toContain('Manuell testkörning');
    expect(page).toContain('0,41 s');
    expect(page).toMatch(/id="count-examined">1 234</);
    const other = plain((await agent.get(`/tools/pack-script/runs/${scheduled.id}`)).text);
    expect(other).toContain('packskriptet');
  });

  it('stock figures: "1 234" in Swedish on the product lists', async () => {
    const { db, agent } = await as('sv');
    buildProduct(db, { sku: 'BIG-1', onHand: 1234 });
    const products = plain((await agent.get('/tools/products?q=BIG-1')).text);
    expect(products).toContain('1 234');
    expect(products).not.toContain('>1234<');
  });

  it('the demo data and the pack script are named in Swedish in an order’s history', async () => {
    const { db, agent, clock } = await as('sv');
    seedDemoData(db, { now: clock(), currency: 'SEK' });
    const packing = db.select().from(orders).where(eq(orders.status, 'packing')).get()!;
    const page = (await agent.get(`/orders/${packing.code}`)).text;
    expect(page).toContain('<span class="actor">demodata</span>');
    expect(page).toContain('<span class="actor">packskriptet</span>');
    expect(page).not.toContain('<span class="actor">demo data</span>');
    expect(page).not.toContain('<span class="actor">pack script</span>');
  });

  it('a count of one reads singular: "Done for 1 order." and "Klart för 1 order."', async () => {
    for (const [language, text] of [
      ['en', 'Done for 1 order.'],
      ['sv', 'Klart för 1 order.'],
    ] as const) {
      const { db, agent } = await as(language);
      const order = buildOrder(db);
      const list = await agent.get('/orders');
      await agent
        .post('/orders/bulk')
        .type('form')
        .send({ _csrf: csrfOf(list.text), back: '/orders', action: 'reviewed', codes: order.code });
      const after = (await agent.get('/orders')).text;
      expect(after).toContain(text);
      expect(after).not.toContain('order(s)');
    }
  });

  it('a Swedish import preview of one row reads "1 rad", "1 ny produkt"', async () => {
    const { agent } = await as('sv');
    const csrf = csrfOf((await agent.get('/tools/csv')).text);
    const preview = await agent
      .post('/tools/csv/import')
      .field('_csrf', csrf)
      .attach('file', Buffer.from('sku,name,on_hand\nNEW-1,Kåsa,1234\n', 'utf8'), 'produkter.csv');
    const text = plain(preview.text);
    expect(text).toContain('produkter.csv: 1 rad.');
    expect(text).toContain('1 ny produkt');
    expect(text).toContain('I lager: 1 234');
    expect(text).not.toContain('1 nya produkter');
  });

  it('the pack script settings say how often in plain words, singular for one minute', async () => {
    const { agent } = await as('sv');
    const form = await agent.get('/settings/pack-script');
    expect(form.text).toContain('Minuter mellan körningarna');
    expect(form.text).not.toContain('Var (minut)');
    await agent
      .post('/settings/pack-script')
      .type('form')
      .send({ _csrf: csrfOf(form.text), enabled: 'on', intervalMinutes: '1' });
    expect((await agent.get('/tools/pack-script')).text).toContain('Körs automatiskt varje minut.');
  });
});
