import { z } from 'zod';
import { savepoint, writeTransaction, type Db } from '../db/client.js';
import type { Actor } from '../domain/actor.js';
import { AppError, type FieldError } from '../errors.js';
import { findProductBySku, type ProductRow } from '../products/repo.js';
import { productBody } from '../products/schemas.js';
import { barcodeProblems, upsertProductIn } from '../products/service.js';

/** The columns of a products and stock import; the export's own figures are read past. */
export const IMPORT_COLUMNS = ['sku', 'name', 'barcode', 'location', 'price', 'vat_percent', 'track_stock', 'on_hand'] as const;
export const IMPORT_REQUIRED = ['sku', 'name'] as const;
export const IMPORT_IGNORED = ['allocated', 'available', 'sellable', 'reserved'] as const;

/**
 * A row as `PUT /api/v1/products/:sku` takes it (products/schemas.ts), except that on hand may be
 * left out: the product keeps the stock it has (none for a new one).
 */
export const importRowBody = productBody.extend({ onHand: productBody.shape.onHand.optional() });
export type ImportRowBody = z.infer<typeof importRowBody>;

/** A row of the file, read and checked as far as the file alone can tell. */
export interface ImportRowInput {
  line: number;
  sku: string;
  /** Null when the row's own cells are wrong (its errors say why). */
  body: ImportRowBody | null;
  /**
   * The barcode cell as read, also on a row whose other cells are wrong: the product service's own
   * barcode checks (check digit, another product's barcode) are listed beside the cells' errors.
   */
  barcode?: string | null;
  errors: RowError[];
}

/** What is wrong with a row: a catalog key with its parameters, and the column when there is one. */
export interface RowError {
  column?: string;
  key: string;
  params?: Record<string, unknown>;
}

export type RowAction = 'create' | 'update' | 'unchanged' | 'bad';

export interface ImportRowOutcome {
  line: number;
  sku: string;
  action: RowAction;
  errors: RowError[];
  /** Every field the row changes, before (null for a new product) and after, in IMPORT_COLUMNS order. */
  changes?: FieldChange[];
}

/** The product fields an import can change, as a preview names them. */
export const CHANGE_FIELDS = ['name', 'barcode', 'location', 'price', 'vatRate', 'trackStock', 'onHand'] as const;
export type ChangeField = (typeof CHANGE_FIELDS)[number];
type FieldValue = string | number | boolean | null;

/** One field a row changes: its value before (`before` absent for a new product) and after. */
export interface FieldChange {
  field: ChangeField;
  before?: FieldValue;
  after: FieldValue;
}

/**
 * What a row changes, field by field: for an update each field whose value differs, for a new
 * product the fields it is created with (a blank barcode or location left out).
 */
export function fieldChanges(before: ProductRow | undefined, after: ProductRow): FieldChange[] {
  if (!before)
    return CHANGE_FIELDS.filter((f) => f === 'name' || f === 'price' || f === 'onHand' || (after[f] !== null && after[f] !== '')).map((field) => ({
      field,
      after: after[field],
    }));
  return CHANGE_FIELDS.filter((f) => before[f] !== after[f]).map((field) => ({ field, before: before[field], after: after[field] }));
}

export interface ImportOutcome {
  rows: ImportRowOutcome[];
  counts: Record<RowAction, number>;
  /** Whether the rows were written (false for a preview and for a file refused for its bad rows). */
  applied: boolean;
}

class Rollback extends Error {}
class Unchanged extends Error {}

/** The fields a row can change, to tell an update from a row that changes nothing. */
function sameProduct(a: ProductRow, b: ProductRow): boolean {
  return (Object.keys(a) as (keyof ProductRow)[]).every((k) => k === 'updatedAt' || String(a[k]) === String(b[k]));
}

function errorsOf(err: AppError, columnOf: (path: string) => string | undefined): RowError[] {
  if (err.fields.length > 0) return err.fields.map((f: FieldError) => ({ column: columnOf(f.path), key: f.key, params: f.params }));
  return [{ key: err.key, params: err.params }];
}

