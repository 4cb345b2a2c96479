import { createRequire } from 'node:module';
import type bwipjs from 'bwip-js';

let loaded: typeof bwipjs | undefined;

/**
 * bwip-js, loaded when the first barcode is drawn (a PDF's, a label's, the phone-join QR code):
 * it holds 5–8 MB once loaded, which a server that draws none keeps free (docs/operations.md §
 * Memory). Its CommonJS build, so that drawing stays synchronous.
 */
export function bwip(): typeof bwipjs {
  return (loaded ??= createRequire(import.meta.url)('bwip-js') as typeof bwipjs);
}

/** The bar and space widths (in modules) of a linear symbol (`code128`, `gs1-128`) of `text`. */
export function linearBars(bcid: string, text: string): number[] {
  const [symbol] = bwip().raw(bcid, text, {});
  if (!symbol || !('sbs' in symbol)) throw new Error(`bwip-js drew no bars for ${bcid}`);
  return symbol.sbs;
}
