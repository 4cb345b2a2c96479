import type { Request, Response } from 'express';

/** An open server-sent event stream. */
export interface EventStream {
  /** One event: its name, its data as one line of JSON, and its id (what the browser sends back as Last-Event-ID on a reconnect). */
  send(event: string, data: unknown, id?: number): void;
  /** Runs `fn` once when the stream ends, by end() or because the client went away (at once if it has). */
  onClose(fn: () => void): void;
  /** Runs the close handlers and ends the response. */
  end(): void;
  readonly closed: boolean;
}

/**
 * Starts a server-sent event stream on `res`. Every stream of the product opens here, so each gets
 * the same headers (no caching, no proxy buffering) and is cleaned up the same way when the client
 * leaves: what a route subscribed to is handed to onClose.
 * - `retryMs`: how long the browser waits before reconnecting (sent first).
 * - `heartbeatMs`: a comment this often keeps proxies from closing an idle stream.
 */
export function openEventStream(req: Request, res: Response, opts: { retryMs?: number; heartbeatMs?: number } = {}): EventStream {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  if (opts.retryMs !== undefined) res.write(`retry: ${opts.retryMs}\n\n`);
  const handlers: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const fn of handlers.splice(0)) fn();
  };
  const stream: EventStream = {
    send: (event, data, id) => {
      if (!closed) res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose: (fn) => {
      if (closed) fn();
      else handlers.push(fn);
    },
    end: () => {
      close();
      res.end();
    },
    get closed() {
      return closed;
    },
  };
  if (opts.heartbeatMs !== undefined) {
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs);
    // A stream alone never keeps the process from exiting.
    heartbeat.unref();
    stream.onClose(() => clearInterval(heartbeat));
  }
  req.on('close', close);
  return stream;
}
