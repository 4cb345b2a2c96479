// What the station camera accepts from its decoder, as pure functions (no DOM): used by camera.js
// in the page and loaded as a CommonJS module by the unit tests. The check digit is the same GS1
// mod-10 as src/domain/gtin.ts, and SSCC handling follows src/domain/parcel-id.ts.
(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory();
  else root.BarcodeCheck = factory();
})(typeof self !== 'undefined' ? self : this, () => {
  /** GS1 mod-10 check digit (weights 3,1,3,… from the right) of the digits before it. */
  const gs1CheckDigit = (body) => {
    let sum = 0;
    for (let i = 0; i < body.length; i++) {
      const digit = body.charCodeAt(body.length - 1 - i) - 48;
      sum += digit * (i % 2 === 0 ? 3 : 1);
    }
    return String((10 - (sum % 10)) % 10);
  };

  /**
   * The code as the station takes it: a GS1-128 read loses its leading FNC1 (\x1D), and an SSCC its
   * application identifier "(00)" or "00", as the server does with a scanned parcel ID.
   */
  const normalizeRead = (text) => {
    const trimmed = String(text ?? '').replace(/^\x1D+/, '').trim();
    const ai = /^(?:\(00\)|00)(\d{18})$/.exec(trimmed.replace(/\s+/g, ''));
    return ai ? ai[1] : trimmed;
  };

  /** True when the code carries a GS1 check digit and it is right: SSCC-18, EAN-8, UPC-A, EAN-13, GTIN-14. */
  const checkDigitPasses = (code) => /^(\d{8}|\d{12,14}|\d{18})$/.test(code) && gs1CheckDigit(code.slice(0, -1)) === code.slice(-1);

  /**
   * Turns one decoded text per frame (null when the frame held nothing) into codes for the page. A
   * code is taken when its check digit passes, or else when two successive frames read the same
   * text, so a single misread frame never becomes a scan. A code taken once is not taken again
   * while it stays in sight: each further read within `quietMs` of the last one is swallowed.
   */
  const createReadFilter = ({ quietMs = 1500 } = {}) => {
    let previous = null;
    const lastSeen = new Map();
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
  };

  return { gs1CheckDigit, normalizeRead, checkDigitPasses, createReadFilter };
});
