// GS1 element strings as the GS1 General Specifications define them: see parse.ts.
export { parseGs1, checkAssociations, matchesPattern, toElementString, toBracketed, gs1Ai, GS } from './parse.js';
export type { Gs1ParseOptions } from './parse.js';
export { GS1_AI_TABLE, GS1_DICTIONARY_SOURCE } from './ai-table.js';
export { gs1CheckDigitOf, centuryOf, CSET82, CSET39, CSET64 } from './linters.js';
export type { Gs1AiDefinition, Gs1Component, Gs1Element, Gs1ErrorCode, Gs1ParseResult } from './types.js';
