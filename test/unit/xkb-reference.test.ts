import { describe, expect, it } from 'vitest';
import { compileKeymap, compose, usScannerOn, type KeyPress, type LayoutId } from '../xkb.js';

/** What the layout types for each character of `text` sent by a US scanner (dead keys as their spacing form). */
const typed = (layout: LayoutId, text: string) => [...text].map((ch) => usScannerOn(layout).get(ch)!.char).join('');
const press = (layout: LayoutId, ch: string): KeyPress => usScannerOn(layout).get(ch)!;

// Spot checks against what the layouts are known to type (RECIPES.md § A shop's LAN, and the
// layouts' printed key caps): they prove the reference reads xkb's keys and levels correctly.
describe('the keyboard-layout reference read from xkb', () => {
  it('covers every printable ASCII character on every layout', () => {
    for (const layout of ['us', 'fr', 'de', 'se', 'no', 'dk'] as const) {
      expect(usScannerOn(layout).size).toBe(95);
    }
  });

  it('us: a US scanner on a US computer types what it sends', () => {
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    expect(typed('us', ascii)).toBe(ascii);
    expect(press('us', 'A')).toEqual({ code: 'KeyA', shift: true, keysym: 'A', char: 'A', dead: false, key: 'A', windowsVirtualKeyCode: 65 });
    expect(press('us', '\\')).toMatchObject({ code: 'Backslash', shift: false, keysym: 'backslash' });
    expect(press('us', ' ')).toMatchObject({ code: 'Space', keysym: 'space', char: ' ' });
  });

  it('fr (AZERTY): the digit row types its symbols, A/Q and M move', () => {
    expect(typed('fr', '1234567890')).toBe('&é"\'(-è_çà');
    expect(press('fr', '1')).toMatchObject({ code: 'Digit1', shift: false, keysym: 'ampersand', char: '&', key: '&', windowsVirtualKeyCode: 49 });
    expect(press('fr', '2')).toMatchObject({ keysym: 'eacute', char: 'é' });
    expect(press('fr', 'q')).toMatchObject({ code: 'KeyQ', keysym: 'a', char: 'a', windowsVirtualKeyCode: 65 });
    expect(press('fr', 'm')).toMatchObject({ code: 'KeyM', keysym: 'comma', char: ',', windowsVirtualKeyCode: 188 });
    // The ANSI backslash key's position holds * on French ISO keyboards.
    expect(press('fr', '\\')).toMatchObject({ code: 'Backslash', char: '*' });
    expect(press('fr', '[')).toMatchObject({ code: 'BracketLeft', keysym: 'dead_circumflex', char: '^', dead: true, key: 'Dead' });
  });

  it('de (QWERTZ): Y and Z swap, - is ß', () => {
    expect(press('de', 'y')).toMatchObject({ code: 'KeyY', char: 'z' });
    expect(press('de', 'z')).toMatchObject({ code: 'KeyZ', char: 'y' });
    expect(press('de', '-')).toMatchObject({ code: 'Minus', keysym: 'ssharp', char: 'ß' });
    expect(press('de', '\\')).toMatchObject({ code: 'Backslash', char: '#' });
  });

  it("se: - is +, ] is the dead key ¨, ' is ä", () => {
    expect(press('se', '-')).toMatchObject({ code: 'Minus', shift: false, keysym: 'plus', char: '+', dead: false, key: '+' });
    expect(press('se', ']')).toEqual({
      code: 'BracketRight',
      shift: false,
      keysym: 'dead_diaeresis',
      char: '¨',
      dead: true,
      key: 'Dead',
      windowsVirtualKeyCode: 221,
    });
    expect(press('se', "'")).toMatchObject({ code: 'Quote', keysym: 'adiaeresis', char: 'ä' });
    expect(press('se', '\\')).toMatchObject({ code: 'Backslash', char: "'" });
  });

  it('no and dk: ; is ø and æ, where Swedish has ö', () => {
    expect(press('no', ';')).toMatchObject({ code: 'Semicolon', keysym: 'oslash', char: 'ø' });
    expect(press('dk', ';')).toMatchObject({ code: 'Semicolon', keysym: 'ae', char: 'æ' });
    expect(press('se', ';')).toMatchObject({ char: 'ö' });
  });

  it('composes a dead key with the next character through Unicode, or types both', () => {
    expect(compose('¨', 'a')).toBe('ä');
    expect(compose('¨', 'e')).toBe('ë');
    expect(compose('´', 'e')).toBe('é');
    expect(compose('^', 'o')).toBe('ô');
    expect(compose('`', 'A')).toBe('À');
    expect(compose('~', 'n')).toBe('ñ');
    expect(compose('¨', '1')).toBe('¨1');
    expect(compose('^', 'q')).toBe('^q');
    expect(compose('¨', ' ')).toBe('¨');
    expect(() => compose('x', 'a')).toThrow(/not the spacing form of a dead key/);
  });

  it('fails loudly, naming the package, when xkbcli is missing', () => {
    expect(() => compileKeymap('fr', '/nonexistent/xkbcli')).toThrow(/libxkbcommon-tools/);
  });
});
