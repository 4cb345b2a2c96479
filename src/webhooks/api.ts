import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import type { WebhookCaller } from './owner.js';
import { createWebhook, deleteWebhook, listWebhooks, presentWebhook, resendDelivery, webhookBody, webhookDeliveryLog } from './service.js';

const id = z.coerce.number({ error: 'validation.integer' }).int().positive();

/** The token asking, as the webhook rules see it: an endpoint is its maker's or an admin token's. */
function callerOf(req: Request): WebhookCaller {
  return { actor: req.api!.actor, admin: req.api!.role === 'admin' };
}

/**
 * /api/v1/webhooks (docs/api.md § Webhooks). An endpoint records the token that made it; deleting
 * it, resending and reading its deliveries are for that token or an admin token (the service
 * decides: 403 `forbidden` for any other), and an integration token lists only its own.
 */
export function webhooksApi({ db, clock }: AppDeps): Router {
  const router = Router();
  router.post('/', (req, res) => {
    const body = parse(webhookBody, req.body ?? {});
    res.status(201).json(presentWebhook(createWebhook(db, body, clock(), req.api!.actor)));
  });
  router.get('/', (req, res) => {
    res.json({ webhooks: listWebhooks(db, callerOf(req)) });
  });
  router.delete('/:id', (req, res) => {
    deleteWebhook(db, parse(id, req.params.id), callerOf(req));
    res.status(204).end();
  });
  router.get('/:id/deliveries', (req, res) => {
    // What a receiver answered and why a connection failed are for admin tokens only (the service decides).
    res.json({ deliveries: webhookDeliveryLog(db, parse(id, req.params.id), callerOf(req)) });
  });
  router.post('/:id/deliveries/:deliveryId/resend', (req, res) => {
    resendDelivery(db, parse(id, req.params.id), parse(id, req.params.deliveryId), clock(), callerOf(req));
    res.status(202).json({ queued: true });
  });
  return router;
}
