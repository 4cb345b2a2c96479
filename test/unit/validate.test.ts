import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/errors.js';
import { translator } from '../../src/i18n/index.js';
import { parse } from '../../src/validate.js';

const fieldsOf = (schema: z.ZodType, input: unknown) => {
  try {
    parse(schema, input);
  } catch (err) {
    if (err instanceof AppError) return err.details?.fields ?? [];
  }
  throw new Error('expected a refusal');
};

describe('validation messages', () => {
  it("names a wrong type in the reader's words, not zod's type name", () => {
    const schema = z.object({ quantity: z.number(), name: z.string(), paid: z.boolean(), lines: z.array(z.string()) });
    const fields = fieldsOf(schema, { quantity: 'three', name: 4, paid: 'yes', lines: 'A' });
    expect(fields.map((f) => f.key)).toEqual(['validation.type.number', 'validation.type.string', 'validation.type.boolean', 'validation.type.array']);
    const say = (lang: 'en' | 'sv' | 'nb' | 'fr') => fields.map((f) => translator(lang)(f.key, f.params));
    expect(say('en')).toEqual(['Must be a number.', 'Must be text.', 'Must be yes or no.', 'Must be a list.']);
    expect(say('sv')[0]).toBe('Måste vara ett tal.');
    expect(say('nb')[2]).toBe('Må være ja eller nei.');
    expect(say('fr')[1]).toBe('Doit être du texte.');
    // A missing field is "required", a whole number asked for is "integer", as before.
    expect(fieldsOf(z.object({ n: z.number().int() }), { n: 1.5 }).map((f) => f.key)).toEqual(['validation.integer']);
    expect(fieldsOf(z.object({ n: z.number() }), {}).map((f) => f.key)).toEqual(['validation.required']);
  });
});
