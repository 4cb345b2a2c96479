// How a view ties a form field to its error message; every form's view uses these (see baseLocals).

/** The id of a field's error message, as views/partials/field-error.ejs writes it. */
export function fieldErrorId(name: string): string {
  return `${name}-error`;
}

/**
 * The attributes that tie an input to its error message, for a view to write inside the input's
 * tag (`<input name="sku" <%- fieldAria(errors, 'sku') %>>`): `aria-invalid="true"` and
 * `aria-describedby` naming the message's id, so that a screen reader reads the message with the
 * field and src/browser/form-errors.ts puts the cursor on the first refused field. Nothing when the
 * field has no error. An input that answers for more than one field (a manual order's line: its
 * quantity, SKU and price) names each of them; every one with an error is described.
 */
export function fieldAria(errors: Readonly<Record<string, unknown>> | null | undefined, ...names: string[]): string {
  const refused = names.filter((name) => errors?.[name]);
  if (refused.length === 0) return '';
  const ids = refused.map((name) => fieldErrorId(name).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`));
  return `aria-invalid="true" aria-describedby="${ids.join(' ')}"`;
}
