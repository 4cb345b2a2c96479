import { asc, count, desc, eq, inArray } from 'drizzle-orm';
import { preparedFor, type Conn, type Db } from '../db/client.js';
import { emailOutbox, orders } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import type { Language } from '../i18n/index.js';
import type { RenderedMail, TemplateKey } from './templates.js';

/**
 * The outbox table: e-mails written by changes (queue.ts) and delivered after commit by the sender
 * loop (sender.ts, which keeps its own statements for claiming and recording attempts).
 */
export type EmailRow = typeof emailOutbox.$inferSelect;

/**
 * Prepared once per connection: Report in writes one e-mail per delivery and the API two per new
 * order, and building SQL per statement would cost more than the rest of the e-mail.
 */
const stmts = preparedFor((sqlite) => ({
  insert: sqlite.prepare<[number, string, string, string, string, Language, TemplateKey, number, number]>(
    "INSERT INTO email_outbox (order_id, to_address, subject, text_body, html_body, language, template, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)",
  ),
}));

/** Writes one queued e-mail, due at once; returns its id. Call inside the change's write transaction. */
export function insertQueuedMail(db: Db, mail: RenderedMail & { orderId: number; to: string; language: Language; template: TemplateKey }, at: number): number {
  return Number(stmts(db).insert.run(mail.orderId, mail.to, mail.subject, mail.text, mail.html, mail.language, mail.template, at, at).lastInsertRowid);
}

export function listOrderEmails(conn: Conn, orderId: number): EmailRow[] {
  return conn.select().from(emailOutbox).where(eq(emailOutbox.orderId, orderId)).orderBy(asc(emailOutbox.id)).all();
}

export function findEmail(conn: Conn, id: number): EmailRow {
  const row = conn.select().from(emailOutbox).where(eq(emailOutbox.id, id)).get();
  if (!row) throw new AppError('not_found', 'errors.emailNotFound', { id });
  return row;
}

/**
 * Sends a failed or unsent e-mail again (by hand): queued from now with a fresh round of attempts.
 * A queued or sent e-mail is left as it is.
 */
export function retryEmail(conn: Conn, id: number, now: Date): EmailRow {
  const row = findEmail(conn, id);
  if (row.status !== 'failed' && row.status !== 'unsent') throw new AppError('conflict', 'errors.emailNotRetryable', { id, status: row.status });
  return conn.update(emailOutbox).set({ status: 'queued', attempts: 0, nextAttemptAt: now, lastError: null }).where(eq(emailOutbox.id, id)).returning().get();
}

/** Counts by status, for Settings → E-mails. */
export function outboxCounts(conn: Conn): Record<string, number> {
  const rows = conn.select({ status: emailOutbox.status, n: count() }).from(emailOutbox).groupBy(emailOutbox.status).all();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** The newest e-mails that did not go out (failed, or unsent for want of SMTP), for Settings → E-mails. */
export function listUndelivered(conn: Conn, limit = 50): (EmailRow & { orderCode: string | null })[] {
  return conn
    .select({ email: emailOutbox, orderCode: orders.code })
    .from(emailOutbox)
    .leftJoin(orders, eq(orders.id, emailOutbox.orderId))
    .where(inArray(emailOutbox.status, ['failed', 'unsent']))
    .orderBy(desc(emailOutbox.id))
    .limit(limit)
    .all()
    .map((r) => ({ ...r.email, orderCode: r.orderCode }));
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
