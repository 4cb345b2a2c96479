import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { ROLES } from '../../domain/permissions.js';
import type { Language } from '../../i18n/index.js';
import { timestamp } from './common.js';

/** Staff accounts. The e-mail is stored lower-cased; it is the login name. */
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** One of src/i18n's LANGUAGES (checked where it is written: users/schemas.ts). */
    language: text('language').$type<Language>().notNull().default('en'),
    /** scrypt$N$r$p$salt$hash (web/password.ts). */
    passwordHash: text('password_hash').notNull(),
    /** The station's sounds (ok, duplicate, error) are off for this user. */
    soundsMuted: integer('sounds_muted', { mode: 'boolean' }).notNull().default(false),
    disabledAt: timestamp('disabled_at'),
    lastLoginAt: timestamp('last_login_at'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_email_unique').on(t.email)],
);

/** express-session rows; user_id is lifted out of the JSON so a disabled user's sessions can be dropped. */
export const sessions = sqliteTable(
  'sessions',
  {
    sid: text('sid').primaryKey(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    data: text('data').notNull(),
    expiresAt: timestamp('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

/** Bearer tokens for shops, POS and accounting systems. Only a SHA-256 of the token is kept. */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** First characters, shown in the list so a person can tell tokens apart. */
    tokenPrefix: text('token_prefix').notNull(),
    /** integration: orders, products, shipping; admin: also deletes. */
    role: text('role', { enum: ['integration', 'admin'] }).notNull(),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at').notNull(),
    lastUsedAt: timestamp('last_used_at'),
    revokedAt: timestamp('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_unique').on(t.tokenHash)],
);
