// The scanner check: a printed sheet of test barcodes whose contents are known, so that what a
// scanner types for them tells what it is set to (suffix, prefix, AIM identifiers, GS, keyboard
// layout, speed) and what to change. Pure: the page (Settings → Scanners, the station's link) and the
// unit tests use it alike.

/** GS (ASCII 29): FNC1 between GS1 elements, as a scanner sends it. */
export const GS = '\x1D';

/**
 * Barcode 1, Code 128: letters that AZERTY (A/Q, Z/W, M) and QWERTZ (Y/Z) move, in both cases;
 * the digit row, which AZERTY types as symbols; `-` and `/`, which QWERTZ and the Nordic layouts
 * move; `;` and `'`, which tell Swedish, Norwegian and Danish apart. No key that is a dead key on
 * any of these layouts, so each character arrives as one.
 */
export const CHECK_TEXT = "QAZWYM-qazwym/0123456789;'";

/**
 * Barcode 2, GS1-128: GTIN, batch and serial. Its element string has FNC1 after the batch (a
 * variable-length element followed by another): how that arrives tells how the scanner sends GS.
 */
export const CHECK_GS1 = {
  /** Human-readable, as printed under the bars. */
  hri: '(01)09501101020917(10)LOT7(21)SER1',
  /** The element string as the barcode carries it, GS where the FNC1 is. */
  elements: `0109501101020917` + `10LOT7` + GS + `21SER1`,
} as const;
