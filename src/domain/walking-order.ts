// The order a picker walks the warehouse in: bins named by zone, aisle and place ("B-01-3",
// "A-10", "Ö-1"), compared part by part so that A-2 comes before A-10 and 01 is the same number as
// 1; zones in the order the shop walks them (Settings → Warehouse), the others after them; and,
// when aisles are walked in a serpentine, every other aisle visited from its far end, so that a
// picker who walks up one aisle comes down the next. Pure: no database.

/** How the shop's warehouse is walked. */
export interface WalkSettings {
  /** Zones (a bin name's first part) in walking order; zones not named come after, in natural order. */
  zoneOrder: readonly string[];
  /** Every other aisle visited in a zone is walked from its far end (an S-shaped walk). */
  serpentine: boolean;
  /** The collation of letters: Å, Ä, Ö after Z in Swedish; Æ, Ø, Å in Norwegian. */
  locale?: string;
}

/** One part of a bin name: a number (01 and 1 alike) or letters. */
export type BinPart = number | string;

/**
 * A bin name's parts: split at separators (- . / _ space) and where letters meet digits, so "B-01-3",
 * "B 1 3", "B1-3" and "b-1-03" have the same parts, and "A10" is A and 10. Letters are kept in capitals.
 */
export function binParts(name: string): BinPart[] {
  return (
    name
      .normalize('NFC')
      .toUpperCase()
      .match(/\d+|[^\d\s\-./_]+/gu) ?? []
  ).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** Where a bin is: its zone, its aisle (null when the name has no more than zone and place) and its place in the aisle. */
export interface BinPlace {
  zone: BinPart | null;
  aisle: BinPart | null;
  place: BinPart[];
}

/** A bin name read as zone, aisle and place: three or more parts are zone, aisle, place; two are zone and place; one is a zone. */
export function binPlace(name: string): BinPlace {
  const parts = binParts(name);
  if (parts.length === 0) return { zone: null, aisle: null, place: [] };
  if (parts.length <= 2) return { zone: parts[0]!, aisle: null, place: parts.slice(1) };
  return { zone: parts[0]!, aisle: parts[1]!, place: parts.slice(2) };
}

/** Compares two parts: numbers by value, before letters; letters by the locale's alphabet, case ignored. */
export function comparePart(a: BinPart, b: BinPart, collator: Intl.Collator): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(a, b);
}

/** Compares part lists part by part; a list that is a beginning of the other comes first (A-1 before A-1-2). */
export function compareParts(a: readonly BinPart[], b: readonly BinPart[], collator: Intl.Collator): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = comparePart(a[i]!, b[i]!, collator);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Bin names in natural order (no zones or serpentine): what a list of bins is sorted by. */
export function compareBinNames(a: string, b: string, locale = 'sv'): number {
  return compareParts(binParts(a), binParts(b), new Intl.Collator(locale, { sensitivity: 'base' }));
}

/**
 * The items in walking order by their bin (`binOf`; null or empty: no bin, after every bin). Items in
 * the same bin stay together, in the order given. Zones follow `zoneOrder`, then the rest in natural
 * order; in a zone, aisles in natural order; in an aisle, places in natural order, reversed in every
 * other aisle visited when `serpentine` (the alternation starts again in each zone, whose first aisle
 * is walked from its front).
 */
export function walkingOrder<T>(items: readonly T[], binOf: (item: T) => string | null, settings: WalkSettings): T[] {
  const collator = new Intl.Collator(settings.locale ?? 'sv', { sensitivity: 'base' });
  const zoneRank = new Map(settings.zoneOrder.map((z, i) => [binParts(z).join('\u0000'), i]));
  const read = items.map((item, index) => {
    const bin = binOf(item)?.trim() ?? '';
    return { item, index, bin, place: bin ? binPlace(bin) : null };
  });
  const rankOf = (zone: BinPart | null) => zoneRank.get(zone === null ? '' : String(zone)) ?? settings.zoneOrder.length;
  const byZoneAndAisle = (a: (typeof read)[number], b: (typeof read)[number]): number => {
    if (!a.place || !b.place) return (a.place ? 0 : 1) - (b.place ? 0 : 1);
    const rank = rankOf(a.place.zone) - rankOf(b.place.zone);
    if (rank !== 0) return rank;
    const zone = compareParts(a.place.zone === null ? [] : [a.place.zone], b.place.zone === null ? [] : [b.place.zone], collator);
    if (zone !== 0) return zone;
    return compareParts(a.place.aisle === null ? [] : [a.place.aisle], b.place.aisle === null ? [] : [b.place.aisle], collator);
  };
  // Zones and aisles first, then each aisle's places in its direction of the walk.
  const sorted = [...read].sort((a, b) => byZoneAndAisle(a, b) || a.index - b.index);
  const out: T[] = [];
  let zoneKey: string | null = null;
  let visited = 0;
  for (let start = 0; start < sorted.length;) {
    let end = start + 1;
    while (end < sorted.length && byZoneAndAisle(sorted[start]!, sorted[end]!) === 0) end++;
    const aisle = sorted.slice(start, end);
    const first = aisle[0]!;
    const key = first.place ? String(first.place.zone) : null;
    if (key !== zoneKey) {
      zoneKey = key;
      visited = 0;
    }
    const backwards = settings.serpentine && first.place !== null && first.place.aisle !== null && visited % 2 === 1;
    aisle.sort((a, b) => {
      if (!a.place || !b.place) return a.bin === b.bin ? a.index - b.index : collator.compare(a.bin, b.bin) || a.index - b.index;
      const c = compareParts(a.place.place, b.place.place, collator);
      return (backwards ? -c : c) || a.index - b.index;
    });
    if (first.place?.aisle !== null) visited++;
    out.push(...aisle.map((a) => a.item));
    start = end;
  }
  return out;
}
