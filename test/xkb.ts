import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * A reference of keyboard layouts read from xkb, not written by hand: what a computer with a given
 * layout types when a keyboard-wedge scanner set to the US layout "presses the keys" for a text.
 *
 * - The keymaps come from `xkbcli compile-keymap` (Debian package libxkbcommon-tools) over Debian's
 *   xkb-data (/usr/share/X11/xkb): the same resolved keymap a Linux desktop with that layout has.
 * - Keysym names become characters through X.org's keysym table, /usr/include/X11/keysymdef.h
 *   (Debian package x11proto-dev), whose comments give each keysym's Unicode character.
 * Both packages are in scripts/test.sh's SYSTEM_PACKAGES.
 *
 * The scanner presses the key and shift level a US keyboard uses for each character (its level 1
 * or 2, never AltGr); the computer reads that physical key and level with its own layout.
 */

export type LayoutId = 'us' | 'fr' | 'de' | 'se' | 'no' | 'dk';

/** What a computer with `layout` types when a US-layout scanner presses the keys for `ch` (one printable ASCII character, 0x20–0x7E). */
export interface KeyPress {
  /** DOM KeyboardEvent.code of the physical key, e.g. 'Digit1', 'KeyQ', 'BracketRight', 'Backslash'. */
  code: string;
  shift: boolean;
  /** xkb keysym name the layout gives for that key and shift level, e.g. 'ampersand', 'dead_diaeresis'. */
  keysym: string;
  /** The character it produces ('' for none); for a dead key, its spacing form (¨ ´ ` ^ ~). */
  char: string;
  dead: boolean;
  /** DOM KeyboardEvent.key as a browser on that layout reports it: the char, or 'Dead' for a dead key. */
  key: string;
  windowsVirtualKeyCode: number;
}

/** The xkb layout (rules evdev, model pc105, no variant, no options) behind each id. */
const XKB_LAYOUT: Record<LayoutId, string> = { us: 'us', fr: 'fr', de: 'de', se: 'se', no: 'no', dk: 'dk' };

/**
 * The keys of the main block that can type a printable character: xkb key name (evdev keycodes)
 * → DOM code of the same physical key. This is the fixed physical-position table of the UI Events
 * spec, not a layout. <BKSL> is the ANSI `\` key and on ISO keyboards the key left of Enter (xkb
 * aliases <AC12> to it); both are DOM 'Backslash'. <LSGT>, the ISO key beside left Shift
 * ('IntlBackslash'), is left out: a US keyboard's characters are all elsewhere.
 */
const KEY_CODES: ReadonlyMap<string, string> = new Map([
  ['TLDE', 'Backquote'],
  ...['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'].map((d, i) => [`AE${String(i + 1).padStart(2, '0')}`, `Digit${d}`] as [string, string]),
  ['AE11', 'Minus'],
  ['AE12', 'Equal'],
  ...[...'QWERTYUIOP'].map((c, i) => [`AD${String(i + 1).padStart(2, '0')}`, `Key${c}`] as [string, string]),
  ['AD11', 'BracketLeft'],
  ['AD12', 'BracketRight'],
  ['BKSL', 'Backslash'],
  ...[...'ASDFGHJKL'].map((c, i) => [`AC${String(i + 1).padStart(2, '0')}`, `Key${c}`] as [string, string]),
  ['AC10', 'Semicolon'],
  ['AC11', 'Quote'],
  ...[...'ZXCVBNM'].map((c, i) => [`AB${String(i + 1).padStart(2, '0')}`, `Key${c}`] as [string, string]),
  ['AB08', 'Comma'],
  ['AB09', 'Period'],
  ['AB10', 'Slash'],
  ['SPCE', 'Space'],
]);

