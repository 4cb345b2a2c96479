import { Router, type Request } from 'express';
import { z } from 'zod';
import { idempotentWithKey } from '../api/idempotency.js';
import { sendPdf } from '../documents/api.js';
import { isLanguage, LANGUAGES } from '../i18n/index.js';
import { findOrderByCodeOrThrow } from '../orders/lookup.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { returnBody, returnNumberParam } from './schemas.js';
import { presentReturn } from './present.js';
import { creditNotePdf, listReturns, registerReturnIn } from './service.js';

const pdfQuery = z.object({ lang: z.enum(LANGUAGES).optional() });

/** POST and GET /api/v1/orders/:code/returns, and a return's credit note (docs/api.md § Returns). */
export function returnsApi({ db, clock, config, documents }: AppDeps): Router {
  const router = Router();
  router.post('/:code/returns', (req: Request<{ code: string }>, res) => {
    const body = parse(returnBody, req.body ?? {});
    const reply = idempotentWithKey(db, req, body.idempotencyKey ?? req.get('Idempotency-Key'), clock(), () => ({
      status: 201,
      body: presentReturn(registerReturnIn(db, req.params.code, body.lines, { actor: req.api!.actor, now: clock() })),
    }));
    res.status(reply.status).json(reply.body);
  });
  router.get('/:code/returns', (req, res) => {
    res.json(listReturns(db, req.params.code));
  });
  router.get('/:code/returns/:number/credit-note.pdf', async (req, res) => {
    const number = parse(returnNumberParam, req.params.number);
    const { lang } = parse(pdfQuery, req.query);
    const order = findOrderByCodeOrThrow(db, req.params.code);
    const language = lang ?? (isLanguage(order.language) ? order.language : config.defaultLanguage);
    const { pdf, fileName } = await creditNotePdf(
      { db, renderer: documents, timezone: config.timezone },
      order.code,
      number,
      language,
      req.api!.actor.name,
      clock(),
    );
    sendPdf(res, pdf, fileName);
  });
  return router;
}
