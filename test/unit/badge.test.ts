import { describe, expect, it } from 'vitest';
import { badgeStyle, badgeTextColor, contrastRatio } from '../../src/web/badge.js';

describe('a custom badge in a colour the shop chose', () => {
  it('gets the text colour that reads on it, at least 4.5:1 on the default and the usual colours', () => {
    for (const background of ['#ffd84d', '#ffffff', '#1f6feb', '#1a66d9', '#000000', '#2e7d32', '#c62828', '#b45309', '#e4e7eb']) {
      expect(contrastRatio(background, badgeTextColor(background)), background).toBeGreaterThanOrEqual(4.5);
    }
    expect(badgeTextColor('#ffd84d')).toBe('#1f2933');
    expect(badgeTextColor('#102a43')).toBe('#ffffff');
  });

  it('writes only a #rrggbb colour into the style', () => {
    expect(badgeStyle('#ffd84d')).toBe('--badge: #ffd84d; --badge-fg: #1f2933');
    expect(badgeStyle('red; background: url(x)')).toBe('--badge: #5a7490; --badge-fg: #ffffff');
  });
});
