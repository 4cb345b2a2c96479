// supertest types every response body as `any`, so a misspelt field reads as a silent undefined
// and typescript-eslint's no-unsafe-* rules flag every use. Tests read bodies through json<T>(res)
// and apiError(res), typed by the presenters the routes answer with: a field the API no longer has
// is a type error, not a test that quietly compares undefined.
import type { ErrorCode } from '../src/errors.js';
import type { presentEmail } from '../src/email/store.js';
import type { presentOrder, presentOrderSummary } from '../src/orders/present.js';
import type { presentRun } from '../src/pack/service.js';
import type { presentProduct } from '../src/products/present.js';
import type { DraftView, ReportedDelivery } from '../src/shipping/drafts.js';
import type { presentWebhook, webhookDeliveryLog } from '../src/webhooks/service.js';

/** A value as `res.json(value)` puts it on the wire and the client reads it back: dates become strings. */
export type Wire<T> = T extends Date ? string : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export type OrderJson = Wire<ReturnType<typeof presentOrder>>;
export type OrderListJson = { orders: Wire<ReturnType<typeof presentOrderSummary>>[]; nextCursor: string | null };
export type ProductJson = Wire<ReturnType<typeof presentProduct>>;
/** GET /api/v1/orders/:code/emails. */
export type OrderEmailsJson = { orderCode: string; emails: EmailJson[] };
export type PackRunJson = Wire<ReturnType<typeof presentRun>>;
/** A run read with its order lists (GET /api/v1/pack-runs/:id). */
export type PackRunDetailJson = Extract<PackRunJson, { promoted: unknown }>;
export type DraftJson = DraftView;
/** POST /api/v1/orders/:code/parcels/fetch: the draft and the parcel IDs the broker gave. */
export type FetchedParcelsJson = DraftJson & { parcelIds: string[] };
/** POST /api/v1/deliveries/report. */
export type ReportJson = { reported: Wire<ReportedDelivery>[]; failed: { code: string; error: ApiErrorJson }[] };
export type EmailJson = Wire<ReturnType<typeof presentEmail>>;
export type WebhookJson = Wire<ReturnType<typeof presentWebhook>>;
export type WebhookDeliveryJson = Wire<ReturnType<typeof webhookDeliveryLog>[number]>;
export type WebhookListJson = { webhooks: WebhookJson[] };
/** GET /api/v1/webhooks/:id/deliveries. */
export type DeliveryLogJson = { deliveries: WebhookDeliveryJson[] };

/** The `error` of an API error body (src/web/error-handler.ts). */
export interface ApiErrorJson {
  code: ErrorCode;
  message: string;
  details?: { fields?: { path: string; message: string }[]; [key: string]: unknown };
}

/** The JSON body of `res`, typed as what the test expects the endpoint to answer. */
export function json<T>(res: { body: unknown }): T {
  return res.body as T;
}

/** The `error` of an API error response; throws (failing the test readably) when the body has none. */
export function apiError(res: { status: number; body: unknown }): ApiErrorJson {
  const error = (res.body as { error?: ApiErrorJson } | undefined)?.error;
  if (!error) throw new Error(`expected an API error, got ${res.status} ${JSON.stringify(res.body)}`);
  return error;
}
