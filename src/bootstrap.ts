import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { generatePassword } from './users/password.js';
import { anyUser } from './users/repo.js';
import { createUser } from './users/service.js';
import type { Logger } from './log.js';

/**
 * Makes the first admin when there are no users: ADMIN_EMAIL with ADMIN_PASSWORD, or a generated
 * password printed once (it is not stored anywhere readable).
 *
 * The generated password is never in a log line: the JSON log says the admin was made and where the
 * password was shown (`passwordShown: "stderr"`), and `print` gets one framed block, written in a
 * single call so that no log line lands inside it (server.ts writes it to stderr).
 */
export async function ensureFirstAdmin(db: Db, config: Config, now: Date, log: Logger, print: (block: string) => void): Promise<void> {
  if (anyUser(db)) return;
  const password = config.adminPassword ?? generatePassword();
  await createUser(db, { email: config.adminEmail, name: 'Admin', role: 'admin', language: config.defaultLanguage, password }, now);
  if (config.adminPassword) {
    log.info('first admin created', { email: config.adminEmail, password: 'ADMIN_PASSWORD' });
    return;
  }
  log.info('first admin created', { email: config.adminEmail, passwordShown: 'stderr' });
  print(firstAdminBanner(config.adminEmail, password));
}

/** The block that shows the generated password: framed, blank lines around it, nothing else on its lines. */
export function firstAdminBanner(email: string, password: string): string {
  const rule = '='.repeat(72);
  return [
    '',
    rule,
    '  FIRST ADMIN ACCOUNT CREATED',
    '',
    `    e-mail:   ${email}`,
    `    password: ${password}`,
    '',
    '  This password is shown only now, and is not logged or stored anywhere readable.',
    '  Sign in and change it under My account.',
    rule,
    '',
    '',
  ].join('\n');
}
