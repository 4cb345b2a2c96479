import { randomUUID } from 'node:crypto';
import { writeTransaction, type Conn, type Db, type Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import { deleteLease, extendLease, findLease, writeLease } from './repo.js';

/**
 * A lease not renewed for this long belongs to a dead process and may be taken over. A live holder
 * renews it every LEASE_RENEW_MS (keepLeaseAlive), so a crashed run blocks the next one for at most
 * this long, while a holder whose event loop stalls for a few seconds keeps it.
 */
export const LEASE_TTL_MS = 10_000;
export const LEASE_RENEW_MS = 2_000;

export interface Lease {
  name: string;
  holder: string;
}

/**
 * Takes the named lease, or refuses with who holds it and since when. The check and the take are
 * one IMMEDIATE transaction, so two processes can never both get it.
 */
export function acquireLease(db: Db, name: string, label: string, now: Date): Lease {
  const holder = randomUUID();
  return writeTransaction(db, (tx) => {
    const current = findLease(tx, name);
    if (current && current.expiresAt > now) {
      throw new AppError(
        'pack_run_in_progress',
        'errors.packRunInProgress',
        { since: current.acquiredAt.toISOString(), by: current.holderLabel },
        { since: current.acquiredAt.toISOString(), startedBy: current.holderLabel },
      );
    }
    writeLease(tx, { name, holder, holderLabel: label, acquiredAt: now, expiresAt: new Date(now.getTime() + LEASE_TTL_MS) });
    return { name, holder };
  });
}

/**
 * Extends a held lease; false if it was lost (expired and taken by another). One conditional
 * statement: a check and a separate write would let a takeover slip in between. Call inside a
 * write transaction (a pack run's batch renews it in its own).
 */
export function renewLease(tx: Tx, lease: Lease, now: Date): boolean {
  return extendLease(tx, lease, new Date(now.getTime() + LEASE_TTL_MS));
}

/** Gives a held lease up (one that was lost stays with its new holder). */
export function releaseLease(db: Db, lease: Lease): void {
  writeTransaction(db, (tx) => deleteLease(tx, lease));
}

/**
 * Renews the lease every LEASE_RENEW_MS until the returned stop() is called, also while the holder
 * awaits between its steps. A failed renewal (lost lease, a busy database) is logged and left to the
 * holder's own renewLease check: a timer must never throw into the process.
 */
export function keepLeaseAlive(db: Db, lease: Lease, clock: () => Date, onError: (error: unknown) => void): () => void {
  const timer = setInterval(() => {
    try {
      if (!writeTransaction(db, (tx) => renewLease(tx, lease, clock()))) {
        clearInterval(timer);
        onError(new Error('lease lost'));
      }
    } catch (err) {
      onError(err);
    }
  }, LEASE_RENEW_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export interface LeaseHolder {
  label: string;
  since: Date;
  expiresAt: Date;
}

/** Who holds the lease now and until when it lasts without renewal; null when nobody does. */
export function leaseHolder(conn: Conn, name: string, now: Date): LeaseHolder | null {
  const row = findLease(conn, name);
  return row !== undefined && row.expiresAt > now ? { label: row.holderLabel, since: row.acquiredAt, expiresAt: row.expiresAt } : null;
}

/** Whether someone holds the lease now. */
export function leaseHeld(conn: Conn, name: string, now: Date): boolean {
  return leaseHolder(conn, name, now) !== null;
}
