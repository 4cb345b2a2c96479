import { visible } from './scan-words.js';

// The packing station's refusals (src/browser/shipping.ts shows them): each stays until it is
// acknowledged, and the words of later answers wait behind it (the order card still shows what
// those scans did), so the next scan's "Checked" never hides a "Put it back". Pure: no DOM.

/** A refusal, listed until acknowledged. */
export interface Refusal {
  refusal: true;
  value: string;
  message: string;
  at: number;
}
/** An answer's words that came while a refusal was shown. */
export interface Words {
  refusal?: false;
  message: string;
  kind: string;
}
export type BacklogEntry = Refusal | Words;

/** At most this many entries: a runaway drops the oldest words waiting, then the oldest refusals (never the one shown). */
export const BACKLOG_MAX = 50;

/** The backlog, oldest first. */
export class Backlog {
  readonly entries: BacklogEntry[];

  /** `stored`: the refusals as `stored()` kept them (a tab's sessionStorage), as JSON; anything unreadable is none. */
  constructor(stored?: string | null) {
    this.entries = Backlog.restore(stored);
  }

  private static restore(stored: string | null | undefined): BacklogEntry[] {
    try {
      const rows: unknown = JSON.parse(stored || '[]');
      return Array.isArray(rows) ? rows.map((r: Omit<Refusal, 'refusal'>) => ({ ...r, refusal: true })) : [];
    } catch {
      return [];
    }
  }

  /** A refusal is shown (the first one is what the status line says). */
  get refusalShown(): boolean {
    return this.entries.some((e) => e.refusal);
  }

  refusals(): Refusal[] {
    return this.entries.filter((e): e is Refusal => e.refusal === true);
  }

  /** How many answers' words wait behind the refusals. */
  get waiting(): number {
    return this.entries.filter((e) => !e.refusal).length;
  }

  /** The refusals as kept across a reload (the words waiting are not: the card shows what those scans did). */
  stored(): string {
    return JSON.stringify(this.refusals().map(({ value, message, at }) => ({ value, message, at })));
  }

  /** Lists a refusal (GS made visible in its value); true when it is the first, to be said at once. */
  refuse(value: string, message: string, at: number): boolean {
    const first = !this.refusalShown;
    this.entries.push({ refusal: true, value: visible(value), message, at });
    while (this.entries.length > BACKLOG_MAX) {
      const words = this.entries.findIndex((e) => !e.refusal);
      this.entries.splice(words >= 0 ? words : 1, 1);
    }
    return first;
  }

  /** An answer's words: `say` them now, or `kept` behind the refusal shown; `none` for no words. */
  tell(message: string, kind: string): 'say' | 'kept' | 'none' {
    if (!message) return 'none';
    if (!this.refusalShown) return 'say';
    this.entries.push({ message, kind });
    return 'kept';
  }

  /**
   * Acknowledges a refusal (the first, or the one whose OK was pressed): the words that waited
   * behind it go, up to the next refusal. Null when there was none; else the refusal now first
   * (`next`), or the last words that waited (`last`), for the status line.
   */
  acknowledge(entry: BacklogEntry | undefined = this.entries.find((e) => e.refusal)): { next: Refusal | undefined; last: Words | null } | null {
    const at = entry ? this.entries.indexOf(entry) : -1;
    if (at < 0) return null;
    this.entries.splice(at, 1);
    let last: Words | null = null;
    while (this.entries.length && !this.entries[0]!.refusal) last = this.entries.shift() as Words;
    return { next: this.entries.find((e): e is Refusal => e.refusal === true), last };
  }
}
