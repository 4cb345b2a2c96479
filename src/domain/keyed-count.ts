// A count keyed before a scan ("5*7350053850019"), read alike by the server (every path that takes
// an item scan) and the pages (goods in and counts book such a scan at once). Its own module, so
// that a page reading it does not also carry the GS1 table of item-scan.ts.

/** "5*7350053850019": a keyed count before the scan (1–999). */
export function splitCount(input: string): { quantity: number; code: string } {
  const m = /^(\d{1,3})\s*[*xX×]\s*(\S.*)$/.exec(input.trim());
  if (m && Number(m[1]) >= 1) return { quantity: Number(m[1]), code: m[2]! };
  return { quantity: 1, code: input.trim() };
}

/** Whether a scan starts with a keyed count, as splitCount reads it: it carries its quantity. */
export function hasKeyedCount(input: string): boolean {
  return splitCount(input).code !== input.trim();
}
