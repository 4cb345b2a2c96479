import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { loadTls, machineNames, tlsDir, TLS_FILES, type TlsMaterial } from './tls.js';

export interface Listening {
  http: Server;
  /** Only when HTTPS_PORT is set. */
  https: Server | undefined;
  httpPort: number;
  httpsPort: number | undefined;
  /** Stops taking connections on both ports; resolves when open requests have finished. */
  close(): Promise<void>;
}

/**
 * The HTTPS port's certificate (undefined while HTTPS_PORT is unset), loaded or made and logged.
 * Throws a message naming the variable and file when the operator's files cannot be used: the
 * server calls it before it touches the database, so a bad setting changes nothing.
 */
export async function serverTls(config: Config, log: Logger, now = new Date()): Promise<TlsMaterial | undefined> {
  if (config.httpsPort === undefined) return undefined;
  const dir = tlsDir(config.databasePath);
  const tls = await loadTls({ certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, dir, names: machineNames(), now });
  for (const note of tls.notes) log.warn(`TLS: ${note}`);
  if (tls.source === 'operator') log.info('HTTPS with the certificate in TLS_CERT_FILE', { cert: tls.certPath });
  else
    log.info(
      `HTTPS with a self-signed certificate (${tls.action}); phones trust it by installing ${TLS_FILES.caCert} (docs/operations.md § HTTPS for phones)`,
      { folder: dir },
    );
  return tls;
}

/**
 * The app on HTTP at HOST:PORT and, when HTTPS_PORT is set, on HTTPS at HOST:HTTPS_PORT: the same
 * app, sessions and CSRF tokens on both. `tls` is serverTls's result (loaded here when not given).
 * Rejects when the operator's certificate files cannot be used, and when a port is taken.
 */
export async function listen(app: RequestListener, config: Config, log: Logger, tls?: TlsMaterial): Promise<Listening> {
  const material = tls ?? (await serverTls(config, log));
  const https = material ? createHttpsServer({ key: material.key, cert: material.cert }, app) : undefined;
  const http = createHttpServer(app);
  const httpPort = await start(http, config.port, config.host);
  let httpsPort: number | undefined;
  try {
    if (https) httpsPort = await start(https, config.httpsPort!, config.host);
  } catch (err) {
    await stop(http);
    throw err;
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  log.info(`back office listening on http://${shown}:${httpPort}${httpsPort === undefined ? '' : ` and https://${shown}:${httpsPort}`}`, {
    database: config.databasePath,
  });
  return {
    http,
    https,
    httpPort,
    httpsPort,
    close: async () => {
      await Promise.all([stop(http), https ? stop(https) : undefined]);
    },
  };
}

function start(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => reject(err);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Keep-alive connections with no request in flight would hold the close open.
    server.closeIdleConnections();
  });
}
