import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bwipjs from 'bwip-js';
import type { Request } from 'playwright-core';
import { describe, expect, it, vi } from 'vitest';
import { buildPackingOrder, buildUser } from '../builders.js';
import { tempDir } from '../temp.js';
import { until } from '../wait.js';
import { launchChromium, logIn, serveApp } from './browser.js';

/**
 * The station camera on real photos: ZXing's public black-box sets (Apache 2.0) in
 * shared/testdata/barcode-photos, none made here. 40 photos: all 9 Code 128 images (code128-1,
 * code128-3) and 31 EAN-13 phone photos of five books from ean13-3 (the first six of each book,
 * seven of the last).
 */
const PHOTOS_DIR = join(import.meta.dirname, '../../../shared/testdata/barcode-photos');
const EAN13_3_BOOKS = [
  [1, 6],
  [10, 6],
  [22, 6],
  [36, 6],
  [44, 7],
] as const;
const pad = (n: number) => String(n).padStart(2, '0');
const PHOTO_FILES = [
  ...[1, 2, 3, 4, 5, 6, 7].map((n) => `code128-1/${n}`),
  ...[1, 2].map((n) => `code128-3/${n}`),
  ...EAN13_3_BOOKS.flatMap(([first, count]) => Array.from({ length: count }, (_, i) => `ean13-3/${pad(first + i)}`)),
];

/** Seconds each photo is shown, and the frame rate of the fake camera. */
const SHOW_S = 0.8;
const FPS = 5;
/** A Code 128 of our own opens every pass of the video: reads are counted between two of them. */
const MARK = 'CAMERA-PASS';
const MARK_S = 2;

interface Photo {
  file: string;
  text: string;
}

/** Photos in an order where the same text comes back only after four others, so each one is read anew. */
function interleave(photos: Photo[]): Photo[] {
  const left = [...photos];
  const out: Photo[] = [];
  while (left.length) {
    const recent = new Set(out.slice(-4).map((p) => p.text));
    const counts = new Map<string, number>();
    for (const p of left) counts.set(p.text, (counts.get(p.text) ?? 0) + 1);
    const candidates = left.filter((p) => !recent.has(p.text));
    if (!candidates.length) throw new Error('interleave: no photo fits');
    const pick = candidates.reduce((a, b) => (counts.get(b.text)! > counts.get(a.text)! ? b : a));
    out.push(pick);
    left.splice(left.indexOf(pick), 1);
  }
  return out;
}

/** One y4m holding the pass mark and every photo, each fitted into 640×480 as a phone frame. */
async function makeVideo(dir: string, photos: Photo[]): Promise<string> {
  const mark = join(dir, 'mark.png');
  writeFileSync(
    mark,
    await bwipjs.toBuffer({ bcid: 'code128', text: MARK, scale: 4, height: 18, backgroundcolor: 'FFFFFF', paddingwidth: 20, paddingheight: 20 }),
  );
  const inputs = [{ file: mark, seconds: MARK_S }, ...photos.map((p) => ({ file: join(PHOTOS_DIR, `${p.file}.png`), seconds: SHOW_S }))];
  const args = ['-loglevel', 'error', '-y'];
  for (const input of inputs) args.push('-loop', '1', '-framerate', String(FPS), '-t', String(input.seconds), '-i', input.file);
  const fit = 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:gray,setsar=1,format=yuv420p';
  const filter =
    inputs.map((_, i) => `[${i}:v]${fit}[v${i}]`).join(';') + ';' + inputs.map((_, i) => `[v${i}]`).join('') + `concat=n=${inputs.length}:v=1:a=0[out]`;
  const video = join(dir, 'photos.y4m');
  execFileSync('ffmpeg', [...args, '-filter_complex', filter, '-map', '[out]', '-r', String(FPS), '-pix_fmt', 'yuv420p', video]);
  return video;
}

/** What the page sent as a camera scan: the form (or JSON) field `source` is `camera`. */
function cameraValue(request: Request): string | undefined {
  if (request.method() !== 'POST') return undefined;
  const body = request.postData() ?? '';
  let fields: Record<string, unknown>;
  try {
    fields = (request.headers()['content-type'] ?? '').includes('json')
      ? (JSON.parse(body) as Record<string, unknown>)
      : Object.fromEntries(new URLSearchParams(body));
  } catch {
    return undefined;
  }
  return fields.source === 'camera' && typeof fields.value === 'string' ? fields.value : undefined;
}

