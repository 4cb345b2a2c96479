import { AppError } from '../errors.js';
import { barcodeSchema, skuSchema } from '../products/schemas.js';
import { parse } from '../validate.js';
import { majorUnits, percent, readDecimal, type Separator } from './format.js';
import { importRowBody, type ImportRowInput, type RowError } from './import.js';
import type { CsvRecord } from './read.js';

/** The body field each column fills, and back (for errors the product service names by field). */
const FIELD_OF: Record<string, string> = {
  name: 'name',
  barcode: 'barcode',
  location: 'location',
  price: 'price',
  vat_percent: 'vatRate',
  track_stock: 'trackStock',
  on_hand: 'onHand',
};
const COLUMN_OF = Object.fromEntries(Object.entries(FIELD_OF).map(([c, f]) => [f, c]));

export const columnOfField = (path: string): string | undefined => COLUMN_OF[path.split('.')[0]!];

// English, and the shop languages' own words (ja / nej / nei, oui / non).
const YES = ['yes', 'y', 'true', '1', 'ja', 'j', 'x', 'oui'];
const NO = ['no', 'n', 'false', '0', 'nej', 'nei', 'non'];

/**
 * The examples a row's errors give, in the file's own number style: a file with `;` between cells
 * has decimal commas (format.ts), so it is told "129,50", a comma-separated file "129.50".
 */
export function numberExamples(separator: Separator) {
  return { money: majorUnits(12950, separator), vatPercent: percent(1250, separator) };
}

/**
 * A row of an import file as the body `PUT /api/v1/products/:sku` takes, checked with the same
 * schema; each cell a person can get wrong gets its message and its column. A column left out of
 * the file, or (for on hand, barcode-less products aside) an empty cell, keeps what the product has.
 */
export function importRowFromRecord(record: CsvRecord, separator: Separator = ','): ImportRowInput {
  const cells = record.cells;
  const example = numberExamples(separator);
  const errors: RowError[] = [];
  const sku = cells.sku ?? '';
  try {
    parse(skuSchema, sku);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    errors.push(...err.fields.map((f) => ({ column: 'sku', key: f.key, params: f.params })));
  }
  const raw: Record<string, unknown> = { name: cells.name ?? '' };
  const has = (c: string) => c in cells;
  if (has('barcode')) raw.barcode = cells.barcode === '' ? null : cells.barcode;
  if (has('location')) raw.location = cells.location === '' ? null : cells.location;
  if (has('price') && cells.price !== '') {
    const n = readDecimal(cells.price!);
    if (n === undefined) errors.push({ column: 'price', key: 'csv.errors.money', params: { example: example.money } });
    else raw.price = Math.round(n * 100);
  } else if (has('price')) raw.price = null;
  if (has('vat_percent') && cells.vat_percent !== '') {
    const n = readDecimal(cells.vat_percent!.replace(/%$/, ''));
    if (n === undefined || n > 100) errors.push({ column: 'vat_percent', key: 'csv.errors.vatPercent', params: { example: example.vatPercent } });
    else raw.vatRate = Math.round(n * 100);
  }
  if (has('track_stock') && cells.track_stock !== '') {
    const v = cells.track_stock!.toLowerCase();
    if (YES.includes(v)) raw.trackStock = true;
    else if (NO.includes(v)) raw.trackStock = false;
    else errors.push({ column: 'track_stock', key: 'csv.errors.yesNo' });
  }
  if (has('on_hand') && cells.on_hand !== '') {
    const text = cells.on_hand!.replace(/[\s\u00A0\u202F]/g, '');
    if (!/^-?\d+$/.test(text)) errors.push({ column: 'on_hand', key: 'validation.integer' });
    else raw.onHand = Number(text);
  }
  let body = null;
  try {
    body = parse(importRowBody, raw);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    errors.push(...err.fields.map((f) => ({ column: columnOfField(f.path), key: f.key, params: f.params })));
  }
  // The barcode as read, for the service's checks of a bad row (import.ts); none when the cell itself is wrong.
  const barcode = typeof raw.barcode === 'string' ? barcodeSchema.safeParse(raw.barcode).data : undefined;
  return { line: record.line, sku, body: errors.length > 0 ? null : body, barcode, errors };
}
