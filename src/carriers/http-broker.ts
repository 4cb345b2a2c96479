import { z } from 'zod';
import { AppError } from '../errors.js';
import type { Booking, BookingRequest, CarrierAdapter } from './types.js';

/** How the shop's generic broker is reached (Settings → Shipping). */
export interface HttpBrokerSettings {
  httpUrl: string;
  httpKey: string;
  /** ms per attempt */
  httpTimeoutMs: number;
  httpRetries: number;
}

/** What the broker is told about the shipment it numbers: its published wire format (docs/api.md). */
export interface ParcelRequest {
  orderCode: string;
  count: number;
  shipTo: { name: string | null; line1: string | null; line2: string | null; postalCode: string | null; city: string | null; country: string | null };
}

/** A booking request in the broker's words: the order, the count and where it goes (an unknown field as null). */
function brokerRequest(b: BookingRequest): ParcelRequest {
  const r = b.recipient;
  return {
    orderCode: b.orderCode,
    count: b.parcels.length,
    shipTo: {
      name: r.name || null,
      line1: r.line1 || null,
      line2: r.line2 || null,
      postalCode: r.postalCode || null,
      city: r.city || null,
      country: r.country || null,
    },
  };
}

const brokerAnswer = z.object({ parcelIds: z.array(z.string().min(1).max(35)).min(1) });

/**
 * A shipping broker's REST API: `POST {url}/parcels` with the order and the count, bearer key;
 * answer `{"parcelIds": [...]}`. Each attempt has a timeout; network errors, timeouts and 5xx are
 * retried with a short backoff; a 4xx or a malformed answer is not. The broker's own message is
 * passed on to the packer.
 */
export class HttpBroker implements CarrierAdapter {
  readonly kind = 'broker';

  constructor(private readonly settings: HttpBrokerSettings) {}

  async book(booking: BookingRequest): Promise<Booking> {
    const ids = await this.parcelIds(brokerRequest(booking));
    return { carrierRef: ids[0]!, parcels: ids.map((parcelId) => ({ parcelId, trackingUrl: null })), labels: [] };
  }

  /** The generic broker API offers no lookup: its numbers are not bought, so asking again is safe (and retried). */
  findByReference(): Promise<Booking | null> {
    return Promise.resolve(null);
  }

  /** The generic broker API offers no cancellation: a number fetched and removed is simply not used. */
  cancel(): Promise<void> {
    return Promise.resolve();
  }

  /** `POST {url}/parcels`: the IDs for the order, retried on a timeout, a network error or a 5xx. */
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
