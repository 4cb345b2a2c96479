import { saveAccount, saveMethod } from '../../src/carriers/accounts.js';
import type { AccountInput } from '../../src/carriers/schemas.js';
import { CredentialBox } from '../../src/carriers/secrets.js';
import type { CarrierKind, LabelFormat } from '../../src/carriers/types.js';
import type { Db } from '../../src/db/client.js';

/** The carriers' key the tests run with (CARRIER_SECRET_KEY), so a test can open what the app sealed. */
export const CARRIER_KEY = '5a'.repeat(32);
/** The environment of an app that books with carriers: the key, and a short call timeout for the fault tests. */
export const carrierEnv = (timeoutMs = 1500) => ({ CARRIER_SECRET_KEY: CARRIER_KEY, CARRIER_TIMEOUT_MS: String(timeoutMs) });
export const testBox = () => new CredentialBox(Buffer.from(CARRIER_KEY, 'hex'));

/** Each carrier's credentials as its account takes them (made up; the fakes check they are sent, not their value). */
export const CREDENTIALS: Record<CarrierKind, Record<string, string>> = {
  shipmondo: { apiUser: 'api-user-6c1f', apiKey: 'shipmondo-key-SECRET-51' },
  nshift: { apiKeyId: 'ABCDEFGH12345678', apiKeySecret: 'NSHIFTSECRETSECRET123456' },
  bring: { apiUid: 'lager@example.no', apiKey: 'bring-key-SECRET-7d', customerNumber: 'PARCELS_NORWAY-00012345678', clientUrl: 'https://shop.example.no' },
};

/**
 * A carrier account on the fake's address and a shipping method `code` booking `service` with it,
 * written through Settings' own service. Returns the account's id.
 */
export function carrierMethod(
  db: Db,
  opts: { kind: CarrierKind; baseUrl: string; service: string; code?: string; labelFormat?: LabelFormat; isDefault?: boolean },
): number {
  const input: AccountInput = {
    name: `${opts.kind} test account`,
    kind: opts.kind,
    test: true,
    baseUrl: opts.baseUrl,
    labelFormat: opts.labelFormat ?? 'pdf',
    parcelWeightGrams: 1200,
    senderName: 'Lagret AB',
    senderLine1: 'Lagervägen 4',
    senderLine2: null,
    senderPostalCode: '41705',
    senderCity: 'Göteborg',
    senderCountry: 'SE',
    senderPhone: '+46317001000',
    senderEmail: 'lager@example.se',
  };
  const given = Object.fromEntries(Object.entries(CREDENTIALS[opts.kind]).map(([k, v]) => [`credential.${k}`, v]));
  const account = saveAccount(db, testBox(), null, input, given, new Date('2026-11-20T07:00:00Z'));
  saveMethod(
    db,
    null,
    {
      code: opts.code ?? `${opts.kind}-home`,
      name: `${opts.kind} home`,
      kind: 'carrier',
      carrierAccountId: account.id,
      service: opts.service,
      isDefault: opts.isDefault ?? false,
    },
    new Date('2026-11-20T07:00:00Z'),
  );
  return account.id;
}
