import { Router } from 'express';
import { z } from 'zod';
import { idempotent } from '../api/idempotency.js';
import { ORDER_STATUSES } from '../domain/order-status.js';
import type { AppDeps } from '../web/types.js';
import { parse } from '../validate.js';
import { presentOrder } from './present.js';
import { listOrders, orderListQuery } from './list.js';
import { addLineBody, checkoutBody, createOrderBody, detailsPatchBody, lineIdParam, lineQuantityBody, paymentBody } from './schemas.js';
import { addLine, changeLineQuantity, deleteOrder, removeLine, updateOrderDetails } from './edit.js';
import { requireAdminToken } from '../api/auth.js';
import { listOrderEmails, presentEmail } from '../email/store.js';
import { changeStatus, checkout, createOrderTogether, loadOrder, recordPayment } from './service.js';

// Any status is accepted here so that a move the state machine refuses gets 409 with the allowed moves.
export const statusBody = z.strictObject({ status: z.enum(ORDER_STATUSES), notifyCustomer: z.boolean().optional() });

export function ordersApi(deps: AppDeps): Router {
  const { db, config, clock } = deps;
  const router = Router();
  const ctx = (req: Parameters<Parameters<typeof router.get>[1]>[0]) => ({
    actor: req.api!.actor,
    now: clock(),
    currency: config.currency,
    source: `api:${req.api!.actor.name}`,
  });

  router.post('/', async (req, res) => {
    const body = parse(createOrderBody, req.body);
    // The reply goes out once its order is committed (with others arriving together: createOrderTogether).
    const reply = await createOrderTogether(db, body, ctx(req), (create) =>
      idempotent(db, req, clock(), () => {
        const { order, lines } = create();
        return { status: 201, body: presentOrder(db, order, lines) };
      }),
    );
    res.status(reply.status).json(reply.body);
  });

  router.get('/', (req, res) => {
    const query = parse(orderListQuery, req.query);
    const { orders, nextCursor } = listOrders(db, query, config.timezone);
    res.json({ orders, nextCursor });
  });

  router.get('/:code', (req, res) => {
    res.json(presentOrder(db, loadOrder(db, req.params.code)));
  });

  router.get('/:code/emails', (req, res) => {
    const order = loadOrder(db, req.params.code);
    res.json({ orderCode: order.code, emails: listOrderEmails(db, order.id).map(presentEmail) });
  });

  router.post('/:code/checkout', (req, res) => {
    const body = parse(checkoutBody, req.body);
    res.json(presentOrder(db, checkout(db, req.params.code, body, ctx(req))));
  });

  router.post('/:code/payments', (req, res) => {
    const body = parse(paymentBody, req.body ?? {});
    res.json(presentOrder(db, recordPayment(db, req.params.code, body, ctx(req))));
  });

  router.post('/:code/status', (req, res) => {
    const body = parse(statusBody, req.body);
    const order = changeStatus(db, req.params.code, body.status, { ...ctx(req), notify: body.notifyCustomer ?? 'auto' });
    res.json(presentOrder(db, order));
  });

  router.patch('/:code', (req, res) => {
    const body = parse(detailsPatchBody, req.body);
    res.json(presentOrder(db, updateOrderDetails(db, req.params.code, body, ctx(req))));
  });

  router.post('/:code/lines', (req, res) => {
    const body = parse(addLineBody, req.body);
    res.status(201).json(presentOrder(db, addLine(db, req.params.code, body, ctx(req))));
  });

  router.patch('/:code/lines/:id', (req, res) => {
    const id = parse(lineIdParam, req.params.id);
    const { quantity } = parse(lineQuantityBody, req.body);
    res.json(presentOrder(db, changeLineQuantity(db, req.params.code, id, quantity, ctx(req))));
  });

  router.delete('/:code/lines/:id', (req, res) => {
    const id = parse(lineIdParam, req.params.id);
    res.json(presentOrder(db, removeLine(db, req.params.code, id, ctx(req))));
  });

  router.delete('/:code', requireAdminToken, (req, res) => {
    res.json({ deleted: deleteOrder(db, String(req.params.code), ctx(req)).code });
  });

  return router;
}
