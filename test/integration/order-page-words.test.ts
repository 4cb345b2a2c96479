import { describe, expect, it } from 'vitest';
import { CATALOGS, LANGUAGES, rawMessage } from '../../src/i18n/index.js';
import { ORDER_STATUSES, type OrderStatus } from '../../src/domain/order-status.js';
import { buildCancelledOrder, buildOrder, buildPackingOrder, buildPreorder, buildShippedOrder, buildUser } from '../builders.js';
import { loginAs, makeApp } from '../helpers.js';

/** A catalog key printed as it is (`orders.lineEdit.locked.preorder`): a top-level namespace, then dotted words. */
const RAW_KEY = new RegExp(`\\b(?:${Object.keys(CATALOGS.en).join('|')})(?:\\.[A-Za-z_][A-Za-z0-9_]*)+\\b`, 'g');

/** The page's text without markup, scripts and attributes, so a file name or a route is not taken for a key. */
const textOf = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]*>/g, ' ');

describe('the order page in every language', () => {
  const { app, db } = makeApp();
  const builders: Record<OrderStatus, () => { code: string }> = {
    preorder: () => buildPreorder(db),
    order: () => buildOrder(db),
    packing: () => buildPackingOrder(db),
    shipped: () => buildShippedOrder(db),
    cancelled: () => buildCancelledOrder(db),
  };
  const orders = ORDER_STATUSES.map((status) => ({ status, code: builders[status]().code }));

  for (const lang of LANGUAGES) {
    it(`${lang}: each status's page shows no raw message key`, async () => {
      const user = await buildUser(db, 'admin', { language: lang });
      const { agent } = await loginAs(app, user.email);
      for (const { status, code } of orders) {
        const res = await agent.get(`/orders/${code}`);
        expect(res.status, status).toBe(200);
        expect(textOf(res.text).match(RAW_KEY) ?? [], `${lang} ${status}`).toEqual([]);
        // In the reader's language, not English as a fallback.
        if (status === 'preorder') expect(res.text).toContain(rawMessage('orders.lineEdit.locked.preorder', lang));
      }
    });
  }
});
