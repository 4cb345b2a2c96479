import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** A request the fake carrier received, read as its API description reads it. */
export interface FakeRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** The body as JSON, or undefined when there is none or it is not JSON. */
  body: unknown;
}

/** The fake's answer: a status and a JSON body (a string is sent as is). */
export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A fault the next matching request meets:
 * - `status`: answered with this status and body, the request not handled (a 5xx, a 429, a 400);
 * - `hang-after`: handled (a booking is made), then no answer until the client gives up (a timeout
 *   after the carrier booked);
 * - `drop-after`: handled, then the connection is cut before an answer (a lost answer);
 * - `malformed`: handled, answered 200 with a body that is not the described answer.
 */
export type Fault = { kind: 'status'; status: number; body?: unknown } | { kind: 'hang-after' } | { kind: 'drop-after' } | { kind: 'malformed'; body?: string };

export interface FakeCarrier {
  url: string;
  requests: FakeRequest[];
  /** Each request the description refused, with why: a contract test expects none. */
  violations: { method: string; path: string; problems: string[] }[];
  /** The next request for which `match` is true meets `fault` (once). */
  failNext(match: (req: FakeRequest) => boolean, fault: Fault): void;
  close(): Promise<void>;
}

export interface FakeOptions {
  /** The carrier's behaviour: answers a request described by its API (after `validate` passed). */
  handle: (req: FakeRequest) => FakeReply;
  /** Checks the request against the API description: the problems, none when it conforms. */
  validate: (req: FakeRequest) => string[];
}

const open: FakeCarrier[] = [];
afterEach(async () => {
  for (const fake of open.splice(0)) await fake.close();
});

/**
 * A carrier's API played on 127.0.0.1 from its published description: every request is checked
 * against the description (`validate`) and recorded, a request that does not conform is answered 400
 * and listed in `violations`, and faults can be injected per request. Closed after each test.
 */
export async function startFakeCarrier(options: FakeOptions): Promise<FakeCarrier> {
  const requests: FakeRequest[] = [];
  const violations: FakeCarrier['violations'] = [];
  const faults: { match: (req: FakeRequest) => boolean; fault: Fault }[] = [];
  const hanging = new Set<() => void>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const got: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, body };
      requests.push(got);
      const send = (reply: FakeReply) => {
        const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
        res.writeHead(reply.status, { ...(text && { 'Content-Type': 'application/json' }), ...reply.headers });
        res.end(text);
      };
      const problems = options.validate(got);
      if (problems.length) {
        violations.push({ method: got.method, path: got.path, problems });
        send({ status: 400, body: { error: 'request does not match the API description', problems } });
        return;
      }
      const at = faults.findIndex((f) => f.match(got));
      const fault = at >= 0 ? (faults.splice(at, 1)[0]?.fault ?? null) : null;
      if (fault?.kind === 'status') {
        send({ status: fault.status, body: fault.body });
        return;
      }
      const reply = options.handle(got);
      if (!fault) send(reply);
      else if (fault.kind === 'malformed') send({ status: 200, body: fault.body ?? '{"unexpected": true' });
      else if (fault.kind === 'drop-after') req.socket.destroy();
      else {
        // Hang: answer nothing until the client gives up, or the fake closes.
        const end = () => req.socket.destroy();
        hanging.add(end);
        req.socket.on('close', () => hanging.delete(end));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const fake: FakeCarrier = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    violations,
    failNext: (match, fault) => faults.push({ match, fault }),
    close: async () => {
      for (const end of hanging) end();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  open.push(fake);
  return fake;
}
