import { preparedFor, type Conn, type Db, type Tx } from '../db/client.js';
import type { Dpi } from './zpl.js';

// Queries of label printers and of each station's choice of printer. No rules here: service.ts decides.

export interface PrinterRow {
  id: number;
  name: string;
  kind: 'zpl';
  host: string;
  port: number;
  dpi: Dpi;
  createdAt: number;
  updatedAt: number;
}

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

const COLUMNS = 'id, name, kind, host, port, dpi, created_at AS createdAt, updated_at AS updatedAt';

const stmts = preparedFor((sqlite) => ({
  list: sqlite.prepare<[], PrinterRow>(`SELECT ${COLUMNS} FROM printers ORDER BY name COLLATE NOCASE, id`),
  byId: sqlite.prepare<[number], PrinterRow>(`SELECT ${COLUMNS} FROM printers WHERE id = ?`),
  byName: sqlite.prepare<[string], { id: number }>('SELECT id FROM printers WHERE name = ? COLLATE NOCASE'),
  insert: sqlite.prepare<[string, string, number, number, number, number]>(
    "INSERT INTO printers (name, kind, host, port, dpi, created_at, updated_at) VALUES (?, 'zpl', ?, ?, ?, ?, ?) RETURNING id",
  ),
  update: sqlite.prepare<[string, string, number, number, number, number]>('UPDATE printers SET name = ?, host = ?, port = ?, dpi = ?, updated_at = ? WHERE id = ?'),
  remove: sqlite.prepare<[number]>('DELETE FROM printers WHERE id = ?'),
  stationsUsing: sqlite.prepare<[number], number>('SELECT count(*) FROM stations WHERE label_printer_id = ?').pluck(),
  station: sqlite.prepare<[number, string], { stationId: number; printerId: number | null; autoPrint: number }>(
    'SELECT id AS stationId, label_printer_id AS printerId, auto_print AS autoPrint FROM stations WHERE user_id = ? AND name = ?',
  ),
  setStation: sqlite.prepare<[number | null, number, number]>('UPDATE stations SET label_printer_id = ?, auto_print = ? WHERE id = ?'),
}));

export function listPrinters(conn: Conn): PrinterRow[] {
  return stmts(conn as Db).list.all();
}

export function findPrinter(conn: Conn, id: number): PrinterRow | undefined {
  return stmts(conn as Db).byId.get(id);
}

/** The printer of this name (case-insensitive), to keep names apart. */
export function printerIdByName(conn: Conn, name: string): number | undefined {
  return stmts(conn as Db).byName.get(name)?.id;
}

export function insertPrinter(tx: Tx, p: PrinterFields, now: Date): number {
  const row = stmts(tx).insert.get(p.name, p.host, p.port, p.dpi, now.getTime(), now.getTime()) as { id: number };
  return row.id;
}

export function updatePrinter(tx: Tx, id: number, p: PrinterFields, now: Date): boolean {
  return stmts(tx).update.run(p.name, p.host, p.port, p.dpi, now.getTime(), id).changes > 0;
}

/** Deletes the printer; stations that used it fall back to PDF (ON DELETE SET NULL). */
export function deletePrinter(tx: Tx, id: number): boolean {
  return stmts(tx).remove.run(id).changes > 0;
}

export function stationsUsing(conn: Conn, printerId: number): number {
  return stmts(conn as Db).stationsUsing.get(printerId)!;
}

/** The station of this user and name with its label printer; undefined when the station was never used. */
export function stationPrinter(conn: Conn, userId: number, stationName: string): StationPrinterRow | undefined {
  const s = stmts(conn as Db);
  const row = s.station.get(userId, stationName);
  if (!row) return undefined;
  return { stationId: row.stationId, printer: row.printerId === null ? null : (s.byId.get(row.printerId) ?? null), autoPrint: row.autoPrint === 1 };
}

export function setStationPrinter(tx: Tx, stationId: number, printerId: number | null, autoPrint: boolean): void {
  stmts(tx).setStation.run(printerId, autoPrint ? 1 : 0, stationId);
}
