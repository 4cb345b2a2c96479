import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamp } from './common.js';

/**
 * A label printer on the network that takes raw ZPL on a TCP port (9100 on Zebra and most thermal
 * printers). "PDF (browser)" is not a row: it is always there, and a station without a printer
 * uses it.
 */
export const printers = sqliteTable(
  'printers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** How the printer is spoken to: raw ZPL over TCP. */
    kind: text('kind', { enum: ['zpl'] })
      .notNull()
      .default('zpl'),
    /** A host name or an IP address (no URL). */
    host: text('host').notNull(),
    port: integer('port').notNull().default(9100),
    /** The print head's resolution in dots per inch: 203 or 300. */
    dpi: integer('dpi').notNull().default(203),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (t) => [uniqueIndex('printers_name_unique').on(t.name)],
);
