/**
 * A form's fields as a urlencoded body, as the form itself would post them (with the button pressed,
 * when given). Browsers take FormData as URLSearchParams' init; TypeScript's DOM library does not
 * list it (microsoft/TypeScript-DOM-lib-generator#1568), hence the one cast.
 */
export function formBody(form: HTMLFormElement, submitter?: HTMLElement | null): URLSearchParams {
  return new URLSearchParams(new FormData(form, submitter) as unknown as Record<string, string>);
}
