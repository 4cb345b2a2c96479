// Types of the GS1 AI table (src/domain/gs1/ai-table.ts, generated) and of the parser's result.

/** One component of an AI's data field, as the Syntax Dictionary writes it ("N6,yymmd0", "[X..17]"). */
export interface Gs1Component {
  /** N numeric, X GS1 character set 82, Y character set 39, Z character set 64 (base64url). */
  cset: 'N' | 'X' | 'Y' | 'Z';
  min: number;
  max: number;
  /** An optional final component ("[N6]"). */
  opt: boolean;
  /** The dictionary's linters for the component (csum, yymmdd, …). */
  lint: string[];
}

export interface Gs1AiDefinition {
  /** "*": pre-defined length, no FNC1 separator needed after the element. */
  fixed: boolean;
  /** "!": a GS1 identification key. */
  key: boolean;
  /** "?": permitted as a GS1 Digital Link data attribute. */
  dl: boolean;
  parts: Gs1Component[];
  /** Each req= attribute: one of its alternatives must be satisfied; an alternative is a list of AIs/patterns, all needed. */
  req: string[][][];
  /** ex=: AIs or patterns ("310n") this AI may not appear with (other than itself). */
  ex: string[];
  /** dlpkey: GS1 Digital Link primary key, with its alternative qualifier sequences. */
  dlpkey?: string[][];
  title: string;
}

/** One element string: an AI and its value. */
export interface Gs1Element {
  ai: string;
  value: string;
}

/** The rule an element string breaks. */
export type Gs1ErrorCode =
  | 'empty'
  | 'syntax' // bracketed form malformed: no "(", unterminated AI, non-numeric AI
  | 'unknown_ai'
  | 'bad_length'
  | 'bad_character'
  | 'bad_check_digit'
  | 'bad_date'
  | 'bad_time'
  | 'bad_content' // another of the dictionary's linters (piece of total, % encoding, zero, hyphen, IBAN, coupons, …), or a key without its serial beside (8030)
  | 'repeated_ai_conflict'
  | 'invalid_pairing'
  | 'missing_required';

export type Gs1ParseResult =
  | {
      ok: true;
      elements: Gs1Element[];
      /** The same as GS1 element string with GS (\x1D) only where a separator is needed. */
      elementString: string;
      /** The same in the bracketed human-readable form. */
      bracketed: string;
      /** Linters of the dictionary this module does not run, or runs only in part (code lists such as ISO 3166), by AI. */
      unchecked: { ai: string; linter: string }[];
    }
  | {
      ok: false;
      error: Gs1ErrorCode;
      ai?: string;
      /** Offset in the input (after any symbology identifier is stripped it still counts from the raw input). */
      position?: number;
      /** For the pairing rules: the other AI or the requirement not met; for linters: its name; for a key without its serial: "8030". */
      detail?: string;
    };
