import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../web/types.js';
import { parse } from '../web/validate.js';
import { createWebhook, deleteWebhook, listWebhooks, presentWebhook, resendDelivery, webhookBody, webhookDeliveryLog } from './service.js';

const id = z.coerce.number({ error: 'validation.integer' }).int().positive();

/** /api/v1/webhooks (docs/api.md § Webhooks). */
export function webhooksApi({ db, clock }: AppDeps): Router {
  const router = Router();
  router.post('/', (req, res) => {
    const body = parse(webhookBody, req.body ?? {});
    res.status(201).json(presentWebhook(createWebhook(db, body, clock())));
  });
  router.get('/', (_req, res) => {
    res.json({ webhooks: listWebhooks(db) });
  });
  router.delete('/:id', (req, res) => {
    deleteWebhook(db, parse(id, req.params.id));
    res.status(204).end();
  });
  router.get('/:id/deliveries', (req, res) => {
    // Integration tokens register endpoints; what a receiver answered and why a connection failed are for admins only.
    res.json({ deliveries: webhookDeliveryLog(db, parse(id, req.params.id), { detail: req.api?.role === 'admin' }) });
  });
  router.post('/:id/deliveries/:deliveryId/resend', (req, res) => {
    resendDelivery(db, parse(id, req.params.id), parse(id, req.params.deliveryId), clock());
    res.status(202).json({ queued: true });
  });
  return router;
}
