/**
 * JSON with every object's keys sorted, at every depth: two bodies that differ only in the order of
 * their fields read the same. Arrays keep their order (a list's order means something). Every own
 * key counts, `__proto__` too (JSON.parse makes it an own field; assigning it to an object would
 * set the prototype instead and drop it). Written without recursion: a body nested 50,000 deep is
 * read by the JSON parser and must not overflow the stack here.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Work to do, last first: text to write as it is, or a value to write.
  const work: ({ text: string } | { value: unknown })[] = [{ value }];
  for (let item = work.pop(); item; item = work.pop()) {
    if ('text' in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    if (Array.isArray(v)) {
      const parts: ({ text: string } | { value: unknown })[] = [{ text: '[' }];
      // An index loop, not forEach: a hole is written as null, as JSON.stringify writes it.
      for (let i = 0; i < v.length; i++) {
        const element: unknown = v[i];
        if (i > 0) parts.push({ text: ',' });
        parts.push({ value: written(element) ? element : null });
      }
      parts.push({ text: ']' });
      pushReversed(work, parts);
    } else if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
      const entries = Object.entries(v)
        .filter(([, field]) => written(field))
        .sort(([a], [b]) => byKey(a, b));
      const parts: ({ text: string } | { value: unknown })[] = [{ text: '{' }];
      entries.forEach(([key, field], i) => parts.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(key)}:` }, { value: field }));
      parts.push({ text: '}' });
      pushReversed(work, parts);
    } else out.push(JSON.stringify(v) ?? 'null');
  }
  return out.join('');
}

/** Whether JSON.stringify writes a field at all (undefined, functions and symbols it leaves out). */
function written(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}

/** Pushes `items` last first, so that they are popped in order (a loop: an array may be long). */
function pushReversed<T>(stack: T[], items: readonly T[]): void {
  for (let i = items.length - 1; i >= 0; i--) stack.push(items[i]!);
}

const isIndex = (key: string) => /^(0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;

/**
 * The order of an object's keys as JSON.stringify wrote them when the keys were assigned in sorted
 * order (the kept hashes were made so): integer-like keys first, by value, then the rest sorted.
 */
function byKey(a: string, b: string): number {
  const ia = isIndex(a);
  const ib = isIndex(b);
  if (ia && ib) return Number(a) - Number(b);
  if (ia !== ib) return ia ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
