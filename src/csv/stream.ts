import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { CsvDialect } from './format.js';

/**
 * Rows of a CSV file read a chunk at a time: each call reads the next chunk synchronously (a
 * better-sqlite3 statement's `.iterate()`, finished within the call, so the connection is free
 * again between chunks for the server's other requests) and writes its rows; false when none are left.
 */
export type ChunkReader = (write: (row: unknown[]) => void) => boolean;

/**
 * Streams a CSV file to `out` (an HTTP response): the header, then chunk after chunk, waiting for
 * the stringifier to drain whenever the client reads slower than the database gives rows, so a
 * file of millions of rows never sits in memory. A client that goes away stops the reading. A cell
 * with a line break (`\n` or `\r` alone too, not only the `\r\n` that ends a row) is quoted, so that a
 * spreadsheet reads it as one cell of one row.
 */
export async function streamCsv(out: Writable, header: readonly string[], dialect: CsvDialect, readChunk: ChunkReader): Promise<void> {
  const stringifier = stringify({
    delimiter: dialect.separator,
    bom: dialect.bom,
    record_delimiter: 'windows',
    header: true,
    columns: [...header],
    quoted_match: /[\r\n]/,
  });
  const done = pipeline(stringifier, out);
  const stop = new AbortController();
  // Seen by the loop below through the aborted signal; the rejection itself is awaited at the end.
  done.catch(() => stop.abort());
  const write = (row: unknown[]) => {
    stringifier.write(row);
  };
  while (!stop.signal.aborted && readChunk(write)) {
    if (stringifier.writableNeedDrain) {
      try {
        await once(stringifier, 'drain', { signal: stop.signal });
      } catch {
        break;
      }
    }
  }
  stringifier.end();
  await done;
}
