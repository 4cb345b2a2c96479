import type { Actor } from '../domain/actor.js';

/** Who calls the API: the token's actor and role (set on the request by api/auth.ts as `req.api`). */
export interface ApiCaller {
  actor: Actor;
  role: 'integration' | 'admin';
}
