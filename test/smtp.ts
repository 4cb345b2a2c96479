import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach } from 'vitest';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

export const SMTP_USER = 'shop';
export const SMTP_PASS = 'smtp-secret';

/**
 * A real SMTP server on 127.0.0.1 (the smtp-server package) that keeps what arrives, parsed
 * (mailparser). `answer` may refuse a message: a code and text, as a mail server would (451 try
 * later, 550 no such mailbox). It checks the login of the URL it gives. Closed after each test.
 * `port` 0 takes a free one; a fixed port plays a mail server that comes back where it was.
 */
export async function smtpServer(answer: (n: number) => { code: number; text: string } | null = () => null, port = 0) {
  const received: ParsedMail[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASS) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      const refusal = answer(++attempts);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusal) {
          const err = new Error(refusal.text) as Error & { responseCode: number };
          err.responseCode = refusal.code;
          callback(err);
          return;
        }
        // The stream's listener cannot wait: a mail that fails to parse is refused, not an unhandled rejection.
        simpleParser(Buffer.concat(chunks)).then(
          (mail) => {
            received.push(mail);
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  const listening = (server.server.address() as AddressInfo).port;
  return { url: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${listening}`, received, attempts: () => attempts };
}

/** A mail server that accepts the connection and never says a word: the hang an SMTP timeout is for. */
export async function silentSmtpServer() {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** An address nothing listens on: the mail server is down. */
export async function deadSmtpUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return `smtp://127.0.0.1:${port}`;
}
