import { and, count, eq, sql } from 'drizzle-orm';
import { preparedQuery, type Conn, type Tx, asStored } from '../db/client.js';
import { printers, stations } from '../db/schema/index.js';
import { DPIS, type Dpi } from './zpl.js';

// Queries of label printers and of each station's choice of printer. No rules here: service.ts decides.

/** A printer as stored, its resolution read as one of the resolutions labels are laid out for. */
export type PrinterRow = Omit<typeof printers.$inferSelect, 'dpi'> & { dpi: Dpi };

/** A station's label printer (none: PDF in the browser) and its print-automatically flag. */
export interface StationPrinterRow {
  stationId: number;
  printer: PrinterRow | null;
  autoPrint: boolean;
}

export interface PrinterFields {
  name: string;
  host: string;
  port: number;
  dpi: Dpi;
}

const allPrinters = preparedQuery((conn) =>
  conn
    .select()
    .from(printers)
    .orderBy(sql`${printers.name} COLLATE NOCASE`, printers.id)
    .prepare(),
);
const printerById = preparedQuery((conn) =>
  conn
    .select()
    .from(printers)
    .where(eq(printers.id, sql.placeholder('id')))
    .prepare(),
);
const printerByName = preparedQuery((conn) =>
  conn
    .select({ id: printers.id })
    .from(printers)
    .where(sql`${printers.name} = ${sql.placeholder('name')} COLLATE NOCASE`)
    .prepare(),
);
const insert = preparedQuery((conn) =>
  conn
    .insert(printers)
    .values({
      name: sql.placeholder('name'),
      kind: 'zpl',
      host: sql.placeholder('host'),
      port: sql.placeholder('port'),
      dpi: sql.placeholder('dpi'),
      createdAt: sql.placeholder('at'),
      updatedAt: sql.placeholder('at'),
    })
    .returning({ id: printers.id })
    .prepare(),
);
const update = preparedQuery((conn) =>
  conn
    .update(printers)
    .set({ name: asStored('name'), host: asStored('host'), port: asStored('port'), dpi: asStored('dpi'), updatedAt: asStored('at') })
    .where(eq(printers.id, sql.placeholder('id')))
    .prepare(),
);
const remove = preparedQuery((conn) =>
  conn
    .delete(printers)
    .where(eq(printers.id, sql.placeholder('id')))
    .prepare(),
);
const stationsWith = preparedQuery((conn) =>
  conn
    .select({ n: count() })
    .from(stations)
    .where(eq(stations.labelPrinterId, sql.placeholder('printerId')))
    .prepare(),
);
const stationOf = preparedQuery((conn) =>
  conn
    .select({ stationId: stations.id, printerId: stations.labelPrinterId, autoPrint: stations.autoPrint })
    .from(stations)
    .where(and(eq(stations.userId, sql.placeholder('userId')), eq(stations.name, sql.placeholder('name'))))
    .prepare(),
);
const setStation = preparedQuery((conn) =>
  conn
    .update(stations)
    .set({ labelPrinterId: asStored('printerId'), autoPrint: asStored('autoPrint') })
    .where(eq(stations.id, sql.placeholder('stationId')))
    .prepare(),
);

/** The resolution of a stored printer; the form only saves these, so another is the column's default's. */
function withDpi(row: typeof printers.$inferSelect): PrinterRow {
  return { ...row, dpi: DPIS.find((d) => d === row.dpi) ?? DPIS[0] };
}

/** Every printer, by name (case-insensitive), then id. */
export function listPrinters(conn: Conn): PrinterRow[] {
  return allPrinters(conn).all().map(withDpi);
}

/** One printer by id, or undefined. */
export function findPrinter(conn: Conn, id: number): PrinterRow | undefined {
  const row = printerById(conn).get({ id });
  return row && withDpi(row);
}

/** The printer of this name (case-insensitive), to keep names apart. */
export function printerIdByName(conn: Conn, name: string): number | undefined {
  return printerByName(conn).get({ name })?.id;
}

/** Adds a printer; returns its id. */
export function insertPrinter(tx: Tx, p: PrinterFields, now: Date): number {
  return insert(tx).get({ name: p.name, host: p.host, port: p.port, dpi: p.dpi, at: now }).id;
}

/** Changes a printer; false when there is none with this id. */
export function updatePrinter(tx: Tx, id: number, p: PrinterFields, now: Date): boolean {
  return update(tx).run({ id, name: p.name, host: p.host, port: p.port, dpi: p.dpi, at: now.getTime() }).changes > 0;
}

/** Deletes the printer; stations that used it fall back to PDF (ON DELETE SET NULL). */
export function deletePrinter(tx: Tx, id: number): boolean {
  return remove(tx).run({ id }).changes > 0;
}

/** How many stations print their labels on this printer. */
export function stationsUsing(conn: Conn, printerId: number): number {
  return stationsWith(conn).get({ printerId })?.n ?? 0;
}

/** The station of this user and name with its label printer; undefined when the station was never used. */
export function stationPrinter(conn: Conn, userId: number, stationName: string): StationPrinterRow | undefined {
  const row = stationOf(conn).get({ userId, name: stationName });
  if (!row) return undefined;
  return { stationId: row.stationId, printer: row.printerId === null ? null : (findPrinter(conn, row.printerId) ?? null), autoPrint: row.autoPrint };
}

/** Sets a station's label printer (null: PDF in the browser) and its print-automatically flag. */
export function setStationPrinter(tx: Tx, stationId: number, printerId: number | null, autoPrint: boolean): void {
  setStation(tx).run({ stationId, printerId, autoPrint: autoPrint ? 1 : 0 });
}
