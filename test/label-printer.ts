import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach } from 'vitest';
import { ready as zplRenderer } from 'zpl-renderer-js';
import { withTempDir } from './temp.js';

const run = promisify(execFile);

/**
 * A label printer played by a real TCP listener on loopback: it keeps what each connection sends
 * and, like a printer on port 9100, closes once the sender has closed its side. `silent` never
 * closes (a printer that takes the connection and does not answer).
 */
export async function printerListener({ silent = false } = {}) {
  const jobs: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      jobs.push(Buffer.concat(chunks).toString('utf8'));
      if (!silent) socket.end();
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  listeners.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port, jobs };
}
const listeners: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of listeners.splice(0)) await close();
});

/** A port on loopback that nobody listens on (taken, then freed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The label as a printer would print it: ZPL rendered offline by zebrash (zpl-renderer-js, Go
 * compiled to WebAssembly) at the printer's resolution, then read by zbarimg. Each symbol as
 * zbar reports it: its type, whether it carried GS1's FNC1, its data.
 */
export async function printedBarcodes(zpl: string, dpi: 203 | 300): Promise<{ type: string; gs1: boolean; data: string }[]> {
  const { api: renderer } = await zplRenderer;
  const png = Buffer.from(await renderer.zplToBase64Async(zpl, 100, 150, dpi === 203 ? 8 : 12), 'base64');
  return withTempDir('zpl', async (dir) => {
    const file = join(dir, `label-${dpi}.png`);
    writeFileSync(file, png);
    const { stdout } = await run('zbarimg', ['-q', '--xml', '-Sdisable', '-Scode128.enable', file]);
    return [...stdout.matchAll(/<symbol ([^>]*)><data><!\[CDATA\[([^\]]*)\]\]><\/data>/g)].map((m) => ({
      type: /type='([^']+)'/.exec(m[1]!)![1]!,
      gs1: /modifiers='[^']*GS1/.test(m[1]!),
      data: m[2]!,
    }));
  });
}
