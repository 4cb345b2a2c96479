// Texts the views hand to the scripts with `{{name}}` placeholders (data-* attributes). Pure: no DOM.

/** The template with each `{{key}}` of `params` replaced by its value, everywhere it appears; '' for no template. */
export function fill(template: string | undefined, params: Record<string, string | number>): string {
  return Object.entries(params).reduce((text, [k, v]) => text.split(`{{${k}}}`).join(String(v)), template ?? '');
}
