import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { can } from '../../domain/permissions.js';
import { AppError } from '../../errors.js';
import { orderFilterQuery } from '../../orders/list.js';
import { requireCapability } from '../../web/auth.js';
import { formFields, renderForm } from '../../web/form.js';
import { setFlash } from '../../web/render.js';
import { userActor, type AppDeps } from '../../web/types.js';
import { parse } from '../../validate.js';
import { csvDialectQuery, csvFileName } from '../dialect.js';
import { exportOrders, exportProducts } from '../export.js';
import { IMPORT_COLUMNS, IMPORT_IGNORED, IMPORT_REQUIRED, importProducts, type ImportOutcome } from '../import.js';
import { readImportRows } from '../in-worker.js';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from '../read.js';
import { columnOfField } from '../rows.js';
import { sendCsv } from './send.js';
import { dropUpload, findUpload, keepUpload } from '../uploads.js';

/** Rows that change shown in a preview. */
const PREVIEW_CHANGES = 200;
/**
 * Bad rows listed in a preview, the first by line (the counts say how many there are): a page
 * listing 20,000 bad rows was 2.9 MB, and rendering it held the event loop 137–359 ms (loaded).
 */
const PREVIEW_BAD = 500;

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by csvUpload when the file could not be taken (too large, more than one). */
    uploadError?: AppError;
  }
}

/**
 * Reads the import form's multipart body (the file kept in memory, at most MAX_IMPORT_BYTES) for a
 * signed-in user who may use Tools, before the CSRF check, which needs the form's fields. A file
 * too large is not an error page: the form says so.
 */
export function csvUpload(): RequestHandler {
  const single = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 10, fieldSize: 4096 } }).single('file');
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.path !== '/' || !req.user || !can(req.user.role, 'tools') || !req.is('multipart/form-data')) return next();
    single(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        req.uploadError =
          err.code === 'LIMIT_FILE_SIZE'
            ? new AppError(
                'payload_too_large',
                'csv.errors.tooLarge',
                { max: `${MAX_IMPORT_BYTES / 1024 / 1024} MB` },
                { fields: [{ path: 'file', key: 'csv.errors.tooLarge', params: { max: `${MAX_IMPORT_BYTES / 1024 / 1024} MB` } }] },
              )
            : new AppError('bad_request', 'csv.errors.oneFile', {}, { fields: [{ path: 'file', key: 'csv.errors.oneFile' }] });
        return next();
      }
      next(err);
    });
  };
}

const confirmForm = z.object({ skipBad: z.enum(['1']).optional() });
const tokenParam = z.string().regex(/^[A-Za-z0-9_-]{24}$/);

/**
 * Tools → Import and export: the products and stock import (upload, preview, confirm) and the
 * exports; `/orders.csv` is the Orders list's Export CSV, with the list's filters.
 */
export function csvWeb({ db, config, clock, log }: AppDeps): Router {
  const router = Router();

  router.get('/orders.csv', requireCapability('orders'), async (req, res) => {
    const query = parse(orderFilterQuery, req.query);
    const csv = parse(csvDialectQuery, req.query);
    await sendCsv(res, csvFileName('orders', clock()), log, (out) => exportOrders(db, query, config.timezone, csv, out));
  });

  const tools = Router();
  tools.use(requireCapability('tools'));
  const page = (req: Request) => ({ title: req.t('csv.title'), maxRows: MAX_IMPORT_ROWS, maxMb: MAX_IMPORT_BYTES / 1024 / 1024, columns: IMPORT_COLUMNS });

  tools.get('/', (req, res) => res.render('csv/index', { ...page(req), errors: {}, values: {}, formError: null }));

  tools.get('/products.csv', async (req, res) => {
    const csv = parse(csvDialectQuery, req.query);
    await sendCsv(res, csvFileName('products', clock()), log, (out) => exportProducts(db, csv, out));
  });

  const preview = (req: Request, res: Response, token: string, fileName: string, outcome: ImportOutcome, skipBad: boolean, status = 200) => {
    res.status(status).render('csv/preview', {
      title: req.t('csv.preview.title'),
      token,
      fileName,
      outcome,
      skipBad,
      bad: outcome.rows.filter((r) => r.action === 'bad').slice(0, PREVIEW_BAD),
      badCount: outcome.counts.bad,
      changes: outcome.rows.filter((r) => r.action === 'create' || r.action === 'update').slice(0, PREVIEW_CHANGES),
      changeCount: outcome.counts.create + outcome.counts.update,
      currency: config.currency,
    });
  };

  // The file is read in a worker thread, the rows written here in short batches (import.ts).
  const run = async (req: Request, content: Buffer, dryRun: boolean, skipBad: boolean) => {
    const rows = await readImportRows(content, { known: IMPORT_COLUMNS, required: IMPORT_REQUIRED, ignored: IMPORT_IGNORED });
    return importProducts(db, rows, { actor: userActor(req.user!), now: clock(), dryRun, skipBad, columnOf: columnOfField });
  };

  tools.post('/import', async (req, res) => {
    const skipBad = formFields(req).skipBad === '1';
    try {
      if (req.uploadError) throw req.uploadError;
      if (!req.file || req.file.size === 0)
        throw new AppError('validation_failed', 'csv.errors.noFile', {}, { fields: [{ path: 'file', key: 'csv.errors.noFile' }] });
      const fileName = req.file.originalname || 'import.csv';
      let outcome: ImportOutcome;
      try {
        outcome = await run(req, req.file.buffer, true, skipBad);
      } catch (err) {
        // The file itself cannot be read: said next to the file field.
        if (err instanceof AppError && err.code === 'csv_unreadable')
          throw new AppError(err.code, err.key, err.params, { fields: [{ path: 'file', key: err.key, params: err.params }] });
        throw err;
      }
      const token = await keepUpload(db, req.user!.id, fileName, req.file.buffer, clock());
      preview(req, res, token, fileName, outcome, skipBad);
    } catch (err) {
      renderForm(req, res, err, 'csv/index', page(req));
    }
  });

  tools.post('/import/:token/confirm', async (req, res) => {
    const token = parse(tokenParam, req.params.token);
    const { skipBad } = parse(confirmForm, formFields(req));
    const upload = await findUpload(db, req.user!.id, token, clock());
    const outcome = await run(req, upload.content, false, skipBad === '1');
    if (!outcome.applied) {
      // A row went bad since the preview (or "skip bad rows" was unticked): nothing was written.
      res.locals.formError = req.t('csv.errors.badRows', { count: outcome.counts.bad });
      return preview(req, res, token, upload.fileName, outcome, false, 422);
    }
    dropUpload(db, req.user!.id, token);
    setFlash(req, 'success', 'csv.imported', {
      created: outcome.counts.create,
      updated: outcome.counts.update,
      unchanged: outcome.counts.unchanged,
      skipped: outcome.counts.bad,
    });
    res.redirect(303, '/tools/csv');
  });

  tools.post('/import/:token/cancel', (req, res) => {
    const token = parse(tokenParam, req.params.token);
    dropUpload(db, req.user!.id, token);
    res.redirect(303, '/tools/csv');
  });

  router.use('/tools/csv', tools);
  return router;
}
