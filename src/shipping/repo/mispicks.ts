import { and, count, gte, isNotNull, sql } from 'drizzle-orm';
import { preparedQuery, type Conn } from '../../db/client.js';
import { deliveryChecks, refusedChecks } from '../../db/schema/index.js';

// The mis-pick figures' counts, per packer and hour (UTC): mispicks.ts folds them into the shop's
// days, so that a day follows the time zone.

const checksByHour = preparedQuery((conn) => {
  const hour = sql<number>`${deliveryChecks.createdAt} / 3600000`;
  return conn
    .select({ packer: deliveryChecks.checkedBy, hour, checks: count(), units: sql<number>`sum(${deliveryChecks.quantity})`.mapWith(Number) })
    .from(deliveryChecks)
    .where(and(gte(deliveryChecks.createdAt, sql.placeholder('since')), isNotNull(deliveryChecks.stationId)))
    .groupBy(deliveryChecks.checkedBy, hour)
    .prepare();
});

/** Accepted check scans at the stations since `since` (ms), per packer and hour since the epoch: scans and units. */
export function checksPerPackerHour(conn: Conn, since: number): { packer: string; hour: number; checks: number; units: number }[] {
  return checksByHour(conn).all({ since });
}

const refusedByHour = preparedQuery((conn) => {
  const hour = sql<number>`${refusedChecks.createdAt} / 3600000`;
  return conn
    .select({ packer: refusedChecks.checkedBy, hour, reason: refusedChecks.reason, refused: count() })
    .from(refusedChecks)
    .where(gte(refusedChecks.createdAt, sql.placeholder('since')))
    .groupBy(refusedChecks.checkedBy, hour, refusedChecks.reason)
    .prepare();
});

/** Refused item scans since `since` (ms), per packer, hour since the epoch and reason. */
export function refusalsPerPackerHour(conn: Conn, since: number): { packer: string; hour: number; reason: string; refused: number }[] {
  return refusedByHour(conn).all({ since });
}
