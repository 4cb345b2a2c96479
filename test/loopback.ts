import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** A request a loopback server received: its headers and raw body. */
export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const open: Server[] = [];
afterEach(async () => {
  for (const server of open.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

/**
 * A real HTTP server on 127.0.0.1 playing another system (a shipping broker, a webhook receiver):
 * it records every request and lets `handle` answer it (or not, to play a hang). Closed after each test.
 * `port` 0 takes a free one; a fixed port plays a receiver that comes back where it was.
 */
export async function loopbackServer(path: string, handle: (res: ServerResponse, got: Received[], req: IncomingMessage) => void, port = 0) {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      handle(res, got, req);
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  open.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, got };
}
