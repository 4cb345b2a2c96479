// A badge in a colour the shop chose (custom statuses): its text is dark or white, whichever
// reads better on that colour, so that a light colour does not leave white text unreadable.

const DARK_TEXT = '#1f2933';

/** WCAG relative luminance of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The text colour for a badge of `background`: white unless dark text contrasts more. */
export function badgeTextColor(background: string): string {
  if (!/^#[0-9a-fA-F]{6}$/.test(background)) return '#ffffff';
  return contrastRatio(background, '#ffffff') >= contrastRatio(background, DARK_TEXT) ? '#ffffff' : DARK_TEXT;
}

/** The inline style of a custom badge: its colour and the text colour that reads on it. */
export function badgeStyle(background: string): string {
  const safe = /^#[0-9a-fA-F]{6}$/.test(background) ? background : '#5a7490';
  return `--badge: ${safe}; --badge-fg: ${badgeTextColor(safe)}`;
}
