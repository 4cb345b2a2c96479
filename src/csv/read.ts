import { parse } from 'csv-parse/sync';
import { AppError } from '../errors.js';
import type { Separator } from './format.js';

/** The most rows one import file may hold: its preview is one page and its rows one transaction. */
export const MAX_IMPORT_ROWS = 20_000;
/** The largest import file accepted (bytes). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;

/** A row of the file: its line number in the file (the header is line 1) and its cells by column. */
export interface CsvRecord {
  line: number;
  cells: Record<string, string>;
}

export interface CsvFile {
  separator: Separator;
  columns: string[];
  records: CsvRecord[];
}

function unreadable(key: string, params: Record<string, unknown> = {}): AppError {
  return new AppError('csv_unreadable', key, params);
}

/**
 * The separator of a file: the one of `,` and `;` that splits the header into more of the known
 * column names (a header of one column has neither, and either reads it).
 */
function detectSeparator(headerLine: string, known: readonly string[]): Separator {
  const score = (sep: Separator) => headerLine.split(sep).filter((c) => known.includes(c.trim().replace(/^"|"$/g, '').toLowerCase())).length;
  return score(';') > score(',') ? ';' : ',';
}

/**
 * Reads an uploaded CSV file: UTF-8 with or without a byte order mark, `,` or `;` between cells,
 * quoted cells as spreadsheets write them, a header row naming the columns (any case). Columns in
 * `ignored` (figures an export writes that cannot be imported) are left out; any other column not
 * in `known` refuses the file, so a misspelt column is not silently skipped. Blank lines are skipped.
 */
export function readCsvFile(content: Buffer, known: readonly string[], required: readonly string[], ignored: readonly string[]): CsvFile {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(content);
  } catch {
    throw unreadable('csv.errors.notUtf8');
  }
  if (text.trim() === '') throw unreadable('csv.errors.empty');
  const headerLine = text.split(/\r\n|\n|\r/, 1)[0]!;
  const separator = detectSeparator(headerLine, known);
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    const parsed: unknown = parse(text, { delimiter: separator, skip_empty_lines: true, relax_column_count: true, info: true });
    rows = parsed as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const line = typeof err === 'object' && err !== null && 'lines' in err ? Number((err).lines) : undefined;
    throw unreadable('csv.errors.malformed', { line: line ?? '?' });
  }
  const [head, ...body] = rows;
  const header = head!.record.map((c) => c.trim().toLowerCase());
  const seen = new Set<string>();
  for (const name of header) {
    if (name === '' || ignored.includes(name)) continue;
    if (!known.includes(name)) throw unreadable('csv.errors.unknownColumn', { column: name, columns: known.join(', ') });
    if (seen.has(name)) throw unreadable('csv.errors.repeatedColumn', { column: name });
    seen.add(name);
  }
  for (const name of required) if (!seen.has(name)) throw unreadable('csv.errors.missingColumn', { column: name });
  if (body.length === 0) throw unreadable('csv.errors.noRows');
  if (body.length > MAX_IMPORT_ROWS) throw unreadable('csv.errors.tooManyRows', { max: MAX_IMPORT_ROWS });
  const columns = [...seen];
  const records = body.map(({ record, info }) => {
    const cells: Record<string, string> = {};
    header.forEach((name, i) => {
      if (seen.has(name)) cells[name] = (record[i] ?? '').trim();
    });
    return { line: info.lines, cells };
  });
  return { separator, columns, records };
}
