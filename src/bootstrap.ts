import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { users } from './db/schema/index.js';
import { generatePassword } from './users/password.js';
import { createUser } from './users/service.js';
import type { Logger } from './log.js';

/**
 * Makes the first admin when there are no users: ADMIN_EMAIL with ADMIN_PASSWORD, or a generated
 * password printed once on the console (it is not stored anywhere readable).
 */
export async function ensureFirstAdmin(db: Db, config: Config, now: Date, log: Logger, print: (line: string) => void): Promise<void> {
  if (db.select({ id: users.id }).from(users).limit(1).get()) return;
  const password = config.adminPassword ?? generatePassword();
  await createUser(db, { email: config.adminEmail, name: 'Admin', role: 'admin', language: config.defaultLanguage, password }, now);
  log.info('first admin created', { email: config.adminEmail });
  if (!config.adminPassword) {
    print('');
    print('  First admin account created');
    print(`    e-mail:   ${config.adminEmail}`);
    print(`    password: ${password}`);
    print('  This password is shown only now. Change it under My account after logging in.');
    print('');
  }
}
