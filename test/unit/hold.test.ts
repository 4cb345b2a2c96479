import { describe, expect, it } from 'vitest';
import { holdReason, type HoldFacts } from '../../src/domain/hold.js';

const order = (over: Partial<HoldFacts> = {}): HoldFacts => ({ waiting: false, paid: false, approved: false, paymentMethod: 'card', ...over });

describe('holdReason', () => {
  it.each([
    ['a paid card order', order({ paid: true }), true, null],
    ['a waiting order', order({ waiting: true, paid: true }), false, 'waiting'],
    ['waiting comes before approval', order({ waiting: true, paymentMethod: 'invoice' }), true, 'waiting'],
    ['unpaid invoice, approval required', order({ paymentMethod: 'invoice' }), true, 'approval'],
    ['unpaid cash on delivery, approval required', order({ paymentMethod: 'cash_on_delivery' }), true, 'approval'],
    ['unpaid invoice, approval not required', order({ paymentMethod: 'invoice' }), false, null],
    ['approved invoice', order({ paymentMethod: 'invoice', approved: true }), true, null],
    ['paid invoice', order({ paymentMethod: 'invoice', paid: true }), true, null],
    // Not paid is the pack rule's concern (an unpaid card order is never promoted), not a hold.
    ['unpaid card order, approval required', order(), true, null],
    ['no payment method, approval required', order({ paymentMethod: null }), true, null],
  ] as const)('%s', (_name, facts, requireApproval, expected) => {
    expect(holdReason(facts, { requireApproval })).toBe(expected);
  });
});
