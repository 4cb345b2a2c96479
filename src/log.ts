/** Where the server writes its log lines; tests pass a silent one. */
export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** One JSON line per entry on stdout/stderr: readable by journald, docker logs and grep alike. */
export function consoleLogger(opts: { silent?: boolean } = {}): Logger {
  const write = (level: string, message: string, data?: Record<string, unknown>) => {
    if (opts.silent) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...data });
    (level === 'error' ? process.stderr : process.stdout).write(line + '\n');
  };
  return {
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
  };
}