/** Windows virtual-key codes of the US keyboard, by DOM code (letters and digits are their ASCII upper case). */
const US_VK: Readonly<Record<string, number>> = {
  Space: 32,
  Semicolon: 186,
  Equal: 187,
  Comma: 188,
  Minus: 189,
  Period: 190,
  Slash: 191,
  Backquote: 192,
  BracketLeft: 219,
  Backslash: 220,
  BracketRight: 221,
  Quote: 222,
};
/** Keys Windows names by the character on them on every layout (VK_OEM_PLUS, _COMMA, _MINUS, _PERIOD). */
const VK_BY_CHAR: Readonly<Record<string, number>> = { '+': 187, ',': 188, '-': 189, '.': 190 };

/**
 * Dead keys: the keysym, its spacing form (what Windows types for the dead key alone) and the
 * Unicode combining mark it puts on the next letter.
 */
const DEAD_KEYS: Readonly<Record<string, { spacing: string; mark: string }>> = {
  dead_grave: { spacing: '`', mark: '\u0300' },
  dead_acute: { spacing: '\u00B4', mark: '\u0301' },
  dead_circumflex: { spacing: '^', mark: '\u0302' },
  dead_tilde: { spacing: '~', mark: '\u0303' },
  dead_macron: { spacing: '\u00AF', mark: '\u0304' },
  dead_breve: { spacing: '\u02D8', mark: '\u0306' },
  dead_abovedot: { spacing: '\u02D9', mark: '\u0307' },
  dead_diaeresis: { spacing: '\u00A8', mark: '\u0308' },
  dead_abovering: { spacing: '\u02DA', mark: '\u030A' },
  dead_doubleacute: { spacing: '\u02DD', mark: '\u030B' },
  dead_caron: { spacing: '\u02C7', mark: '\u030C' },
  dead_cedilla: { spacing: '\u00B8', mark: '\u0327' },
  dead_ogonek: { spacing: '\u02DB', mark: '\u0328' },
};
const MARK_OF_SPACING = new Map(Object.values(DEAD_KEYS).map((d) => [d.spacing, d.mark]));

/**
 * What a dead key followed by `next` types. The dead key's combining mark is put after `next` and
 * the pair normalised to NFC: when Unicode has one precomposed character for it, that is the result
 * ('¨' + 'a' → 'ä', '´' + 'e' → 'é'). Otherwise nothing composes and, as Windows does, the dead key's
 * spacing form is typed followed by `next` ('¨' + 'x' → '¨x'); a space after a dead key types the
 * spacing form alone ('¨' + ' ' → '¨'), as on Windows and X11. NFC is used rather than a copy of
 * some system's compose table: it is Unicode's own definition of which letter-plus-accent pairs are
 * one character. It composes a little more than Windows' dead-key tables do (e.g. '¨' + 'x' → 'ẍ',
 * where Windows types '¨x'); the vowels, n, c and y that a scanned text meets compose the same.
 */
export function compose(deadChar: string, next: string): string {
  const mark = MARK_OF_SPACING.get(deadChar);
  if (mark === undefined)
    throw new Error(`compose: ${JSON.stringify(deadChar)} is not the spacing form of a dead key (${[...MARK_OF_SPACING.keys()].join(' ')})`);
  if (next === ' ') return deadChar;
  const composed = (next + mark).normalize('NFC');
  return [...composed].length === 1 ? composed : deadChar + next;
}

// ---- reading xkb ---------------------------------------------------------------------------------

const KEYSYMDEF = '/usr/include/X11/keysymdef.h';

