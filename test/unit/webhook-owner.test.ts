import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.js';
import { makerOf, mayManageWebhook, type WebhookMaker } from '../../src/webhooks/owner.js';

const posToken: Actor = { type: 'api', id: 7, name: 'POS' };
const erpToken: Actor = { type: 'api', id: 8, name: 'ERP' };
const envToken: Actor = { type: 'api', id: null, name: 'API_TOKEN' };
const user7: Actor = { type: 'user', id: 7, name: 'Ada' };
const system: Actor = { type: 'system', id: null, name: 'system' };

describe('mayManageWebhook: the maker or an admin', () => {
  const cases: [string, WebhookMaker | null, Actor, boolean, boolean][] = [
    // what, maker, caller, caller is admin, may manage
    ['its own token', makerOf(posToken), posToken, false, true],
    ['another integration token', makerOf(posToken), erpToken, false, false],
    ['a token renamed since: the id decides', makerOf(posToken), { ...posToken, name: 'POS 2' }, false, true],
    ['a user with the same id as the token', makerOf(posToken), user7, false, false],
    ['an admin token, any maker', makerOf(posToken), erpToken, true, true],
    ['API_TOKEN, its own', makerOf(envToken), envToken, false, true],
    ["a stored token on API_TOKEN's endpoint", makerOf(envToken), posToken, false, false],
    ["API_TOKEN on a stored token's endpoint", makerOf(posToken), envToken, false, false],
    ['no maker recorded, integration token', null, posToken, false, false],
    ['no maker recorded, API_TOKEN', null, envToken, false, false],
    ['no maker recorded, admin', null, posToken, true, true],
    ['a user on their own', makerOf(user7), user7, false, true],
    ["an admin user on a token's", makerOf(posToken), user7, true, true],
  ];
  it.each(cases)('%s', (_what, maker, actor, admin, expected) => {
    expect(mayManageWebhook(maker, { actor, admin })).toBe(expected);
  });

  it('records tokens and users as makers, nobody else', () => {
    expect(makerOf(posToken)).toEqual({ type: 'api', id: 7, name: 'POS' });
    expect(makerOf(user7)).toEqual({ type: 'user', id: 7, name: 'Ada' });
    expect(makerOf(system)).toBeNull();
    expect(makerOf(null)).toBeNull();
  });
});
