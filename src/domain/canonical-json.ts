/**
 * JSON with every object's keys sorted, at every depth: two bodies that differ only in the order of
 * their fields read the same. Arrays keep their order (a list's order means something).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value)) ?? 'null';
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [key, field] of entries) out[key] = sorted(field);
    return out;
  }
  return value;
}
