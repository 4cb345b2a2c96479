// Goods in and stock counts (src/browser/stock.ts). Pure: no DOM.

/**
 * A scan that starts with a keyed count ("12*7350053850019", "3 x …"): it carries its quantity and
 * is booked at once, as the server reads it (splitCount in src/domain/item-scan.ts).
 */
export const hasKeyedCount = (raw: string): boolean => /^\s*\d{1,3}\s*[*xX×]/.test(raw);
