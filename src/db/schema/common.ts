import { integer } from 'drizzle-orm/sqlite-core';

/** Milliseconds since the epoch; every time column uses it so ranges and keyset cursors are integer compares. */
export const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

/** 0/1 flag column. */
export const flag = (name: string) => integer(name, { mode: 'boolean' });
