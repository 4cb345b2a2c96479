import { emailSettingsWeb, orderEmailsWeb } from './email/web.js';
import { webhooksWeb } from './webhooks/web.js';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { apiRouter } from './api/router.js';
import { apiTokensWeb } from './api-tokens/web.js';
import { customStatusesWeb } from './custom-statuses/web.js';
import { authRoutes, homeFor } from './auth/web.js';
import { DocumentRenderer } from './documents/render-queue.js';
import { noteRequest } from './activity.js';
import { documentSettingsWeb } from './documents/web.js';
import { NewOrderFeed } from './live/new-orders.js';
import { newOrdersWeb } from './live/web.js';
import { ordersWeb } from './orders/web/index.js';
import { outboundWeb } from './outbound/web/index.js';
import { PackRunHub } from './pack/live.js';
import { packSettingsWeb, packWeb } from './pack/web.js';
import { sessionSecret } from './settings/service.js';
import { shippingSettingsWeb } from './shipping/web/settings.js';
import { shippingWeb } from './shipping/web/station.js';
import { printersStationWeb } from './printers/web/station.js';
import { printersWeb } from './printers/web/settings.js';
import { warehouseSettingsWeb } from './warehouse/web.js';
import { carriersWeb } from './carriers/web.js';
import { scannerCheckWeb, scannerSettingsWeb } from './scanners/web.js';
import { certificateWeb, phoneJoinLocals, phoneJoinWeb } from './shipping/web/join.js';
import { productsWeb } from './products/web.js';
import { stockWeb } from './stock/web.js';
import { toolsWeb } from './tools/web.js';
import { csvUpload, csvWeb } from './csv/web/index.js';
import { accountWeb, usersWeb } from './users/web.js';
import { loadUser, requireCapability, requireLogin } from './web/auth.js';
import { serverTiming } from './web/server-timing.js';
import { serveBrowserModules } from './web/browser-modules.js';
import { AppError } from './errors.js';
import { errorHandler } from './web/error-handler.js';
import { viewLocals } from './web/render.js';
import { webCsrf } from './web/csrf.js';
import { SqliteSessionStore } from './web/session-store.js';
import type { AppDeps } from './web/types.js';
import { returnsWeb } from './returns/web.js';
import { pickupWeb } from './pickup/web.js';
import { fromRoot } from './paths.js';
import { pingDatabase } from './db/connection.js';
import { credentialBoxFor } from './carriers/secrets.js';

const VIEWS = fromRoot('views');
const PUBLIC = fromRoot('public');
// The station camera's fallback decoder (ZXing-C++ as WebAssembly): its script and .wasm come from
// this server, never from the package's default CDN.
const ZXING_WASM = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
const ZXING_SCRIPT = fileURLToPath(new URL('../iife/reader/index.js', pathToFileURL(ZXING_WASM)));

export interface App extends Express {
  sessionStore: SqliteSessionStore;
}

/**
 * Everything the app is built from, made whole by the process that starts it (server.ts, the test
 * helpers): the database, configuration, clock and log it is given, and the process-wide parts
 * made from them unless given (a test may pass its own hub or renderer).
 */
export function buildAppDeps(base: Pick<AppDeps, 'db' | 'config' | 'clock' | 'log'> & Partial<AppDeps>): AppDeps {
  return {
    ...base,
    packHub: base.packHub ?? new PackRunHub(),
    documents: base.documents ?? new DocumentRenderer(base.config.documentFontDir),
    newOrders: base.newOrders ?? new NewOrderFeed(base.db),
    carriers: base.carriers ?? { box: credentialBoxFor(base.config), timeoutMs: base.config.carrierTimeoutMs },
  };
}

