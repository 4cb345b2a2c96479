import type { Logger } from '../log.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ApiCaller } from '../api-tokens/caller.js';
import type { Actor } from '../domain/actor.js';
import type { Role } from '../domain/permissions.js';
import type { Formatters } from '../i18n/format.js';
import type { Language, Translate } from '../i18n/index.js';
import type { DocumentRenderer } from '../documents/render-queue.js';
import type { NewOrderFeed } from '../live/new-orders.js';
import type { PackRunHub } from '../pack/live.js';
import type { CarrierDeps } from '../carriers/booking.js';

/** What the app is built from; tests pass their own database and clock. */
export interface AppDeps {
  db: Db;
  config: Config;
  clock: () => Date;
  log: Logger;
  /** Live progress of pack runs in this process. */
  packHub: PackRunHub;
  /** The PDF renderer (and its worker). */
  documents: DocumentRenderer;
  /** New orders for the pages' live notice. */
  newOrders: NewOrderFeed;
  /** The carriers' credentials key and call timeout. */
  carriers: CarrierDeps;
}

/** The logged-in staff member, as the pages need them. */
export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
  language: Language;
  /** The packing station plays no sounds for this user (My account). */
  soundsMuted?: boolean;
}

export type { ApiCaller };

declare module 'express-serve-static-core' {
  interface Request {
    user?: SessionUser;
    api?: ApiCaller;
    lang: Language;
    t: Translate;
  }
  /** Set for every page by viewLocals (render.ts) and for the error page by baseLocals (locals.ts). */
  interface Locals {
    fmt: Formatters;
    languageNames: Record<Language, string>;
  }
}

declare module 'express-session' {
  interface SessionData {
    userId: number;
    /** One message shown on the next page (after a redirect). */
    flash: { kind: 'success' | 'error'; key: string; params?: Record<string, unknown> };
  }
}

export function userActor(user: SessionUser): Actor {
  return { type: 'user', id: user.id, name: user.name };
}
