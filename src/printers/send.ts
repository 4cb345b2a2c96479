import { connect } from 'node:net';
import { AppError } from '../errors.js';

/** Where a job goes: a printer's raw TCP port. `name` is for the messages. */
export interface RawTarget {
  name: string;
  host: string;
  port: number;
}

/** Socket errors that mean the printer could not be reached at all (off, wrong address, no route). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'EPIPE', 'EADDRNOTAVAIL']);

function fault(target: RawTarget, code: string | undefined, stage: 'connect' | 'send'): AppError {
  const params = { printer: target.name, address: `${target.host}:${target.port}` };
  const details = { printer: target.name, address: params.address, cause: code ?? 'unknown', stage };
  if (code === 'ECONNREFUSED') return new AppError('printer_unreachable', 'errors.printerRefused', params, details);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new AppError('printer_unreachable', 'errors.printerHostUnknown', { ...params, host: target.host }, details);
  if (code && UNREACHABLE.has(code)) return new AppError('printer_unreachable', 'errors.printerUnreachable', { ...params, cause: code }, details);
  return new AppError('printer_unreachable', 'errors.printerUnreachable', { ...params, cause: code ?? 'unknown' }, details);
}

/**
 * Sends `data` to a printer's raw port (9100, "JetDirect") and waits until the printer has taken
 * it: the job is written, our side is closed, and the printer closes its side once it has read to
 * the end, as CUPS's socket backend waits for it (`waiteof`). Connecting, sending and that close
 * must all happen within `timeoutMs`, else the connection is dropped and `printer_timeout` thrown.
 * A refused connection, an unknown host or a dropped connection is `printer_unreachable`. Either
 * way nothing else has happened: the caller records the failure and the packer can retry.
 */
export function sendRaw(target: RawTarget, data: string | Uint8Array, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let connected = false;
    let settled = false;
    const socket = connect({ host: target.host, port: target.port });
    const finish = (err?: AppError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => {
      finish(
        new AppError(
          'printer_timeout',
          connected ? 'errors.printerTimeoutSending' : 'errors.printerTimeout',
          { printer: target.name, address: `${target.host}:${target.port}`, seconds: Math.round(timeoutMs / 100) / 10 },
          { printer: target.name, address: `${target.host}:${target.port}`, stage: connected ? 'send' : 'connect', timeoutMs },
        ),
      );
    }, timeoutMs);
    socket.on('connect', () => {
      connected = true;
      socket.end(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    });
    // A printer may talk back (status); it is read and dropped so that its side can close.
    socket.on('data', () => {});
    socket.on('error', (err: NodeJS.ErrnoException) => finish(fault(target, err.code, connected ? 'send' : 'connect')));
    socket.on('close', (hadError) => {
      if (hadError) return;
      // Closed by the printer after our end: the job was read in full.
      if (connected && socket.writableFinished) finish();
      else finish(fault(target, 'ECONNRESET', connected ? 'send' : 'connect'));
    });
  });
}
