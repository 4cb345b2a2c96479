import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { timestamp } from './common.js';
import { users } from './users.js';

/**
 * An uploaded CSV file kept between its preview and its confirmation (csv/uploads.ts), so the
 * file is not sent twice; removed when confirmed or cancelled, and after an hour.
 */
export const csvUploads = sqliteTable(
  'csv_uploads',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Random, in the confirm form: one user's upload cannot be confirmed by guessing an id. */
    token: text('token').notNull().unique(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    fileName: text('file_name').notNull(),
    content: blob('content', { mode: 'buffer' }).notNull(),
    createdAt: timestamp('created_at').notNull(),
  },
  (t) => [index('csv_uploads_created_idx').on(t.createdAt)],
);
