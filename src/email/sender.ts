import type { Transporter } from 'nodemailer';
import { writeTransaction, type Db } from '../db/client.js';
import { startLoop } from '../loop.js';

/** What the sender needs of a mail transport (nodemailer's, or none). */
export interface MailTransport {
  sendMail(message: { from: string; to: string; subject: string; text: string; html?: string; headers?: Record<string, string> }): Promise<unknown>;
  /** For Settings → E-mails: host and port, never the password. */
  describe: string;
}

/** Limits of one SMTP conversation: a server that hangs holds up only the loop's round, for at most this. */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/** Host and port of an SMTP_URL, never its password: for Settings → E-mails and the log. */
export function describeSmtp(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || (parsed.protocol === 'smtps:' ? 465 : 587)}`;
}

/**
 * The SMTP transport of SMTP_URL (smtp:// or smtps://), or null when none is configured. nodemailer
 * is loaded with the first e-mail (about 15 MB a server without SMTP need not carry).
 */
export function smtpTransport(url: string | undefined, timeouts = SMTP_TIMEOUTS): MailTransport | null {
  if (!url) return null;
  let transport: Transporter | undefined;
  return {
    async sendMail(m) {
      transport ??= (await import('nodemailer')).default.createTransport({ url, ...timeouts });
      return transport.sendMail(m);
    },
    describe: describeSmtp(url),
  };
}

/** A round of attempts gives up after this many; a person can start another round (retry). */
export const MAX_ATTEMPTS = 12;

/** Wait before attempt n+1 (n ≥ 1): 1 min, 2 min, 4 min, … capped at 1 h: a round spans about 7 hours. */
export function emailBackoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** (attempts - 1), 60 * 60 * 1000);
}

/**
 * A refusal that will not change on a retry: the server answered 5xx to this message (unknown
 * recipient, rejected content). Connection trouble and 4xx answers are worth another attempt.
 */
function permanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; response?: string };
  return (e.response ?? `${e.code ? `${e.code}: ` : ''}${e.message}`).slice(0, 500);
}

/**
 * Sends the e-mails that are due, each claimed first so that another loop or process skips it while
 * it is being sent. Without a transport, due e-mails become `unsent` ("not sent: no SMTP
 * configured"): readable in the back office, and sent by hand once SMTP is set up.
 */
export async function sendDueEmails(db: Db, transport: MailTransport | null, from: string, now: () => Date, max = 20): Promise<number> {
  const sqlite = db.$client;
  const due = sqlite
    .prepare("SELECT id, to_address AS toAddress, subject, text_body AS text, html_body AS html, attempts FROM email_outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?")
    .all(now().getTime(), max) as { id: number; toAddress: string; subject: string; text: string; html: string | null; attempts: number }[];
  if (due.length === 0) return 0;
  if (!transport) {
    const unsent = sqlite.prepare("UPDATE email_outbox SET status = 'unsent', next_attempt_at = NULL WHERE id = ? AND status = 'queued'");
    writeTransaction(db, () => due.forEach((d) => unsent.run(d.id)));
    return due.length;
  }
  const claim = sqlite.prepare("UPDATE email_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'queued' AND next_attempt_at <= ?");
  const record = sqlite.prepare('UPDATE email_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, sent_at = ? WHERE id = ?');
  // One at a time: one SMTP server, and the order of a customer's e-mails is kept.
  for (const d of due) {
    const at = now().getTime();
    // Claimed for longer than an attempt can take; a process that dies mid-send leaves it due again then.
    if (claim.run(at + SMTP_TIMEOUTS.socketTimeout + SMTP_TIMEOUTS.connectionTimeout + 60_000, d.id, at).changes === 0) continue;
    const attempts = d.attempts + 1;
    try {
      await transport.sendMail({ from, to: d.toAddress, subject: d.subject, text: d.text, ...(d.html && { html: d.html }), headers: { 'X-Outbox-Id': String(d.id) } });
      record.run('sent', attempts, null, null, now().getTime(), d.id);
    } catch (err) {
      const giveUp = permanent(err) || attempts >= MAX_ATTEMPTS;
      record.run(giveUp ? 'failed' : 'queued', attempts, giveUp ? null : now().getTime() + emailBackoffMs(attempts), describeError(err), null, d.id);
    }
  }
  return due.length;
}

/** The e-mail loop of a server process: what is due is sent every `everyMs`, after commit and off the request path. */
export function startEmailLoop(db: Db, transport: MailTransport | null, from: string, clock: () => Date, log: { error(m: string, d?: Record<string, unknown>): void }, everyMs = 1000): () => void {
  return startLoop('e-mail', everyMs, () => sendDueEmails(db, transport, from, clock), log);
}