describe('The station camera on real photos, in a real browser', () => {
  vi.setConfig({ testTimeout: 150_000 });

  it('reads at least 39 of 40 real photos through the station page, and hands over no text that is not on a photo', async () => {
    const photos = interleave(PHOTO_FILES.map((file) => ({ file, text: readFileSync(join(PHOTOS_DIR, `${file}.txt`), 'utf8').trim() })));
    expect(photos).toHaveLength(40);
    const dir = tempDir('camera-photos');
    const video = await makeVideo(dir, photos);
    const browser = await launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ]);
    // The camera needs a secure context: the station over HTTPS, as phones and LAN desks open it.
    const server = await serveApp({ https: true });
    try {
      const order = buildPackingOrder(server.db);
      const packer = await buildUser(server.db, 'packer');
      const page = await browser.newPage({ ignoreHTTPSErrors: true });
      const sent: string[] = [];
      page.on('request', (request) => {
        const value = cameraValue(request);
        if (value !== undefined) sent.push(value);
      });
      // This device is a named station (the name a device remembers).
      await page.context().addCookies([{ name: 'station', value: 'Camera%20bench', url: server.url }]);
      await logIn(page, server.url, packer.email, '/shipping');

      // Select the order as a packer does, by its code in the scan field.
      await page.focus('#scan-value');
      const selected = page.waitForResponse((r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes(order.code));
      await page.keyboard.type(order.code);
      await page.keyboard.press('Enter');
      await selected;

      // The camera button, from the keyboard.
      await page.focus('#camera-open');
      await page.keyboard.press('Enter');

      // One whole pass of the video, from one pass mark to the next.
      // (Normally one pass; two when the first mark went by before the camera was reading.)
      const passMs = (MARK_S + photos.length * SHOW_S) * 1000;
      await until('two pass marks', () => sent.filter((v) => v === MARK).length >= 2, 2 * passMs + 20_000, 100);
      const first = sent.indexOf(MARK);
      const pass = sent.slice(first + 1, sent.indexOf(MARK, first + 1));

      // Each read goes to the next photo that shows its text (the same text comes back only after
      // four other photos, and a code in sight counts once).
      const read = new Set<number>();
      let next = 0;
      for (const value of pass) {
        const at = photos.findIndex((p, i) => i >= next && p.text === value);
        if (at >= 0) {
          read.add(at);
          next = at + 1;
        }
      }
      const decoder = await page.locator('#camera').getAttribute('data-decoder');
      const missed = photos.filter((_, i) => !read.has(i)).map((p) => p.file);
      console.log(`camera: read ${read.size} of ${photos.length} photos (decoder: ${decoder})${missed.length ? `; missed ${missed.join(', ')}` : ''}`);
      // A misread never leaves the camera: every text sent is one printed on a photo (or the mark).
      const texts = new Set([MARK, ...photos.map((p) => p.text)]);
      expect(sent.filter((v) => !texts.has(v))).toEqual([]);
      expect(read.size).toBeGreaterThanOrEqual(39);

      // A viewfinder over the video; no light button, as the fake camera has no torch; 44 px targets.
      await expect.poll(() => page.locator('#camera .camera-finder').isVisible()).toBe(true);
      await expect(page.locator('#camera .camera-torch').isHidden()).resolves.toBe(true);
      expect((await page.locator('#camera-open').boundingBox())?.height).toBeGreaterThanOrEqual(44);

      // Stopping lets go of the camera.
      const cameraOff = async () => {
        await expect.poll(() => page.locator('#camera').isHidden()).toBe(true);
        await expect(page.evaluate(() => (document.querySelector('#camera video') as HTMLVideoElement).srcObject)).resolves.toBeNull();
      };
      await page.focus('#camera-open');
      await page.keyboard.press('Enter');
      await cameraOff();
      // So does a hidden tab (headless Chromium never hides one itself: the page is told so).
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#camera').isVisible()).toBe(true);
      await page.evaluate(() => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await cameraOff();
      await page.close();
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
