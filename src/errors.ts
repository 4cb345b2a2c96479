import { IllegalMoveError } from './domain/order-status.js';
import { tEn } from './i18n/index.js';

/** The product's one error type. `code` is stable (API contract); `message` is for people. */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'order_not_found'
  | 'order_code_invalid'
  | 'product_not_found'
  | 'product_archived'
  | 'stock_session_closed'
  | 'user_not_found'
  | 'validation_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'illegal_status_move'
  | 'order_not_editable'
  | 'insufficient_stock'
  | 'line_not_found'
  | 'line_partly_shipped'
  | 'last_line'
  | 'custom_status_not_found'
  | 'custom_status_in_use'
  | 'pack_run_in_progress'
  | 'pack_run_not_found'
  | 'order_not_packing'
  | 'order_on_hold'
  | 'order_unpaid'
  | 'order_taken'
  | 'order_at_station'
  | 'scan_unreadable'
  | 'scan_meant_elsewhere'
  | 'item_not_on_order'
  | 'item_over_quantity'
  | 'barcode_unknown'
  | 'item_on_other_order'
  | 'item_not_tracked'
  | 'check_not_found'
  | 'delivery_not_verified'
  | 'not_invoice_order'
  | 'invoice_not_numbered'
  | 'invoice_one_at_a_time'
  | 'document_font_missing'
  | 'parcel_in_use'
  | 'too_many_parcels'
  | 'parcel_not_found'
  | 'broker_failed'
  | 'carrier_refused'
  | 'carrier_unavailable'
  | 'carrier_answer_lost'
  | 'carrier_key_wrong'
  | 'booking_in_progress'
  | 'pickup_takes_no_parcels'
  | 'no_empty_slot'
  | 'printer_not_found'
  | 'no_label_printer'
  | 'printer_unreachable'
  | 'printer_timeout'
  | 'order_not_shipped'
  | 'return_more_than_shipped'
  | 'csv_unreadable'
  | 'upload_not_found'
  | 'conflict'
  | 'barcode_in_use'
  | 'email_in_use'
  | 'already_paid'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_progress'
  | 'csrf_invalid'
  | 'rate_limited'
  | 'storage_full'
  | 'storage_read_only'
  | 'storage_failed'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  order_not_found: 404,
  order_code_invalid: 404,
  product_not_found: 404,
  product_archived: 422,
  stock_session_closed: 409,
  user_not_found: 404,
  validation_failed: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  illegal_status_move: 409,
  order_not_editable: 409,
  insufficient_stock: 409,
  line_not_found: 404,
  line_partly_shipped: 409,
  last_line: 409,
  custom_status_not_found: 404,
  custom_status_in_use: 409,
  pack_run_in_progress: 409,
  pack_run_not_found: 404,
  order_not_packing: 409,
  order_on_hold: 409,
  order_unpaid: 409,
  order_taken: 409,
  order_at_station: 409,
  scan_unreadable: 422,
  scan_meant_elsewhere: 409,
  item_not_on_order: 409,
  item_over_quantity: 409,
  barcode_unknown: 422,
  item_on_other_order: 409,
  item_not_tracked: 409,
  check_not_found: 404,
  delivery_not_verified: 409,
  not_invoice_order: 409,
  invoice_not_numbered: 409,
  invoice_one_at_a_time: 422,
  document_font_missing: 503,
  parcel_in_use: 409,
  too_many_parcels: 422,
  parcel_not_found: 404,
  broker_failed: 502,
  carrier_refused: 422,
  carrier_unavailable: 502,
  carrier_answer_lost: 504,
  carrier_key_wrong: 503,
  booking_in_progress: 409,
  pickup_takes_no_parcels: 409,
  no_empty_slot: 409,
  printer_not_found: 404,
  no_label_printer: 409,
  printer_unreachable: 502,
  printer_timeout: 504,
  order_not_shipped: 409,
  return_more_than_shipped: 422,
  csv_unreadable: 422,
  upload_not_found: 404,
  conflict: 409,
  barcode_in_use: 409,
  email_in_use: 409,
  already_paid: 409,
  idempotency_key_reused: 409,
  idempotency_key_in_progress: 409,
  csrf_invalid: 403,
  rate_limited: 429,
  storage_full: 503,
  storage_read_only: 503,
  storage_failed: 503,
  internal: 500,
};

