import fc from 'fast-check';
import { z } from 'zod';

/** The part of JSON Schema that z.toJSONSchema writes for the API's request schemas. */
interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
}

/** Values a careless integration or an attacker sends where something else was expected. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, -0, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, '', ' ', '0', 'null', 'true', '[]', '{}'),
  fc.constantFrom(
    '\u0000',
    '\uD800',
    '\uDFFF\uD800',
    '\u202Ex',
    'Ω≈ç√∫',
    '𝕏💥',
    '\r\n',
    '%00',
    '%ff',
    '../../etc/passwd',
    "'; DROP TABLE orders; --",
    '<script>alert(1)</script>',
    '${7*7}',
    '{{7*7}}',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 201, maxLength: 2_000 }),
  fc.constant('x'.repeat(100_000)),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 1 }), { maxKeys: 4 }),
  fc.integer(),
  fc.double(),
);

/** Keys that would poison an object built by assignment. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Well-formed values for a JSON Schema node: the happy path an attack starts from. */
export function fromJsonSchema(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return fc.oneof(...union.map(fromJsonSchema));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000_000);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000);
      return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) });
    }
    case 'string': {
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.format === 'uri') return fc.webUrl();
      if (schema.pattern)
        return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? Infinity));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    }
    case 'array':
      return fc.array(schema.items ? fromJsonSchema(schema.items) : fc.anything(), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(props)) model[key] = fromJsonSchema(sub);
      return fc.record(model, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
    }
    case undefined:
    default:
      return fc.anything({ maxDepth: 2 });
  }
}

/** Every path to a node of a JSON value, for replacing one of them. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(value.flatMap((v, i) => paths(v, [...prefix, i])));
  if (value && typeof value === 'object') return here.concat(Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k])));
  return here;
}

function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head!] = replaceAt(copy[head!], rest, replacement);
  return copy;
}

/**
 * A JSON text built from a schema-shaped value with one thing wrong: a node replaced by an odd
 * value, an unknown or a prototype key added, a required key dropped. Text rather than a value,
 * because `__proto__` survives only as text (an object literal would set the prototype instead).
 */
export function malformedBody(schema: z.ZodType): fc.Arbitrary<string> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const base = fromJsonSchema(json);
  const replaced = base.chain((value) =>
    fc.tuple(fc.constantFrom(...paths(value)), oddValue).map(([path, odd]) => JSON.stringify(replaceAt(value, path, odd)) ?? 'null'),
  );
  const protoKey = fc.tuple(base, fc.constantFrom(...PROTO_KEYS), oddValue).map(([value, key, odd]) => {
    const text = JSON.stringify(value) ?? 'null';
    return text.startsWith('{') && text !== '{}'
      ? `{${JSON.stringify(key)}:${JSON.stringify(odd) ?? 'null'},${text.slice(1)}`
      : `{${JSON.stringify(key)}:{"isAdmin":true}}`;
  });
  const unknownKey = fc
    .tuple(base, fc.string({ minLength: 1, maxLength: 12 }), oddValue)
    .map(([value, key, odd]) => JSON.stringify(value && typeof value === 'object' && !Array.isArray(value) ? { ...value, [key]: odd } : { [key]: odd }));
  const dropped = base.map((value) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return '{}';
    const keys = Object.keys(value);
    const { [keys[0] ?? '']: _gone, ...rest } = value as Record<string, unknown>;
    return JSON.stringify(rest);
  });
  return fc.oneof(
    { arbitrary: replaced, weight: 4 },
    { arbitrary: protoKey, weight: 1 },
    { arbitrary: unknownKey, weight: 1 },
    { arbitrary: dropped, weight: 1 },
    { arbitrary: base.map((v) => JSON.stringify(v) ?? 'null'), weight: 2 },
  );
}

/** Bodies that are wrong before any schema sees them. */
export const brokenJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '{"a":',
    'null',
    '[]',
    '"text"',
    '42',
    'true',
    '{"a":1}garbage',
    '\uFEFF{}',
    '{"a":"\\ud800"}',
    '{"a":1,"a":2}',
    `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
    `{"a":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** A path segment: URL-encoded odd text, or raw broken %-encoding. */
export const oddSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('%E0%A4%A', '%ff', '%', '%%', '%00', '..%2F..', '%2e%2e', 'x'.repeat(5_000), '0', '-1', '1e3', 'NaN', 'null', '__proto__', 'constructor'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).map(encodeURIComponent),
);
