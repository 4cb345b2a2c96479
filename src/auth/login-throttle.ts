import type { Db } from '../db/client.js';
import { RateLimitStore, type Counted } from './rate-limit-store.js';

/** The window every login limit counts in. */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

/** Failed logins let through in one window (docs/decisions.md § Failed logins). */
export interface LoginLimits {
  /** per client address and e-mail: one person mistyping, or one attacker on one account */
  pair: number;
  /** per client address, whatever the e-mail: one attacker trying many accounts */
  address: number;
  /** per e-mail, from any address: many addresses trying one account */
  account: number;
}

export type LoginAttempt = { allowed: true; counted: Counted } | { allowed: false; retryAt: Date };

/**
 * The three login counters, in the shared `rate_limits` table. Every attempt is counted under all
 * three before the password is checked; a correct password takes back only its own hit, so a
 * login to one account never clears the count that protects the others.
 */
export class LoginThrottle {
  private readonly store: RateLimitStore;

  constructor(
    db: Db,
    clock: () => Date,
    private readonly limits: LoginLimits,
  ) {
    this.store = new RateLimitStore(db, clock, LOGIN_WINDOW_MS);
  }

  /** Counts an attempt from `address` (already grouped by ipKeyGenerator) for the e-mail typed. */
  attempt(address: string, email: string): LoginAttempt {
    const account = email.trim().toLowerCase();
    return this.store.hit([
      // The pair's key is the one counted before the other two existed: counts in flight carry over.
      { key: `login:${address}|${account}`, limit: this.limits.pair },
      { key: `login-address:${address}`, limit: this.limits.address },
      { key: `login-account:${account}`, limit: this.limits.account },
    ]);
  }

  /** A correct password: its attempt was not a failure. */
  succeeded(attempt: { counted: Counted }): void {
    this.store.takeBack(attempt.counted);
  }
}
