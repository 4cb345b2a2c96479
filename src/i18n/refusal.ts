import { isLayout } from '../domain/scan-input.js';
import type { AppError, FieldError } from '../errors.js';
import { layoutNames } from '../scanners/read.js';
import type { Translate } from './index.js';

// A refusal in the reader's words, for every place that shows one: pages, the API, the station
// and the pack script's command line.

/** Parameters shown in the reader's language: statuses by name, times as HH:MM in the shop's zone. */
export function localizedParams(appError: AppError, t: Translate, timeZone: string): Record<string, unknown> {
  const params = { ...appError.params };
  const allowed = appError.details?.allowed;
  if (Array.isArray(allowed)) params.allowed = allowed.map((s) => t(`status.${String(s)}`)).join(', ') || '—';
  const since = appError.details?.since;
  if (typeof since === 'string') params.since = new Intl.DateTimeFormat('sv-SE', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(since));
  // A scan read through keyboard layouts names them in the reader's language.
  const layouts = appError.details?.layouts;
  if (Array.isArray(layouts) && layouts.length) params.layouts = layoutNames(layouts.filter(isLayout), t);
  // A carrier's refusal names our fields in the reader's words, each with the carrier's own message.
  const problems = appError.details?.carrierProblems;
  if (Array.isArray(problems)) params.problems = carrierProblemWords(problems as { field: string | null; message: string }[], t);
  return params;
}

/** A carrier's reasons as one line: "the recipient's postcode: <the carrier's words>; …". */
export function carrierProblemWords(problems: readonly { field: string | null; message: string }[], t: Translate): string {
  return problems.map((p) => (p.field ? `${t(`carrierFields.${p.field}`)}: ${p.message}` : p.message)).join('; ');
}

export function translateFields(fields: FieldError[], t: Translate) {
  return fields.map((f) => ({ path: f.path, message: t(f.key, f.params) }));
}
