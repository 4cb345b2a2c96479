import { z } from 'zod';
import type { Conn, Db } from '../db/client.js';
import { HttpBroker } from '../carriers/http-broker.js';
import { SsccSeries } from '../carriers/sscc.js';
import { settingsGroup } from '../settings/service.js';

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

/** The station's own source of parcel IDs (a shipping method of kind `own`, or none): the SSCC series or the broker's HTTP API. */
export function ownAdapterFor(db: Db): SsccSeries | HttpBroker {
  const settings = getBrokerSettings(db);
  return settings.kind === 'http' ? new HttpBroker(settings) : new SsccSeries(db, settings);
}
