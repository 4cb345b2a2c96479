import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { can } from '../domain/permissions.js';
import { requireCapability } from '../web/auth.js';
import { fieldText, formFields, renderForm } from '../web/form.js';
import { setFlash } from '../web/render.js';
import { userActor, type AppDeps } from '../web/types.js';
import { oneOrMany, parse } from '../validate.js';
import type { WebhookCaller } from './owner.js';
import { createWebhook, deleteWebhook, listWebhooks, resendDelivery, WEBHOOK_EVENTS, webhookBody, webhookDeliveryLog } from './service.js';
import { getWebhookSettings, saveAllowedHosts } from './settings.js';

const id = z.coerce.number({ error: 'validation.integer' }).int().positive();

/** The signed-in user, as the webhook rules see them: an admin manages every endpoint, whoever made it. */
function callerOf(req: Request): WebhookCaller {
  return { actor: userActor(req.user!), admin: can(req.user!.role, 'settings') };
}

/**
 * Settings → Webhooks (admin): endpoints, their delivery log, "resend", and the hosts on the LAN
 * endpoints may point at. The API does the same but for the allow-list (docs/api.md). An endpoint
 * made here records the user as its maker; the service decides who may manage one.
 */
export function webhooksWeb({ db, clock }: AppDeps): Router {
  const router = Router();
  router.use(requireCapability('settings'));
  const model = (req: Request) => ({
    title: req.t('webhooks.title'),
    webhooks: listWebhooks(db, callerOf(req)),
    events: WEBHOOK_EVENTS,
    allowedHosts: getWebhookSettings(db).allowedHosts,
  });

  router.get('/', (req, res) => res.render('settings/webhooks', { ...model(req), values: { events: [...WEBHOOK_EVENTS] } }));

  router.post('/', (req, res) => {
    try {
      const fields = formFields(req);
      const body = parse(webhookBody, { url: fieldText(fields.url).trim(), secret: fieldText(fields.secret), events: oneOrMany(fields.events) });
      createWebhook(db, body, clock(), userActor(req.user!));
      setFlash(req, 'success', 'webhooks.created', { url: body.url });
      res.redirect('/settings/webhooks');
    } catch (err) {
      // The secret is not shown again; the rest of what was typed is kept.
      renderForm(req, res, err, 'settings/webhooks', model(req));
    }
  });

  router.post('/allowed-hosts', (req, res) => {
    try {
      saveAllowedHosts(db, fieldText(formFields(req).allowedHosts).split(/\r?\n/), clock(), req.user!.name);
      setFlash(req, 'success', 'webhooks.allowedHostsSaved');
      res.redirect('/settings/webhooks');
    } catch (err) {
      renderForm(req, res, err, 'settings/webhooks', model(req));
    }
  });

  router.post('/:id/delete', (req, res) => {
    deleteWebhook(db, parse(id, req.params.id), callerOf(req));
    setFlash(req, 'success', 'webhooks.deleted');
    res.redirect('/settings/webhooks');
  });

  const show = (req: Request, res: Response) => {
    const webhookId = parse(id, req.params.id);
    const caller = callerOf(req);
    const deliveries = webhookDeliveryLog(db, webhookId, caller);
    const webhook = listWebhooks(db, caller).find((w) => w.id === webhookId);
    res.render('settings/webhook', { title: req.t('webhooks.logTitle'), webhook, deliveries });
  };
  router.get('/:id', show);

  router.post('/:id/deliveries/:deliveryId/resend', (req, res) => {
    const webhookId = parse(id, req.params.id);
    resendDelivery(db, webhookId, parse(id, req.params.deliveryId), clock(), callerOf(req));
    setFlash(req, 'success', 'webhooks.resent');
    res.redirect(`/settings/webhooks/${webhookId}`);
  });
  return router;
}
