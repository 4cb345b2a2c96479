import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { AppError } from '../errors.js';
import { emailById, emailCountsByStatus, emailsOfOrder, requeueEmail, undeliveredEmails, type EmailRow } from './repo.js';

/**
 * The outbox as the pages and the API see it: e-mails written by changes (queue.ts) and delivered
 * after commit by the sender loop (sender.ts); its SQL is in repo.ts.
 */
export type { EmailRow };

/** An order's e-mails, oldest first. */
export function listOrderEmails(conn: Conn, orderId: number): EmailRow[] {
  return emailsOfOrder(conn, orderId);
}

/** One e-mail: 404 `not_found` when there is none. */
export function findEmail(conn: Conn, id: number): EmailRow {
  const row = emailById(conn, id);
  if (!row) throw new AppError('not_found', 'errors.emailNotFound', { id });
  return row;
}

/**
 * Sends a failed or unsent e-mail again (by hand): queued from now with a fresh round of attempts.
 * A queued or sent e-mail is left as it is.
 */
export function retryEmail(db: Db, id: number, now: Date): EmailRow {
  return writeTransaction(db, (tx) => {
    const row = findEmail(tx, id);
    if (row.status !== 'failed' && row.status !== 'unsent') throw new AppError('conflict', 'errors.emailNotRetryable', { id, status: row.status });
    return requeueEmail(tx, id, now) ?? row;
  });
}

/** Counts by status, for Settings → E-mails. */
export function outboxCounts(conn: Conn): Record<string, number> {
  return Object.fromEntries(emailCountsByStatus(conn).map((r) => [r.status, r.n]));
}

/** The newest e-mails that did not go out (failed, or unsent for want of SMTP), for Settings → E-mails. */
export function listUndelivered(conn: Conn, limit = 50): (EmailRow & { orderCode: string | null })[] {
  return undeliveredEmails(conn, limit);
}

/** An e-mail as the API gives it. */
export function presentEmail(e: EmailRow) {
  return {
    id: e.id,
    template: e.template,
    to: e.toAddress,
    subject: e.subject,
    language: e.language,
    status: e.status,
    attempts: e.attempts,
    lastError: e.lastError,
    nextAttemptAt: e.status === 'queued' && e.nextAttemptAt ? e.nextAttemptAt.toISOString() : null,
    createdAt: e.createdAt.toISOString(),
    sentAt: e.sentAt?.toISOString() ?? null,
    text: e.textBody,
  };
}
