import { describe, expect, it } from 'vitest';
import { holdLinks, holdMessageKey } from '../../src/orders/hold.js';

describe('a hold refusal worded for its reader', () => {
  it.each([
    ['waiting', 'packer', 'errors.onHold.waitingPacker'],
    ['approval', 'packer', 'errors.onHold.approvalPacker'],
    ['waiting', 'operator', 'errors.onHold.waiting'],
    ['approval', 'operator', 'errors.onHold.approvalOperator'],
    ['waiting', 'admin', 'errors.onHold.waiting'],
    ['approval', 'admin', 'errors.onHold.approval'],
    ['waiting', null, 'errors.onHold.waiting'],
    ['approval', null, 'errors.onHold.approval'],
  ] as const)('%s to %s: %s', (reason, role, key) => {
    expect(holdMessageKey(reason, role)).toBe(key);
  });

  it('links only to pages the reader may open', () => {
    expect(holdLinks('waiting', '1234567894', 'packer')).toEqual([]);
    expect(holdLinks('approval', '1234567894', 'packer')).toEqual([]);
    expect(holdLinks('waiting', '1234567894', 'operator').map((l) => l.href)).toEqual(['/orders/1234567894']);
    expect(holdLinks('approval', '1234567894', 'operator').map((l) => l.href)).toEqual(['/orders/1234567894#approve']);
    expect(holdLinks('approval', '1234567894', 'admin').map((l) => l.href)).toEqual(['/orders/1234567894#approve', '/settings/pack-script']);
  });
});