/** One field's complaint: `path` as in the request body (`lines.2.quantity`), the text as a catalog key. */
export interface FieldError {
  path: string;
  key: string;
  params?: Record<string, unknown>;
}

/**
 * A refusal the user should read. The message is a catalog key, translated by the error handler
 * into the reader's language; `message` holds the English text for logs.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly key: string,
    readonly params: Record<string, unknown> = {},
    readonly details?: { fields?: FieldError[]; [name: string]: unknown },
  ) {
    super(tEn(key, params));
    this.name = 'AppError';
  }

  get status(): number {
    return STATUS[this.code];
  }

  /** The field errors by path, for a form that shows each next to its input. */
  get fields(): FieldError[] {
    return this.details?.fields ?? [];
  }
}

/** A 422 about one field of the request. */
export function fieldError(path: string, key: string, params: Record<string, unknown> = {}): AppError {
  return new AppError('validation_failed', key, params, { fields: [{ path, key, params }] });
}

/**
 * Another system's failure (a carrier, the shipping broker): a 5xx for the API, but on a page it is
 * said where the user acted, as a refusal is, since the user can try again or do otherwise.
 */
export function isOutsideFault(err: AppError): boolean {
  return err.code === 'broker_failed' || err.code === 'carrier_unavailable' || err.code === 'carrier_answer_lost';
}

/** Turns anything thrown into an AppError; unknown errors become `internal`. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof IllegalMoveError) {
    return new AppError(
      'illegal_status_move',
      'errors.illegalMove',
      { from: err.from, to: err.to, allowed: err.allowed.join(', ') || '—' },
      { from: err.from, to: err.to, allowed: err.allowed },
    );
  }
  const e = err as { type?: string; code?: string; status?: unknown };
  if (e?.type === 'entity.too.large') return new AppError('payload_too_large', 'errors.payloadTooLarge');
  if (e?.type === 'parameters.too.many') return new AppError('payload_too_large', 'errors.tooManyFields');
  if (e?.type === 'entity.parse.failed') return new AppError('bad_request', 'errors.invalidJson');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return new AppError('unsupported_media_type', 'errors.badEncoding');
  if (e?.code === 'EBADCSRFTOKEN') return new AppError('csrf_invalid', 'errors.csrf');
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) {
    const storage = storageError(e.code);
    if (storage) return storage;
    if (e.code.startsWith('SQLITE_CONSTRAINT')) return new AppError('conflict', 'errors.concurrentChange');
    if (e.code === 'SQLITE_BUSY') return new AppError('conflict', 'errors.busy');
  }
  // Errors the HTTP layer made itself (a body that claims gzip but is not, a path with broken
  // %-encoding, an aborted upload) carry their 4xx status: the client sent something wrong.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return httpClientError(e.status, err instanceof URIError);
  return new AppError('internal', 'errors.internal');
}

/** The disk is full, read-only or failing: the server goes on serving reads, and says so on writes. */
function storageError(code: string): AppError | null {
  if (code === 'SQLITE_FULL') return new AppError('storage_full', 'errors.storageFull');
  if (code.startsWith('SQLITE_READONLY')) return new AppError('storage_read_only', 'errors.storageReadOnly');
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CORRUPT' || code === 'SQLITE_CANTOPEN') return new AppError('storage_failed', 'errors.storageFailed');
  return null;
}

function httpClientError(status: number, badPath: boolean): AppError {
  switch (status) {
    case 401:
      return new AppError('unauthorized', 'errors.loginRequired');
    case 403:
      return new AppError('forbidden', 'errors.forbidden');
    case 404:
      return new AppError('not_found', 'errors.pageNotFound');
    case 413:
      return new AppError('payload_too_large', 'errors.payloadTooLarge');
    case 415:
      return new AppError('unsupported_media_type', 'errors.badEncoding');
    default:
      return new AppError('bad_request', badPath ? 'errors.malformedPath' : 'errors.malformedRequest');
  }
}

/** True for the errors that say the database cannot take writes: worth an operator's attention at once. */
export function isStorageError(appError: AppError): boolean {
  return appError.code === 'storage_full' || appError.code === 'storage_read_only' || appError.code === 'storage_failed';
}
