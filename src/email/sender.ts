import type { Transporter } from 'nodemailer';
import { writeTransaction, type Db } from '../db/client.js';
import { claimEmail, dueEmails, markEmailUnsent, recordEmailAttempt } from './repo.js';
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
  const due = dueEmails(db, now(), max);
  if (due.length === 0) return 0;
  if (!transport) {
    writeTransaction(db, (tx) => due.forEach((d) => markEmailUnsent(tx, d.id)));
    return due.length;
  }
  // One at a time: one SMTP server, and the order of a customer's e-mails is kept.
  for (const d of due) {
    const at = now();
    // Claimed for longer than an attempt can take; a process that dies mid-send leaves it due again then.
    const until = new Date(at.getTime() + SMTP_TIMEOUTS.socketTimeout + SMTP_TIMEOUTS.connectionTimeout + 60_000);
    if (!writeTransaction(db, (tx) => claimEmail(tx, d.id, at, until))) continue;
    const attempts = d.attempts + 1;
    try {
      await transport.sendMail({
        from,
        to: d.toAddress,
        subject: d.subject,
        text: d.text,
        ...(d.html && { html: d.html }),
        headers: { 'X-Outbox-Id': String(d.id) },
      });
      writeTransaction(db, (tx) => recordEmailAttempt(tx, d.id, { status: 'sent', attempts, next: null, error: null, sentAt: now() }));
    } catch (err) {
      const giveUp = permanent(err) || attempts >= MAX_ATTEMPTS;
      const outcome = {
        status: giveUp ? ('failed' as const) : ('queued' as const),
        attempts,
        next: giveUp ? null : new Date(now().getTime() + emailBackoffMs(attempts)),
        error: describeError(err),
        sentAt: null,
      };
      writeTransaction(db, (tx) => recordEmailAttempt(tx, d.id, outcome));
    }
  }
  return due.length;
}

/** The e-mail loop of a server process: what is due is sent every `everyMs`, after commit and off the request path. */
export function startEmailLoop(
  db: Db,
  transport: MailTransport | null,
  from: string,
  clock: () => Date,
  log: { error(m: string, d?: Record<string, unknown>): void },
  everyMs = 1000,
): () => void {
  return startLoop('e-mail', everyMs, () => sendDueEmails(db, transport, from, clock), log);
}
