import { z } from 'zod';
import { writeTransaction, type Conn, type Db } from '../db/client.js';
import { gs1CheckDigit } from '../domain/gtin.js';
import { settingsGroup } from '../settings/service.js';
import { AppError } from '../errors.js';
import { takeNumbers } from '../series/repo.js';

/** Settings → Shipping: which broker gives parcel IDs, and how to reach it. */
export const brokerSettingsSchema = z.object({
  kind: z.enum(['sscc', 'http']),
  /** GS1 company prefix, 7–10 digits. */
  companyPrefix: z.string().regex(/^\d{7,10}$/, { error: 'validation.companyPrefix' }),
  /** SSCC extension digit, 0–9. */
  extensionDigit: z.int().min(0).max(9),
  httpUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'validation.httpUrl' })]),
  httpKey: z.string().max(500),
  /** ms per attempt */
  httpTimeoutMs: z.int().min(100).max(60_000),
  httpRetries: z.int().min(0).max(5),
});
export type BrokerSettings = z.infer<typeof brokerSettingsSchema>;

export const DEFAULT_BROKER: BrokerSettings = {
  kind: 'sscc',
  companyPrefix: '7350000',
  extensionDigit: 3,
  httpUrl: '',
  httpKey: '',
  httpTimeoutMs: 5000,
  httpRetries: 2,
};
const group = settingsGroup('shipping_broker', brokerSettingsSchema, DEFAULT_BROKER);

export const getBrokerSettings = (conn: Conn): BrokerSettings => group.get(conn);
export const putBrokerSettings = (db: Db, settings: BrokerSettings, now: Date, by: string): void => group.put(db, settings, now, by);

/** What a broker is told about the shipment it numbers. */
export interface ParcelRequest {
  orderCode: string;
  count: number;
  shipTo: { name: string | null; line1: string | null; line2: string | null; postalCode: string | null; city: string | null; country: string | null };
}

/** Gives parcel IDs for an order. Every adapter answers the same way or throws `broker_failed`. */
export interface ParcelBroker {
  parcelIds(request: ParcelRequest): Promise<string[]>;
}

/**
 * The built-in broker: SSCC-18 numbers from the shop's own GS1 company prefix. The serial is kept
 * by the number series (series/repo.ts) in a transaction of its own, so a number is never given twice
 * (a number fetched and then removed is skipped, never reused).
 */
export class SsccBroker implements ParcelBroker {
  constructor(
    private readonly db: Db,
    private readonly settings: Pick<BrokerSettings, 'companyPrefix' | 'extensionDigit'>,
  ) {}

  // The interface is async because the HTTP adapter awaits; this one is synchronous (SQLite), so
  // its answer and its refusal are wrapped in a promise rather than thrown at the caller.
  parcelIds(request: ParcelRequest): Promise<string[]> {
    const serialDigits = 16 - this.settings.companyPrefix.length;
    const max = 10 ** serialDigits - 1;
    try {
      const first = writeTransaction(this.db, (tx) => takeNumbers(tx, 'sscc', { count: request.count, max }));
      if (first === null)
        throw new AppError('broker_failed', 'errors.brokerFailed', { message: `the SSCC serials of prefix ${this.settings.companyPrefix} are used up` });
      return Promise.resolve(Array.from({ length: request.count }, (_, i) => ssccOf(this.settings.extensionDigit, this.settings.companyPrefix, first + i)));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** SSCC-18: extension digit, company prefix, serial, GS1 check digit. */
export function ssccOf(extensionDigit: number, companyPrefix: string, serial: number): string {
  const body = `${extensionDigit}${companyPrefix}${String(serial).padStart(16 - companyPrefix.length, '0')}`;
  return body + gs1CheckDigit(body);
}

const brokerAnswer = z.object({ parcelIds: z.array(z.string().min(1).max(35)).min(1) });

/**
 * A shipping broker's REST API: `POST {url}/parcels` with the order and the count, bearer key;
 * answer `{"parcelIds": [...]}`. Each attempt has a timeout; network errors, timeouts and 5xx are
 * retried with a short backoff; a 4xx or a malformed answer is not. The broker's own message is
 * passed on to the packer.
 */
export class HttpBroker implements ParcelBroker {
  constructor(private readonly settings: Pick<BrokerSettings, 'httpUrl' | 'httpKey' | 'httpTimeoutMs' | 'httpRetries'>) {}

  async parcelIds(request: ParcelRequest): Promise<string[]> {
    if (!this.settings.httpUrl) throw new AppError('broker_failed', 'errors.brokerFailed', { message: 'no broker URL in Settings → Shipping' });
    const url = `${this.settings.httpUrl.replace(/\/+$/, '')}/parcels`;
    let lastProblem = '';
    for (let attempt = 0; attempt <= this.settings.httpRetries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json',
            ...(this.settings.httpKey && { Authorization: `Bearer ${this.settings.httpKey}` }),
          },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(this.settings.httpTimeoutMs),
        });
      } catch (err) {
        lastProblem = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.settings.httpTimeoutMs} ms` : `cannot reach ${url}`;
        continue;
      }
      const text = await res.text().catch(() => '');
      if (!res.ok) {
        lastProblem = `HTTP ${res.status}: ${brokerMessage(text)}`;
        if (res.status >= 500) continue;
        break;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const answer = brokerAnswer.safeParse(parsed);
      if (!answer.success || answer.data.parcelIds.length !== request.count) {
        lastProblem = `malformed answer (expected ${request.count} parcel IDs): ${text.slice(0, 120)}`;
        break;
      }
      return answer.data.parcelIds;
    }
    throw new AppError('broker_failed', 'errors.brokerFailed', { message: lastProblem });
  }
}

/** The broker's error text: `error.message`, `message`, or the start of the body. */
function brokerMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof json.error === 'object' ? json.error?.message : (json.error ?? json.message);
    if (typeof m === 'string' && m) return m.slice(0, 200);
  } catch {
    // not JSON
  }
  return body.slice(0, 200) || 'no message';
}

export function brokerFor(db: Db): ParcelBroker {
  const settings = getBrokerSettings(db);
  return settings.kind === 'http' ? new HttpBroker(settings) : new SsccBroker(db, settings);
}
