import { gs1CheckDigit, isValidGtin, isValidSscc } from '../../domain/gtin.js';
import { normalizeParcelId } from '../../domain/parcel-id.js';

// What the station camera accepts from its decoder (lib/camera.ts reads the frames). Pure: no DOM.
// The check digits and the SSCC's normalising are the server's own (src/domain/gtin.ts,
// src/domain/parcel-id.ts), bundled in.

export { gs1CheckDigit };

/**
 * The code as the station takes it: a GS1-128 read loses its leading FNC1 (\x1D), and an SSCC its
 * application identifier "(00)" or "00", as the server does with a scanned parcel ID.
 */
export const normalizeRead = (text: string | null | undefined): string => normalizeParcelId(String(text ?? ''));

/** True when the code carries a GS1 check digit and it is right: SSCC-18, EAN-8, UPC-A, EAN-13, GTIN-14. */
export const checkDigitPasses = (code: string): boolean => isValidGtin(code) || isValidSscc(code);

/** Turns the decoder's texts, frame by frame, into the codes the page takes. */
export interface ReadFilter {
  /** The code to take from this frame's text (null when the frame held nothing), or null. */
  offer(text: string | null, now: number): string | null;
}

/**
 * Turns one decoded text per frame (null when the frame held nothing) into codes for the page. A
 * code is taken when its check digit passes, or else when two successive frames read the same
 * text, so a single misread frame never becomes a scan. A code taken once is not taken again
 * while it stays in sight: each further read within `quietMs` of the last one is swallowed.
 */
export function createReadFilter({ quietMs = 1500 }: { quietMs?: number } = {}): ReadFilter {
  let previous: string | null = null;
  const lastSeen = new Map<string, number>();
  return {
    offer(text, now) {
      const code = text == null ? '' : normalizeRead(text);
      if (!code) {
        previous = null;
        return null;
      }
      const agreed = previous === code;
      previous = code;
      if (!agreed && !checkDigitPasses(code)) return null;
      for (const [seen, at] of lastSeen) if (now - at >= quietMs) lastSeen.delete(seen);
      const quiet = lastSeen.has(code);
      lastSeen.set(code, now);
      return quiet ? null : code;
    },
  };
}

/** One code a decoder found in a frame, with the middle of where it was. */
export interface FrameRead {
  text: string;
  center?: { x: number; y: number } | null;
}

/**
 * A label often holds several barcodes: the one nearest the middle of the frame, where the
 * viewfinder is, is the one the packer aims at. Null when the frame held none.
 */
export function nearestMiddle(reads: readonly FrameRead[], width: number, height: number): string | null {
  let best: FrameRead | null = null;
  let bestDistance = Infinity;
  for (const read of reads) {
    const d = read.center ? Math.hypot(read.center.x - width / 2, read.center.y - height / 2) : Infinity;
    if (best === null || d < bestDistance) {
      best = read;
      bestDistance = d;
    }
  }
  return best?.text ?? null;
}

type Point = { x: number; y: number };

/** The middle of a quadrilateral (ZXing's position of a barcode). */
export function middleOf(p: { topLeft: Point; topRight: Point; bottomRight: Point; bottomLeft: Point }): Point {
  return { x: (p.topLeft.x + p.topRight.x + p.bottomRight.x + p.bottomLeft.x) / 4, y: (p.topLeft.y + p.topRight.y + p.bottomRight.y + p.bottomLeft.y) / 4 };
}
