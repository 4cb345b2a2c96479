import type { BrowserContext, Page } from 'playwright-core';

/**
 * Counts what a mouse or finger would cause (pointer and mouse button events) and the scan sounds
 * (each oscillator's frequency), from before the page's own scripts run.
 */
export async function watchPage(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { pointerEvents: number; tones: number[] };
    w.pointerEvents = 0;
    w.tones = [];
    for (const type of ['pointerdown', 'mousedown', 'mouseup', 'touchstart']) window.addEventListener(type, () => w.pointerEvents++, true);
    const Real = window.AudioContext;
    window.AudioContext = class extends Real {
      override createOscillator() {
        const osc = super.createOscillator();
        const start = osc.start.bind(osc);
        osc.start = (when?: number) => {
          w.tones.push(osc.frequency.value);
          start(when);
        };
        return osc;
      }
    };
  });
}

/** Pointer and mouse button events since the page loaded. */
export const pointerEvents = (page: Page) => page.evaluate(() => (window as unknown as { pointerEvents: number }).pointerEvents);

/** The tones played since the last call (their frequencies), and forgets them. */
export const tones = (page: Page) => page.evaluate(() => (window as unknown as { tones: number[] }).tones.splice(0));
