import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from './browser.js';
import { scanKeys } from './scanner.js';

/** One keydown as the page saw it, with the input's value at that moment. */
interface Down {
  key: string;
  code: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  timeStamp: number;
  value: string;
}

/** A bare page with one focused input that records its keydowns; no app needed. */
async function recorder(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.setContent(`<!doctype html><meta charset="utf-8"><input id="scan" autocomplete="off"><input id="next">
    <script>
      window.downs = [];
      const input = document.getElementById('scan');
      input.addEventListener('keydown', (e) => downs.push({ key: e.key, code: e.code, ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, timeStamp: e.timeStamp, value: input.value }));
      document.getElementById('next').addEventListener('keydown', (e) => downs.push({ key: e.key, code: e.code, ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, timeStamp: e.timeStamp, value: '(next)' }));
    </script>`);
  return page;
}

/** Empties the input, focuses it and forgets the keydowns seen so far. */
async function reset(page: Page): Promise<void> {
  await page.evaluate(() => {
    const input = document.getElementById('scan') as HTMLInputElement;
    input.value = '';
    input.focus();
    (window as unknown as { downs: unknown[] }).downs = [];
  });
}

const value = (page: Page) => page.evaluate(() => (document.getElementById('scan') as HTMLInputElement).value);
const downs = (page: Page) => page.evaluate(() => (window as unknown as { downs: Down[] }).downs);

describe('scanKeys: a US keyboard-wedge scanner through CDP', () => {
  vi.setConfig({ testTimeout: 60_000 });
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await recorder(browser);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('types the digit row as AZERTY makes it, and as itself on a US computer', async () => {
    await reset(page);
    await scanKeys(page, 'JJD13456813', { layout: 'fr' });
    expect(await value(page)).toBe(`JJD&"'(-_&"`);
    const fr = await downs(page);
    expect(fr.map((d) => d.key)).toEqual(['J', 'J', 'D', '&', '"', "'", '(', '-', '_', '&', '"', 'Enter']);
    expect(fr[3]).toMatchObject({ code: 'Digit1', shiftKey: false });
    await reset(page);
    await scanKeys(page, 'JJD13456813');
    expect(await value(page)).toBe('JJD13456813');
  });

  it('on Swedish, - arrives as + and ] as the dead key ¨, which composes with the next letter', async () => {
    await reset(page);
    await scanKeys(page, '-]1', { layout: 'se' });
    expect(await value(page)).toBe('+¨1');
    const keys = await downs(page);
    expect(keys.slice(0, 2).map((d) => [d.key, d.code])).toEqual([
      ['+', 'Minus'],
      ['Dead', 'BracketRight'],
    ]);
    // The dead key alone types nothing until the next key.
    expect(keys[2]!.value).toBe('+');
    await reset(page);
    await scanKeys(page, ']e', { layout: 'se' });
    expect(await value(page)).toBe('ë');
    // A dead key last, before the suffix, types its spacing form.
    await reset(page);
    await scanKeys(page, 'A]', { layout: 'se' });
    expect(await value(page)).toBe('A¨');
  });

  it('sends GS as Ctrl+], which types no character', async () => {
    for (const layout of ['us', 'se'] as const) {
      await reset(page);
      await scanKeys(page, '10LOT7\x1D21SER1', { layout });
      expect(await value(page)).toBe('10LOT721SER1');
      const gs = (await downs(page)).filter((d) => d.ctrlKey);
      expect(gs).toHaveLength(1);
      expect(gs[0]).toMatchObject({ code: 'BracketRight', ctrlKey: true, value: '10LOT7' });
    }
  });

  it('types 20 characters in order at a scanner’s pace (the pace is printed: a loaded machine delays the timers, so it is not asserted)', async () => {
    const text = 'ABCDEFGHIJ0123456789';
    await reset(page);
    await scanKeys(page, text);
    expect(await value(page)).toBe(text);
    const chars = (await downs(page)).slice(0, text.length);
    const msPerKey = (chars.at(-1)!.timeStamp - chars[0]!.timeStamp) / (chars.length - 1);
    console.log(`scanKeys: ${msPerKey.toFixed(2)} ms a key between the keydowns of a ${text.length}-character scan (default msPerKey 2)`);
    // A scanner sends a key every 1–3 ms. The page's own rule (the middle gap of the last eight keys)
    // is what tells a scan from typing; the tests of that rule pace their keys themselves.
    expect(chars.map((d) => d.key).join('')).toBe(text);
  });

  it('ends with Tab when the scanner is set to', async () => {
    await reset(page);
    await scanKeys(page, 'X1', { suffix: 'Tab' });
    const keys = await downs(page);
    expect(keys.map((d) => [d.key, d.code])).toEqual([
      ['X', 'KeyX'],
      ['1', 'Digit1'],
      ['Tab', 'Tab'],
    ]);
    // The Tab moved the focus on, as a Tab suffix does.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('next');
    await reset(page);
    await scanKeys(page, 'X1', { suffix: 'Tab Enter' });
    expect((await downs(page)).map((d) => d.key)).toEqual(['X', '1', 'Tab', 'Enter']);
    await reset(page);
    await scanKeys(page, 'X1', { suffix: 'none' });
    expect((await downs(page)).map((d) => d.key)).toEqual(['X', '1']);
  });
});
