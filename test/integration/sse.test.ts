import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { openEventStream } from '../../src/web/sse.js';
import { until } from '../wait.js';

describe('server-sent events (web/sse.ts)', () => {
  it('sends the headers, retry and events; a client that leaves runs the close handlers once; a stream the route ends does too', async () => {
    let closedRuns = 0;
    let ended = false;
    const app = express();
    app.get('/stream', (req, res) => {
      const stream = openEventStream(req, res, { retryMs: 3000 });
      stream.onClose(() => closedRuns++);
      stream.send('hello', { n: 1 });
    });
    app.get('/ends', (req, res) => {
      const stream = openEventStream(req, res);
      stream.onClose(() => (ended = true));
      stream.send('only', { n: 2 });
      stream.end();
      // Registered after the end: runs at once, and sending is a no-op.
      stream.onClose(() => (ended = stream.closed));
      stream.send('late', {});
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const chunks: string[] = [];
      const req = httpRequest(`${base}/stream`);
      const response = new Promise<Record<string, unknown>>((resolve) =>
        req.on('response', (res) => {
          res.setEncoding('utf8');
          res.on('data', (c: string) => chunks.push(c));
          resolve(res.headers);
        }),
      );
      req.on('error', () => {}); // destroyed below on purpose
      req.end();
      const headers = await response;
      expect(headers['content-type']).toBe('text/event-stream');
      expect(headers['cache-control']).toBe('no-cache');
      expect(headers['x-accel-buffering']).toBe('no');
      await until('the first event', () => chunks.join('').includes('event: hello'), 5000, 10);
      expect(chunks.join('')).toBe('retry: 3000\n\nevent: hello\ndata: {"n":1}\n\n');
      expect(closedRuns).toBe(0);
      req.destroy();
      await until('the close handler', () => closedRuns === 1, 5000, 10);

      const whole = await (await fetch(`${base}/ends`)).text();
      expect(whole).toBe('event: only\ndata: {"n":2}\n\n');
      expect(ended).toBe(true);
      expect(closedRuns).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