/**
 * A batch of rows is one write transaction held for about this long at most, then the event loop
 * turns (other requests, other writers) before the next: 20,000 rows in one transaction held the
 * server for 20 s and more.
 */
export const BATCH_MS = 8;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

type ImportOptions = { actor: Actor; now: Date; dryRun: boolean; skipBad: boolean; columnOf: (path: string) => string | undefined };

/**
 * One pass over the rows: each batch (BATCH_MS of writing) in a write transaction of its own,
 * committed, or rolled back when `write` is false; every row in a savepoint of it, so a row the
 * service refuses is reported with its reason and the others go on.
 */
async function pass(db: Db, input: readonly ImportRowInput[], opts: ImportOptions, write: boolean): Promise<Omit<ImportOutcome, 'applied'>> {
  const rows: ImportRowOutcome[] = [];
  const counts: Record<RowAction, number> = { create: 0, update: 0, unchanged: 0, bad: 0 };
  const firstLine = new Map<string, number>();
  let next = 0;
  while (next < input.length) {
    if (next > 0) await turn();
    try {
      writeTransaction(db, (tx) => {
        const started = performance.now();
        while (next < input.length && performance.now() - started < BATCH_MS) {
          const row = input[next++]!;
          const outcome: ImportRowOutcome = { line: row.line, sku: row.sku, action: 'bad', errors: [...row.errors] };
          rows.push(outcome);
          const earlier = firstLine.get(row.sku);
          if (earlier !== undefined) outcome.errors.push({ column: 'sku', key: 'csv.errors.repeatedSku', params: { sku: row.sku, line: earlier } });
          else if (row.sku !== '') firstLine.set(row.sku, row.line);
          if (outcome.errors.length > 0 || !row.body) {
            // The service's barcode checks too, so that the row lists all that is wrong with it at once.
            if (row.barcode)
              outcome.errors.push(...barcodeProblems(tx, row.barcode, row.sku).map((f) => ({ column: opts.columnOf(f.path), key: f.key, params: f.params })));
            counts.bad++;
            continue;
          }
          const body = row.body;
          try {
            savepoint(tx, (sp) => {
              const before = findProductBySku(sp, row.sku);
              const { product } = upsertProductIn(sp, row.sku, { ...body, onHand: body.onHand ?? before?.onHand ?? 0 }, opts.actor, opts.now);
              if (before && sameProduct(before, product)) throw new Unchanged();
              outcome.action = before ? 'update' : 'create';
              outcome.changes = fieldChanges(before, product);
            });
          } catch (err) {
            if (err instanceof Unchanged) outcome.action = 'unchanged';
            else if (err instanceof AppError && err.status < 500) outcome.errors.push(...errorsOf(err, opts.columnOf));
            else throw err;
          }
          counts[outcome.action]++;
        }
        if (!write) throw new Rollback();
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
    }
  }
  return { rows, counts };
}

/**
 * Imports products and stock, upserting by SKU through the product service (products/service.ts:
 * the same checks as `PUT /api/v1/products/:sku`, on-hand changes through the stock writer with a
 * stock_count ledger row), in batches of short write transactions (BATCH_MS each) with the event
 * loop turning between them. A preview (`dryRun`) runs every batch exactly the same and rolls each
 * back, so it does not see an earlier batch's rows (two rows of one file that only clash through
 * each other, a barcode moved from one product to another, may preview well and be refused on
 * import). A file with a bad row is written only with `skipBad`, and then without its bad rows:
 * without it the rows are first run as a preview, and nothing is written if one is bad. The
 * batches are committed one by one, so a row that turns bad while they are written (changed by
 * someone else in the meantime) is skipped and counted as bad, the others written.
 */
export async function importProducts(db: Db, input: readonly ImportRowInput[], opts: ImportOptions): Promise<ImportOutcome> {
  if (opts.dryRun || !opts.skipBad) {
    const preview = await pass(db, input, opts, false);
    if (opts.dryRun || preview.counts.bad > 0) return { ...preview, applied: false };
  }
  return { ...(await pass(db, input, opts, true)), applied: true };
}