/** The whole back office as an Express app; server.ts listens, tests use it through supertest. */
export function createApp(deps: AppDeps): App {
  const { db, config, clock } = deps;
  const app = express() as unknown as App;
  app.set('views', VIEWS);
  app.set('view engine', 'ejs');
  app.set('x-powered-by', false);
  if (config.trustProxy) app.set('trust proxy', config.trustProxy);

  // Server time of every response, for the browser's devtools and for npm run bench.
  app.use(serverTiming());
  // Read by the pack script's worker: it leaves room for the server's writes while requests come in.
  app.use(noteRequest);
  // The API answers JSON to programs: the browser headers below are for pages, and the scan path
  // is the busiest request there is. JSON is never sniffed as something else.
  app.use('/api', (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Replies carry tokens' and webhooks' secrets and customers' data: no cache may keep them.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/api/v1', apiRouter(deps));
  app.use('/api', () => {
    throw new AppError('not_found', 'errors.apiNotFound');
  });

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Camera scanning decodes in the page; nothing is loaded from other origins.
          'img-src': ["'self'", 'data:', 'blob:'],
          // The camera's WebAssembly decoder compiles in the page; no other script source is allowed.
          'script-src': ["'self'", "'wasm-unsafe-eval'"],
          'upgrade-insecure-requests': config.cookieSecure ? [] : null,
        },
      },
      // Served over plain HTTP on a warehouse LAN as often as behind TLS.
      strictTransportSecurity: config.cookieSecure,
      // Browsers honour it over HTTPS only and complain on every plain-HTTP page: sent below when secure.
      crossOriginOpenerPolicy: false,
    }),
  );
  app.use((req, res, next) => {
    if (req.secure) res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    next();
  });

  // The pages' scripts, bundled from src/browser (with the rules they share with the server).
  app.use('/public/js', serveBrowserModules());
  app.use('/public', express.static(PUBLIC, { maxAge: config.env === 'production' ? '1h' : 0 }));
  // The camera's fallback decoder, loaded by the shipping station when the packer opens the camera
  // in a browser without BarcodeDetector.
  app.get('/public/vendor/zxing-reader.js', (_req, res) => res.sendFile(ZXING_SCRIPT, { maxAge: config.env === 'production' ? '1h' : 0 }));
  app.get('/public/vendor/zxing_reader.wasm', (_req, res) => res.sendFile(ZXING_WASM, { maxAge: config.env === 'production' ? '1h' : 0 }));
  app.get('/healthz', (_req, res) => {
    pingDatabase(db);
    res.json({ ok: true });
  });

  const store = new SqliteSessionStore(db, clock);
  app.sessionStore = store;
  const secret = sessionSecret(db, config.sessionSecret, clock());
  app.use(express.urlencoded({ extended: false, limit: '200kb', parameterLimit: 2000 }));
  app.use(
    session({
      name: 'wbo.sid',
      store,
      secret,
      resave: false,
      // A session row is written at login, never for a visitor (the login form's CSRF token is a cookie).
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, maxAge: 12 * 60 * 60 * 1000 },
    }),
  );
  app.use(loadUser(deps));
  app.use(viewLocals(deps));

  // The import form is multipart: its fields (the CSRF token among them) are read before the check.
  app.use('/tools/csv/import', csvUpload());
  const csrf = webCsrf(deps, secret);
  app.use(csrf.protect);

  // Pages that show a secret (a new API token, a webhook's secret) or take a password: a shared
  // computer's browser cache or a proxy must not keep them.
  app.use(['/login', '/account', '/settings'], (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(authRoutes(deps, csrf));
  // The HTTPS port's own certificate authority, for phones to install before they log in.
  app.use(certificateWeb(deps));
  app.use(requireLogin);
  // Every signed-in page shows customers (names, addresses, phones) or what staff did: no browser
  // cache on a shared computer, and no proxy, may keep it. The station's poll revalidates by the
  // ETag it sends itself (src/browser/shipping.ts), so an unchanged state is still a 304.
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.get('/', (req, res) => res.redirect(homeFor(req.user!)));
  app.use(newOrdersWeb(deps.newOrders));
  app.use('/orders', returnsWeb(deps));
  app.use('/orders', orderEmailsWeb(deps));
  app.use('/orders', ordersWeb(deps));
  // At its own prefix: a router that ends with router.use(…) (Outbound's verification pages) hands
  // every request it does not answer on a later turn of the event loop (docs/decisions.md, "A request
  // is served in one piece"), so it is entered only by its own paths.
  app.use('/outbound', outboundWeb(deps));
  app.use('/shipping', phoneJoinLocals(deps), phoneJoinWeb(deps));
  app.use('/shipping', shippingWeb(deps));
  app.use('/shipping', printersStationWeb(deps));
  app.use('/pickup', pickupWeb(deps));
  app.use(csvWeb(deps));
  app.use('/tools/pack-script', packWeb(deps));
  app.use('/tools/products', productsWeb(deps));
  app.use('/tools/stock', stockWeb(deps));
  app.use('/tools', toolsWeb(deps));
  // The scanner check and its sheet: any signed-in user (a packer, from the station).
  app.use('/scanners', scannerCheckWeb(deps));
  app.get('/settings', requireCapability('settings'), (_req, res) => res.redirect('/settings/users'));
  app.use('/settings/users', usersWeb(deps));
  app.use('/settings/statuses', customStatusesWeb(deps));
  app.use('/settings/pack-script', packSettingsWeb(deps));
  app.use('/settings/documents', documentSettingsWeb(deps));
  // Before Settings → Shipping, whose router would take the path first.
  app.use('/settings/shipping/carriers', carriersWeb(deps));
  app.use('/settings/shipping', shippingSettingsWeb(deps));
  app.use('/settings/warehouse', warehouseSettingsWeb(deps));
  app.use('/settings/printers', printersWeb(deps));
  app.use('/settings/scanners', scannerSettingsWeb(deps));
  app.use('/settings/emails', emailSettingsWeb(deps));
  app.use('/settings/webhooks', webhooksWeb(deps));
  app.use('/settings/api-tokens', apiTokensWeb(deps));
  app.use('/account', accountWeb(deps));

  app.use(() => {
    throw new AppError('not_found', 'errors.pageNotFound');
  });
  app.use(errorHandler(deps));
  return app;
}
