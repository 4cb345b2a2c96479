import type { Actor } from '../domain/actor.js';

/**
 * Who registered an endpoint: an API token (`id` null for API_TOKEN from the environment, which has
 * no row) or a staff user on Settings → Webhooks. `name` is the label shown, as it was then.
 */
export interface WebhookMaker {
  type: 'api' | 'user';
  id: number | null;
  name: string;
}

/** Who asks to manage an endpoint: who they are, and whether they are an admin (an admin token, or a user with Settings). */
export interface WebhookCaller {
  actor: Actor;
  admin: boolean;
}

/** The maker to record for `actor`; null for anyone who is neither a token nor a user (nobody to own it: admins only). */
export function makerOf(actor: Actor | null): WebhookMaker | null {
  if (actor === null || (actor.type !== 'api' && actor.type !== 'user')) return null;
  return { type: actor.type, id: actor.id, name: actor.name };
}

/** Whether `actor` is the one who made it: the same token or user (API_TOKEN, which has no id, by its name). */
function isMaker(maker: WebhookMaker, actor: Actor): boolean {
  return maker.type === actor.type && maker.id === actor.id && (maker.id !== null || maker.name === actor.name);
}

/**
 * The rule for every use of an endpoint after it is made (delete, resend, its delivery log, seeing
 * it in the list): its maker or an admin. An endpoint whose maker is not known (made before makers
 * were recorded) is the admins' alone: nobody is guessed to own it.
 */
export function mayManageWebhook(maker: WebhookMaker | null, caller: WebhookCaller): boolean {
  if (caller.admin) return true;
  return maker !== null && isMaker(maker, caller.actor);
}
