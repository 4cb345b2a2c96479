import type { Request } from 'express';
import { can, type Capability } from '../domain/permissions.js';
import { LANGUAGE_NAMES, negotiateLanguage, translator } from '../i18n/index.js';
import { formatters } from '../i18n/format.js';
import { badgeStyle } from './badge.js';
import { fieldAria } from './field-errors.js';
import type { OrderHold } from '../domain/hold.js';
import { holdMessageKey } from '../orders/hold.js';
import type { AppDeps } from './types.js';

/** The main navigation: label key, path, and what the user must be able to do to see it. */
export const NAV: { key: string; path: string; capability: Capability }[] = [
  { key: 'nav.orders', path: '/orders', capability: 'orders' },
  { key: 'nav.outbound', path: '/outbound', capability: 'outbound' },
  { key: 'nav.shipping', path: '/shipping', capability: 'shipping' },
  { key: 'nav.pickup', path: '/pickup', capability: 'pickup' },
  { key: 'nav.tools', path: '/tools', capability: 'tools' },
  { key: 'nav.settings', path: '/settings', capability: 'settings' },
];

/**
 * The locals the layout needs, made from the request alone. The error page uses them too, so that
 * an error raised before viewLocals ran (a body parser refusing a form, a broken path) still
 * renders the product's page, in the reader's language, rather than failing to render.
 */
export function baseLocals(req: Request, config: AppDeps['config']) {
  const lang = req.lang ?? negotiateLanguage(req.headers['accept-language'], config.defaultLanguage);
  const user = req.user ?? null;
  return {
    t: req.t ?? translator(lang),
    lang,
    fmt: formatters(lang, config.timezone),
    user,
    can: (capability: Capability) => (user ? can(user.role, capability) : false),
    /** The catalog key that says why an order is held, worded for this user (orders/hold.ts). */
    holdKey: (reason: OrderHold) => holdMessageKey(reason, user?.role ?? null),
    nav: user ? NAV.filter((n) => can(user.role, n.capability)) : [],
    currentPath: req.path,
    languageNames: LANGUAGE_NAMES,
    errors: {},
    fieldAria,
    badgeStyle,
    values: {},
    formError: null,
    flash: null as { kind: string; message: string } | null,
    csrfToken: '',
  };
}
