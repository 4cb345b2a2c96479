import { describe, expect, it } from 'vitest';
import { compose, LAYOUTS, layoutTable, readThroughLayout } from '../../src/domain/scan-input.js';
import { compose as xkbCompose, usScannerOn } from '../xkb.js';

// The scan reader's keyboard layouts are written by hand (src/domain/scan-input.ts); the reference
// here is read from Debian's xkb data (test/xkb.ts). Each disagreement is listed, not only the first,
// so that one run shows everything the table gets wrong.

/** The printable ASCII characters a US keyboard types, space included. */
const PRINTABLE = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i));
const GRAPHIC = PRINTABLE.filter((ch) => ch !== ' ');

const show = (text: string) => JSON.stringify(text);

describe.each(LAYOUTS)('the scan reader’s %s layout agrees with xkb', (layout) => {
  it('types, for every character a US scanner sends, the character xkb types, dead where xkb has a dead key', () => {
    const table = layoutTable(layout);
    const xkb = usScannerOn(layout);
    const disagreements: string[] = [];
    for (const ch of GRAPHIC) {
      const mine = table.get(ch);
      const ref = xkb.get(ch)!;
      if (!mine) {
        disagreements.push(`US ${show(ch)}: missing from the table; xkb types ${show(ref.char)}${ref.dead ? ' (dead)' : ''} (${ref.keysym})`);
      } else if (mine.types !== ref.char || mine.dead !== ref.dead) {
        disagreements.push(
          `US ${show(ch)}: the table types ${show(mine.types)}${mine.dead ? ' (dead)' : ''}; xkb types ${show(ref.char)}${ref.dead ? ' (dead)' : ''} (${ref.keysym})`,
        );
      }
    }
    for (const ch of table.keys()) if (!GRAPHIC.includes(ch)) disagreements.push(`the table has ${show(ch)}, which is no printable US character`);
    expect(disagreements).toEqual([]);
  });

  it('reads a space as a space: the table leaves it out, the reader maps it to itself, and xkb types it unchanged', () => {
    expect(usScannerOn(layout).get(' ')).toMatchObject({ char: ' ', dead: false });
    expect(readThroughLayout(' ', layout)).toEqual([' ']);
  });

  it('composes each dead key with the next key as xkb does (Unicode NFC, else the accent and the letter)', () => {
    const xkb = usScannerOn(layout);
    const disagreements: string[] = [];
    for (const [deadUs, dead] of xkb) {
      if (!dead.dead) continue;
      // A space after a dead key types the accent alone (test/xkb.ts), as a dead key at the end does.
      for (const [nextUs, next] of xkb) {
        if (next.dead || nextUs === ' ') continue;
        const mine = compose(dead.char, next.char);
        const ref = xkbCompose(dead.char, next.char);
        if (mine !== ref) disagreements.push(`US ${show(deadUs + nextUs)}: compose gives ${show(mine)}; xkb types ${show(ref)}`);
        // What xkb types for the pair reads back as the pair.
        if (!readThroughLayout(ref, layout).includes(deadUs + nextUs))
          disagreements.push(`US ${show(deadUs + nextUs)}: xkb types ${show(ref)}, which the reader does not read back as the pair`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
