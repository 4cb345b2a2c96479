import type { Page } from 'playwright-core';
import { compose, usScannerOn, type LayoutId } from '../xkb.js';

/**
 * A keyboard-wedge scanner, typing through Chrome DevTools Protocol `Input.dispatchKeyEvent`: the
 * scanner is set to the US layout and presses, for each character, the key a US keyboard uses; the
 * page receives what the computer's layout (`layout`) makes of that key (test/xkb.ts, read from xkb).
 */

export interface ScanOptions {
  /** What the scanner sends after the code; default 'Enter'. */
  suffix?: 'Enter' | 'Tab' | 'Tab Enter' | 'none';
  /** The computer's layout; the scanner itself is set to US. Default 'us'. */
  layout?: LayoutId;
  /** Pause between two keys, in ms (0: back to back); default 2. Scanners send a key every 1–3 ms. */
  msPerKey?: number;
}

/** The fields of CDP's Input.dispatchKeyEvent this sends (playwright-core does not export its Protocol types). */
interface KeyEvent {
  type: 'keyDown' | 'keyUp' | 'rawKeyDown' | 'char';
  /** Alt=1, Ctrl=2, Meta=4, Shift=8. */
  modifiers?: number;
  text?: string;
  unmodifiedText?: string;
  code?: string;
  key?: string;
  windowsVirtualKeyCode?: number;
  nativeVirtualKeyCode?: number;
}

const SHIFT = 8;
const CTRL = 2;
const GS = '\x1D';

const ENTER: KeyEvent[] = [
  { type: 'keyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13, text: '\r', unmodifiedText: '\r' },
  { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13 },
];
const TAB: KeyEvent[] = [
  { type: 'rawKeyDown', key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9, nativeVirtualKeyCode: 9 },
  { type: 'keyUp', key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9, nativeVirtualKeyCode: 9 },
];
const SUFFIXES: Record<NonNullable<ScanOptions['suffix']>, KeyEvent[][]> = { Enter: [ENTER], Tab: [TAB], 'Tab Enter': [TAB, ENTER], none: [] };

/**
 * The key strokes (each a keyDown and its keyUp) a US scanner sends for `text` on a computer with
 * `layout`, followed by the suffix.
 *
 * - A printable ASCII character: the key and shift a US keyboard uses, with the key, text and
 *   virtual-key code that layout gives it.
 * - GS (\x1D): Ctrl+] (the key with DOM code 'BracketRight', Ctrl held, no text), as many scanners send it.
 * - A dead key (e.g. `]` on Swedish, ¨): a keyDown with key 'Dead' and no text; the next
 *   character's keyDown carries compose(dead, next) as its text ('ë', or '¨1' where nothing
 *   composes) and, when that is one character, as its key (as browsers report the composed key).
 *   A dead key with no character after it (before GS, the suffix or the end) types its spacing form
 *   on its own (a `char` event), as for any key it does not compose with.
 */
export function scanStrokes(text: string, options: Pick<ScanOptions, 'suffix' | 'layout'> = {}): KeyEvent[][] {
  const keys = usScannerOn(options.layout ?? 'us');
  const strokes: KeyEvent[][] = [];
  let dead: string | undefined;
  const flushDead = () => {
    if (dead !== undefined) strokes.push([{ type: 'char', text: dead, unmodifiedText: dead }]);
    dead = undefined;
  };
  for (const ch of text) {
    if (ch === GS) {
      flushDead();
      const k = keys.get(']')!;
      const base = { key: k.key, code: k.code, windowsVirtualKeyCode: k.windowsVirtualKeyCode, nativeVirtualKeyCode: k.windowsVirtualKeyCode, modifiers: CTRL };
      strokes.push([
        { type: 'rawKeyDown', ...base },
        { type: 'keyUp', ...base },
      ]);
      continue;
    }
    const k = keys.get(ch);
    if (!k) throw new Error(`scanKeys: ${JSON.stringify(ch)} is not printable ASCII or GS; a scanner set to US cannot type it`);
    const base = {
      code: k.code,
      windowsVirtualKeyCode: k.windowsVirtualKeyCode,
      nativeVirtualKeyCode: k.windowsVirtualKeyCode,
      modifiers: k.shift ? SHIFT : 0,
    };
    if (k.dead) {
      // Two dead keys in a row: the first is typed as itself.
      flushDead();
      strokes.push([
        { type: 'rawKeyDown', key: 'Dead', ...base },
        { type: 'keyUp', key: 'Dead', ...base },
      ]);
      dead = k.char;
      continue;
    }
    if (!k.char) throw new Error(`scanKeys: the ${options.layout} layout types nothing for ${JSON.stringify(ch)} (${k.code})`);
    const typed = dead === undefined ? k.char : compose(dead, k.char);
    dead = undefined;
    strokes.push([
      { type: 'keyDown', key: [...typed].length === 1 ? typed : k.key, text: typed, unmodifiedText: typed, ...base },
      { type: 'keyUp', key: k.key, ...base },
    ]);
  }
  flushDead();
  strokes.push(...SUFFIXES[options.suffix ?? 'Enter']);
  return strokes;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Types `text` as a US scanner would on a computer with `layout`, at scanner speed (see
 * scanStrokes for what each character sends). The events are sent without waiting for each to be
 * delivered (awaiting each CDP event on a loaded machine takes 12–40 ms a key, RECIPES.md), paced by
 * a timer at `msPerKey` a key; CDP keeps their order. Resolves when every event has been
 * delivered.
 */
export async function scanKeys(page: Page, text: string, options: ScanOptions = {}): Promise<void> {
  const strokes = scanStrokes(text, options);
  const msPerKey = options.msPerKey ?? 2;
  const session = await page.context().newCDPSession(page);
  try {
    const sent: Promise<unknown>[] = [];
    // Each key is due msPerKey after the one before, counted from the first: a timer that fires
    // late (a loaded machine) is made up by sending the next keys sooner, so the pace holds on average.
    const start = performance.now();
    for (const [i, stroke] of strokes.entries()) {
      const wait = start + i * msPerKey - performance.now();
      if (wait >= 1) await sleep(wait);
      for (const event of stroke) {
        const delivery = session.send('Input.dispatchKeyEvent', event);
        // Awaited together below; until then a refusal must not count as unhandled.
        delivery.catch(() => undefined);
        sent.push(delivery);
      }
    }
    await Promise.all(sent);
  } finally {
    await session.detach().catch(() => undefined);
  }
}
