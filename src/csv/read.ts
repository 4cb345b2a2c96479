import { parse } from 'csv-parse/sync';
import { AppError } from '../errors.js';
import { restoreCell, type Separator } from './format.js';

/** The most rows one import file may hold: its preview is one page and its rows one transaction. */
export const MAX_IMPORT_ROWS = 20_000;
/** The largest import file accepted (bytes). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
/** The most columns a row of an import file may have (the import knows 8, an export writes 11). */
export const MAX_IMPORT_COLUMNS = 100;
/** The longest cell of an import file (characters). */
export const MAX_CELL_CHARS = 10_000;

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

/** Line breaks as a person counts them: `\r\n`, `\r` or `\n`, each one line. */
function lineCounter(bytes: Uint8Array) {
  let at = 0;
  let line = 1;
  const isBreak = (b: number | undefined) => b === 0x0a || b === 0x0d;
  const step = () => {
    if (bytes[at] === 0x0d && bytes[at + 1] === 0x0a) at++;
    if (isBreak(bytes[at])) line++;
    at++;
  };
  return {
    /** The line of the first byte at or after `offset` that is not a line break (a row's first line: skipped blank lines before it counted). */
    lineOfRowAfter(offset: number): number {
      while (at < offset) step();
      while (at < bytes.length && isBreak(bytes[at])) step();
      return line;
    },
  };
}

class TooMany extends Error {}

/**
 * Reads an uploaded CSV file: UTF-8 with or without a byte order mark, `,` or `;` between cells,
 * quoted cells as spreadsheets write them, a header row naming the columns (any case). Columns in
 * `ignored` (figures an export writes that cannot be imported) are left out; any other column not
 * in `known` refuses the file, so a misspelt column is not silently skipped. Blank lines are skipped.
 * A row's line is the file's own line where the row starts, also after cells with line breaks.
 * A cell an export neutralised (`'=…`, format.ts neutraliseCell) is read back as it was.
 * Limits, each refusing the file as soon as it is passed: MAX_IMPORT_COLUMNS columns in any row,
 * MAX_CELL_CHARS characters in a cell, MAX_IMPORT_ROWS rows. Synchronous and CPU-bound: the server
 * runs it in a worker thread (in-worker.ts).
 */
export function readCsvFile(content: Uint8Array, known: readonly string[], required: readonly string[], ignored: readonly string[]): CsvFile {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(content);
  } catch {
    throw unreadable('csv.errors.notUtf8');
  }
  if (text.trim() === '') throw unreadable('csv.errors.empty');
  const headerLine = text.split(/\r\n|\n|\r/, 1)[0]!;
  // A header of a million empty columns is refused before it is parsed.
  if (headerLine.split(/[,;]/).length > MAX_IMPORT_COLUMNS) throw unreadable('csv.errors.tooManyColumns', { max: MAX_IMPORT_COLUMNS });
  const separator = detectSeparator(headerLine, known);
  // The text again as bytes without the BOM: csv-parse's info.bytes are offsets into these.
  const bytes = Buffer.from(text, 'utf8');
  const lines = lineCounter(bytes);
  let rows: { record: string[]; line: number }[] = [];
  let end = 0;
  try {
    const parsed = parse(bytes, {
      delimiter: separator,
      skip_empty_lines: true,
      relax_column_count: true,
      max_record_size: MAX_CELL_CHARS,
      on_record: (record: string[], info: { bytes: number; records: number }): string[] => {
        if (record.length > MAX_IMPORT_COLUMNS) throw new TooMany('columns');
        if (info.records > MAX_IMPORT_ROWS + 1) throw new TooMany('rows');
        const line = lines.lineOfRowAfter(end);
        end = info.bytes;
        // The record and its line, as one value (on_record's type knows arrays only).
        return { record, line } as unknown as string[];
      },
    }) as unknown;
    rows = parsed as { record: string[]; line: number }[];
  } catch (err) {
    if (err instanceof TooMany && err.message === 'columns') throw unreadable('csv.errors.tooManyColumns', { max: MAX_IMPORT_COLUMNS });
    if (err instanceof TooMany) throw unreadable('csv.errors.tooManyRows', { max: MAX_IMPORT_ROWS });
    const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: string; lines?: number };
    const line = e.lines ?? '?';
    if (e.code === 'CSV_MAX_RECORD_SIZE') throw unreadable('csv.errors.cellTooLong', { max: MAX_CELL_CHARS, line });
    throw unreadable('csv.errors.malformed', { line });
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
  const columns = [...seen];
  const records = body.map(({ record, line }) => {
    const cells: Record<string, string> = {};
    header.forEach((name, i) => {
      if (seen.has(name)) cells[name] = restoreCell((record[i] ?? '').trim());
    });
    return { line, cells };
  });
  return { separator, columns, records };
}
