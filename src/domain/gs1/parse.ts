// GS1 element strings read as the GS1 General Specifications define them, by the GS1 Barcode Syntax
// Dictionary (ai-table.ts, generated from GS1's machine-readable dictionary): every AI with its
// format, character set, check digits and dates, and the rules between AIs (an AI repeated only with
// the same value, the invalid pairings "ex=" and the required ones "req="). Two input forms:
//
//   - the element string a scanner sends: an optional symbology identifier (]C1 GS1-128, ]d2 GS1
//     DataMatrix, ]Q3 GS1 QR, ]e0 GS1 DataBar, ]J1 GS1 DotCode), an optional leading FNC1, and GS
//     (\x1D) after each element whose AI is not of pre-defined length;
//   - the bracketed human-readable form "(01)09501101020917(10)ABC", where "\(" is a data "(".
//
// Pure: no database, no DOM; the browser bundle can use it as it is.

import { GS1_AI_TABLE } from './ai-table.js';
import { badCharacterAt, LINTERS, PARTLY_CHECKED_LINTERS, UNCHECKED_LINTERS } from './linters.js';
import type { Gs1AiDefinition, Gs1Element, Gs1ErrorCode, Gs1ParseResult } from './types.js';

/** GS (ASCII 29): FNC1 as a scanner transmits it between elements. */
export const GS = '\x1D';

export interface Gs1ParseOptions {
  /** true: the bracketed form; false: an element string; absent: bracketed when the input starts with "(". */
  bracketed?: boolean;
  /** The day two-digit years are read against (GS1's 100-year window). Default: now. */
  today?: Date;
  /**
   * Check req= (mandatory associations). Default true. GS1 says they are "evaluated over the combined
   * data received from all GS1 carriers marking a physical item": a caller reading one carrier of
   * several sets false and checks the union with `checkAssociations`.
   */
  checkRequired?: boolean;
}

type Failure = Extract<Gs1ParseResult, { ok: false }>;
const fail = (error: Gs1ErrorCode, extra: Omit<Failure, 'ok' | 'error'> = {}): Failure => ({ ok: false, error, ...extra });

const SYMBOLOGY = /^\](C1|d2|Q3|e0|J1)/;
/** Longer than any real symbol carries (GS1 DataMatrix holds at most 2335 alphanumerics). */
const MAX_INPUT = 4096;

/** The definition of an AI, or undefined when the dictionary has no such AI. */
export function gs1Ai(ai: string): Gs1AiDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(GS1_AI_TABLE, ai) ? GS1_AI_TABLE[ai] : undefined;
}

/** The AI the dictionary has at the start of `text` (AIs are prefix-free), or null. */
function aiAt(text: string, at: number): string | null {
  for (let length = 2; length <= 4; length++) {
    const ai = text.slice(at, at + length);
    if (ai.length === length && /^\d+$/.test(ai) && gs1Ai(ai)) return ai;
  }
  return null;
}

interface Raw extends Gs1Element {
  position: number;
}

/** The elements read, and the failure that stopped the reading, if any (reported after the elements before it are checked). */
type Split = { raw: Raw[]; failure?: Failure };

function splitElementString(text: string, offset: number): Split {
  const out: Raw[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === GS) {
      i++;
      continue;
    }
    const ai = aiAt(text, i);
    if (!ai) return { raw: out, failure: fail('unknown_ai', { position: offset + i }) };
    const def = gs1Ai(ai)!;
    const start = i + ai.length;
    if (def.fixed) {
      const length = def.parts.reduce((n, p) => n + p.max, 0);
      const value = text.slice(start, start + length);
      const gs = value.indexOf(GS);
      if (value.length < length || gs !== -1) return { raw: out, failure: fail('bad_length', { ai, position: offset + start }) };
      out.push({ ai, value, position: offset + start });
      i = start + length;
    } else {
      const end = text.indexOf(GS, start);
      const value = text.slice(start, end === -1 ? undefined : end);
      out.push({ ai, value, position: offset + start });
      i = end === -1 ? text.length : end + 1;
    }
  }
  return { raw: out };
}

function splitBracketed(text: string, offset: number): Split {
  const out: Raw[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '(') return { raw: out, failure: fail('syntax', { position: offset + i }) };
    const close = text.indexOf(')', i + 1);
    if (close === -1) return { raw: out, failure: fail('syntax', { position: offset + i }) };
    const ai = text.slice(i + 1, close);
    if (!/^\d+$/.test(ai)) return { raw: out, failure: fail('syntax', { position: offset + i + 1 }) };
    if (!gs1Ai(ai)) return { raw: out, failure: fail('unknown_ai', { ai, position: offset + i + 1 }) };
    let value = '';
    let j = close + 1;
    while (j < text.length && text[j] !== '(') {
      if (text[j] === '\\' && text[j + 1] === '(') {
        value += '(';
        j += 2;
      } else value += text[j++];
    }
    out.push({ ai, value, position: offset + close + 1 });
    i = j;
  }
  return { raw: out };
}

