/** What becomes of a returned unit: back on the shelf, or written off (damaged or missing). */
export const RETURN_DISPOSITIONS = ['restock', 'write_off'] as const;
export type Disposition = (typeof RETURN_DISPOSITIONS)[number];
