import { z } from 'zod';
import { hasMessage } from './i18n/index.js';
import { AppError, type FieldError } from './errors.js';

type Issue = z.core.$ZodIssue;

/** A zod issue as a catalog key. A schema may name a key itself (`{ error: 'validation.sku' }`). */
function issueToField(issue: Issue): FieldError {
  const path = issue.path.map(String).join('.');
  if (hasMessage(issue.message)) return { path, key: issue.message };
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return { path, key: 'validation.required' };
      if (issue.expected === 'int') return { path, key: 'validation.integer' };
      // The type in the reader's words ("Must be a number."); a type without its own text is named as zod names it.
      if (hasMessage(`validation.type.${issue.expected}`)) return { path, key: `validation.type.${issue.expected}` };
      return { path, key: 'validation.invalidType', params: { expected: issue.expected } };
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return { path, key: min <= 1 ? 'validation.required' : 'validation.tooShort', params: { min } };
      if (issue.origin === 'array') return { path, key: 'validation.tooFew', params: { min, count: min } };
      return { path, key: issue.inclusive === false ? 'validation.greaterThan' : 'validation.atLeast', params: { min } };
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return { path, key: 'validation.tooLong', params: { max } };
      if (issue.origin === 'array') return { path, key: 'validation.tooMany', params: { max } };
      return { path, key: 'validation.atMost', params: { max } };
    }
    case 'invalid_format':
      return { path, key: issue.format === 'email' ? 'validation.email' : 'validation.format' };
    case 'invalid_value':
      return { path, key: 'validation.oneOf', params: { values: issue.values.map(String).join(', ') } };
    case 'unrecognized_keys':
      return { path: [path, ...issue.keys].filter(Boolean).join('.'), key: 'validation.unknownField' };
    // Named rather than a default, so that an issue kind a new zod adds is a lint error, not silently generic.
    case 'custom':
    case 'invalid_element':
    case 'invalid_key':
    case 'invalid_union':
    case 'not_multiple_of':
      return { path, key: 'validation.invalid' };
  }
}

/** Parses `input` with `schema` or throws a 422 listing every field that is wrong. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  // reportInput: an issue carries the value it refused, so a wrong type is told from a missing field.
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const fields = result.error.issues.map(issueToField);
  throw new AppError('validation_failed', 'errors.validationFailed', { count: fields.length }, { fields });
}

/** A field a form sends once or repeated (ticked checkboxes): always a list, empty when absent. */
export const oneOrMany = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]);

/** A number field of a form: empty is "required", text is "must be a number". */
export const formNumber = () => z.preprocess((v) => (v === '' || v === undefined ? undefined : Number(v)), z.number());