/** The environment of xkbcli without the XKB_DEFAULT_* and XKB_CONFIG_* variables, which would change the keymap read. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('XKB_')) delete env[name];
  return env;
}

/** The resolved keymap of an xkb layout, as `xkbcli compile-keymap` prints it. Throws, naming the package, when xkbcli is missing. */
export function compileKeymap(layout: string, xkbcli = 'xkbcli'): string {
  try {
    return execFileSync(xkbcli, ['compile-keymap', '--rules', 'evdev', '--model', 'pc105', '--layout', layout, '--variant', '', '--options', ''], {
      encoding: 'utf8',
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error(
        `test/xkb.ts: ${xkbcli} not found. Install the Debian package libxkbcommon-tools (apt-get install -y libxkbcommon-tools; scripts/test.sh does).`,
      );
    throw new Error(`test/xkb.ts: ${xkbcli} compile-keymap --layout ${layout} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** One key of a compiled keymap: its type's name (undefined: chosen by xkb from the symbols) and its group 1 keysyms by level. */
interface XkbKey {
  type: string | undefined;
  levels: string[];
}

interface Keymap {
  keys: Map<string, XkbKey>;
  /** The level Shift selects, by explicit type name. */
  shiftLevel: Map<string, number>;
}

/** Reads the types and the symbols of a keymap printed by xkbcli. */
export function parseKeymap(text: string): Keymap {
  const shiftLevel = new Map<string, number>();
  for (const m of text.matchAll(/type\s+"([^"]+)"\s*\{([\s\S]*?)\n\s*\};/g)) {
    const map = /map\[Shift\]\s*=\s*(?:Level)?(\d+)\s*;/.exec(m[2]!);
    shiftLevel.set(m[1]!, map ? Number(map[1]) : 1);
  }
  const symbols = text.slice(text.indexOf('xkb_symbols'));
  if (!symbols.startsWith('xkb_symbols')) throw new Error('test/xkb.ts: the keymap has no xkb_symbols section');
  const keys = new Map<string, XkbKey>();
  for (const m of symbols.matchAll(/key\s+<([A-Z0-9+-]+)>\s*\{([\s\S]*?)\}\s*;/g)) {
    const body = m[2]!;
    const list = /symbols\[Group1\]\s*=\s*\[([^\]]*)\]/.exec(body) ?? (/(?:actions|symbols)\[/.test(body) ? null : /\[([^\]]*)\]/.exec(body));
    if (!list) continue;
    keys.set(m[1]!, { type: /type(?:\[Group1\])?\s*=\s*"([^"]+)"/.exec(body)?.[1], levels: list[1]!.split(',').map((s) => s.trim()) });
  }
  if (!keys.size) throw new Error('test/xkb.ts: no keys read from the keymap');
  return { keys, shiftLevel };
}

/** The keysym at the level Shift (or no modifier) selects on `key`, or undefined. */
function keysymAt(keymap: Keymap, key: XkbKey, shift: boolean): string | undefined {
  // A key without an explicit type gets one chosen by xkb from its symbols (ONE_LEVEL, TWO_LEVEL,
  // ALPHABETIC, FOUR_LEVEL…): in each, Shift selects level 2 when there is one.
  const level = !shift ? 1 : key.type !== undefined ? (keymap.shiftLevel.get(key.type) ?? 1) : key.levels.length >= 2 ? 2 : 1;
  const sym = key.levels[level - 1];
  return sym === undefined || sym === 'NoSymbol' ? undefined : sym;
}

let keysymTable: Map<string, number> | undefined;

/** keysym name → Unicode code point, from X.org's keysymdef.h. */
function keysyms(): Map<string, number> {
  if (keysymTable) return keysymTable;
  let text: string;
  try {
    text = readFileSync(KEYSYMDEF, 'utf8');
  } catch {
    throw new Error(`test/xkb.ts: ${KEYSYMDEF} not found. Install the Debian package x11proto-dev (apt-get install -y x11proto-dev; scripts/test.sh does).`);
  }
  const table = new Map<string, number>();
  for (const m of text.matchAll(/^#define XK_(\w+)\s+0x([0-9a-fA-F]+)\s*(?:\/\*\s*\(?U\+([0-9A-Fa-f]{4,6}))?/gm)) {
    const value = parseInt(m[2]!, 16);
    const cp = m[3] ? parseInt(m[3], 16) : keysymValueToCodePoint(value);
    if (cp !== undefined && !table.has(m[1]!)) table.set(m[1]!, cp);
  }
  return (keysymTable = table);
}

/** The X11 keysym encoding: Latin-1 keysyms are their code point, 0x01000000 + U is Unicode U. */
function keysymValueToCodePoint(value: number): number | undefined {
  if ((value >= 0x20 && value <= 0x7e) || (value >= 0xa0 && value <= 0xff)) return value;
  if (value >= 0x01000100 && value <= 0x0110ffff) return value - 0x01000000;
  return undefined;
}

/** The character a keysym types ('' for none; the spacing form for a dead key). */
function charOf(keysym: string): string {
  const dead = DEAD_KEYS[keysym];
  if (dead) return dead.spacing;
  if (keysym.startsWith('dead_')) throw new Error(`test/xkb.ts: no spacing form known for ${keysym}`);
  const unicode = /^U([0-9A-Fa-f]{4,6})$/.exec(keysym);
  if (unicode) return String.fromCodePoint(parseInt(unicode[1]!, 16));
  const hex = /^0x([0-9a-fA-F]+)$/.exec(keysym);
  const cp = hex ? keysymValueToCodePoint(parseInt(hex[1]!, 16)) : keysyms().get(keysym);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** Windows' virtual-key code of a key on a layout, from the character on its first level. */
function virtualKeyCode(code: string, baseChar: string): number {
  if (/^[a-z]$/i.test(baseChar)) return baseChar.toUpperCase().charCodeAt(0);
  if (code.startsWith('Digit')) return code.charCodeAt(5);
  if (/^[0-9]$/.test(baseChar)) return baseChar.charCodeAt(0);
  const byChar = VK_BY_CHAR[baseChar];
  if (byChar !== undefined) return byChar;
  if (code.startsWith('Key')) return code.charCodeAt(3);
  return US_VK[code] ?? 0;
}

let usTable: Map<string, { name: string; shift: boolean }> | undefined;

/** Where a US keyboard types each printable ASCII character: xkb key name and shift (read once). */
function usPositions(): Map<string, { name: string; shift: boolean }> {
  if (usTable) return usTable;
  const us = parseKeymap(compileKeymap(XKB_LAYOUT.us));
  const positions = new Map<string, { name: string; shift: boolean }>();
  for (const shift of [false, true]) {
    for (const name of KEY_CODES.keys()) {
      const key = us.keys.get(name);
      if (!key) throw new Error(`test/xkb.ts: the us keymap has no key <${name}>`);
      const sym = keysymAt(us, key, shift);
      const ch = sym === undefined ? '' : charOf(sym);
      if (ch.length === 1 && ch >= ' ' && ch <= '~' && !positions.has(ch)) positions.set(ch, { name, shift });
    }
  }
  const missing = [...printableAscii()].filter((ch) => !positions.has(ch));
  if (missing.length) throw new Error(`test/xkb.ts: the us keymap types no ${missing.map((c) => JSON.stringify(c)).join(' ')}`);
  return (usTable = positions);
}

function printableAscii(): string[] {
  return Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i));
}

/** Uncached: what a computer with the xkb layout `layout` types for each ASCII character a US scanner sends. */
export function readLayout(layout: LayoutId): Map<string, KeyPress> {
  const positions = usPositions();
  const target = parseKeymap(compileKeymap(XKB_LAYOUT[layout]));
  const out = new Map<string, KeyPress>();
  for (const ch of printableAscii()) {
    const { name, shift } = positions.get(ch)!;
    const code = KEY_CODES.get(name)!;
    const key = target.keys.get(name);
    const keysym = (key && keysymAt(target, key, shift)) ?? 'NoSymbol';
    const baseSym = key && keysymAt(target, key, false);
    const dead = keysym in DEAD_KEYS || keysym.startsWith('dead_');
    const char = keysym === 'NoSymbol' ? '' : charOf(keysym);
    const baseChar = baseSym === undefined || baseSym.startsWith('dead_') ? '' : charOf(baseSym);
    out.set(ch, { code, shift, keysym, char, dead, key: dead ? 'Dead' : char || 'Unidentified', windowsVirtualKeyCode: virtualKeyCode(code, baseChar) });
  }
  return out;
}

const cache = new Map<LayoutId, Map<string, KeyPress>>();

/** What a computer with `layout` types when a US-layout scanner presses the keys for each printable ASCII character (read once per process). */
export function usScannerOn(layout: LayoutId): Map<string, KeyPress> {
  let map = cache.get(layout);
  if (!map) cache.set(layout, (map = readLayout(layout)));
  return map;
}