/** Checks one element's value against its AI's components: length, character set, linters. */
function checkValue(el: Raw, def: Gs1AiDefinition, today: Date, unchecked: { ai: string; linter: string }[]): Failure | null {
  const { ai, value, position } = el;
  const min = def.parts.reduce((n, p) => n + (p.opt ? 0 : p.min), 0);
  const max = def.parts.reduce((n, p) => n + p.max, 0);
  if (value.length < min || value.length > max) return fail('bad_length', { ai, position });
  let p = 0;
  for (const part of def.parts) {
    if (part.opt && p === value.length) break;
    const take = Math.min(value.length - p, part.max);
    if (take < part.min) return fail('bad_length', { ai, position: position + p });
    const component = value.slice(p, p + take);
    const bad = badCharacterAt(part.cset, component);
    if (bad !== -1) return fail('bad_character', { ai, position: position + p + bad });
    for (const name of part.lint) {
      const linter = LINTERS[name];
      if (!linter) {
        if (!UNCHECKED_LINTERS.has(name)) throw new Error(`GS1: no linter ${name}`);
        unchecked.push({ ai, linter: name });
        continue;
      }
      const problem = linter(component, today);
      if (problem) return fail(problem.error, { ai, position: position + p + (problem.at ?? 0), detail: problem.linter });
      if (PARTLY_CHECKED_LINTERS.has(name)) unchecked.push({ ai, linter: name });
    }
    p += take;
  }
  if (p !== value.length) return fail('bad_length', { ai, position: position + p });
  return null;
}

/** Does an AI match a dictionary pattern ("310n", "31nn", "8006")? */
export function matchesPattern(ai: string, pattern: string): boolean {
  if (ai.length !== pattern.length) return false;
  for (let i = 0; i < ai.length; i++) if (pattern[i] !== 'n' && pattern[i] !== ai[i]) return false;
  return true;
}

/** The keys whose value must carry its optional serial component beside a digital signature (8030). */
const SERIALISED_WITH_DIGSIG = ['253', '255', '8003'];

/**
 * The rules between AIs, over a set of elements (one carrier's, or every carrier's on an item):
 * an AI repeated only with the same value, no "ex=" pair, (unless `checkRequired` is false) each
 * "req=" satisfied, and beside a digital signature (8030) a GDTI (253), GCN (255) or GRAI (8003)
 * with its serial component (the Syntax Engine's validateDigSigRequiresSerialisedKey; reported as
 * `bad_content` of that AI, detail "8030"). Null when they hold.
 */
export function checkAssociations(elements: readonly Gs1Element[], options: { checkRequired?: boolean } = {}): Failure | null {
  const values = new Map<string, string>();
  for (const { ai, value } of elements) {
    const seen = values.get(ai);
    if (seen !== undefined && seen !== value) return fail('repeated_ai_conflict', { ai, detail: seen });
    values.set(ai, value);
  }
  const ais = [...values.keys()];
  for (const ai of ais) {
    for (const pattern of gs1Ai(ai)?.ex ?? []) {
      const other = ais.find((b) => b !== ai && matchesPattern(b, pattern));
      if (other) return fail('invalid_pairing', { ai, detail: other });
    }
  }
  if (options.checkRequired !== false) {
    for (const ai of ais) {
      for (const group of gs1Ai(ai)?.req ?? []) {
        const met = group.some((alternative) => alternative.every((pattern) => ais.some((b) => b !== ai && matchesPattern(b, pattern))));
        if (!met) return fail('missing_required', { ai, detail: group.map((alt) => alt.join('+')).join(',') });
      }
    }
  }
  if (values.has('8030')) {
    for (const ai of SERIALISED_WITH_DIGSIG) {
      const value = values.get(ai);
      const def = gs1Ai(ai);
      if (value === undefined || !def) continue;
      const min = def.parts.reduce((n, p) => n + (p.opt ? 0 : p.min), 0);
      if (value.length === min) return fail('bad_content', { ai, detail: '8030' });
    }
  }
  return null;
}

/** The element string of some elements: GS after each element of variable length but the last. */
export function toElementString(elements: readonly Gs1Element[]): string {
  return elements.map((e, i) => e.ai + e.value + (i < elements.length - 1 && !gs1Ai(e.ai)?.fixed ? GS : '')).join('');
}

/** The bracketed human-readable form, "(" in data escaped as "\(". */
export function toBracketed(elements: readonly Gs1Element[]): string {
  return elements.map((e) => `(${e.ai})${e.value.replace(/\(/g, '\\(')}`).join('');
}

/** Parses and validates GS1 element strings (see the file's comment). */
export function parseGs1(input: string, options: Gs1ParseOptions = {}): Gs1ParseResult {
  let text = input.replace(/[\r\n]+$/, '');
  let offset = 0;
  const symbology = SYMBOLOGY.exec(text);
  if (symbology) {
    text = text.slice(3);
    offset = 3;
  }
  if (text.length > MAX_INPUT) return fail('bad_length');
  const bracketed = options.bracketed ?? text.startsWith('(');
  if (!bracketed) {
    const lead = /^\x1D*/.exec(text)![0].length;
    text = text.slice(lead);
    offset += lead;
  }
  if (text.replace(/\x1D/g, '') === '') return fail('empty');
  const { raw, failure } = bracketed ? splitBracketed(text, offset) : splitElementString(text, offset);
  const today = options.today ?? new Date();
  const unchecked: { ai: string; linter: string }[] = [];
  for (const el of raw) {
    if (bracketed && el.value.includes(GS)) return fail('bad_character', { ai: el.ai, position: el.position + el.value.indexOf(GS) });
    const problem = checkValue(el, gs1Ai(el.ai)!, today, unchecked);
    if (problem) return problem;
  }
  if (failure) return failure;
  const elements = raw.map(({ ai, value }) => ({ ai, value }));
  const association = checkAssociations(elements, options);
  if (association) {
    const at = raw.find((e) => e.ai === association.ai);
    return at ? { ...association, position: at.position - at.ai.length } : association;
  }
  return { ok: true, elements, elementString: toElementString(elements), bracketed: toBracketed(elements), unchecked };
}
