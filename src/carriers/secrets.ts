import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { keyBytes, type Config } from '../config.js';
import { AppError } from '../errors.js';

// Carrier credentials at rest: one AES-256-GCM box per account, its key outside the database (an
// environment variable or a file), so a copy of the database (a backup) holds no usable secret.

const VERSION = 'v1';
/** Bound into every box: a box is credentials of a carrier account, nothing else. */
const PURPOSE = Buffer.from('carrier-account-credentials');

export class CredentialBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the carrier credentials key must be 32 bytes');
  }

  seal(credentials: Record<string, string>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(PURPOSE);
    const data = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  /** The credentials, or `carrier_key_wrong` when the box was sealed with another key (a restored backup without its key). */
  open(box: string): Record<string, string> {
    const [version, iv, tag, data] = box.split('.');
    try {
      if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('not a box');
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(PURPOSE);
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not credentials');
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      throw new AppError('carrier_key_wrong', 'errors.carrierKeyWrong', {});
    }
  }
}

/**
 * The box of this installation: CARRIER_SECRET_KEY, else the key in CARRIER_SECRET_KEY_FILE or
 * `secrets/carrier.key` beside the database (made on first start, readable by this user alone). An
 * in-memory database (tests) gets a key of its own that dies with it.
 */
export function credentialBoxFor(config: Pick<Config, 'carrierKey' | 'carrierKeyFile' | 'databasePath'>): CredentialBox {
  if (config.carrierKey) return new CredentialBox(config.carrierKey);
  if (!config.carrierKeyFile && config.databasePath === ':memory:') return new CredentialBox(randomBytes(32));
  const file = config.carrierKeyFile ?? join(dirname(resolve(config.databasePath)), 'secrets', 'carrier.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeKeyFile(file);
  }
  const key = keyBytes(readFileSync(file, 'utf8'));
  if (!key) throw new Error(`${file} must hold a 32-byte key as base64 or 64 hex digits`);
  return new CredentialBox(key);
}

function writeKeyFile(file: string): void {
  // 'wx': made here or not at all, so two processes starting at once never write two keys; 0600
  // from its first byte.
  try {
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
  }
}
