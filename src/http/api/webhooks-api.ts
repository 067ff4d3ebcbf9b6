// Outbound webhook endpoints (README.md#webhooks): notify_channels rows of kind `webhook`; the chat
// channels share the table but are not webhooks here. The signing secret is shown once, on creation.
import { Hono } from 'hono';
import { PARKED } from '../../db/repos/notify-repo.js';
import type { ChannelRow, DeliveryWithEvent } from '../../db/repos/index.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import type { AppDeps, AppEnv } from '../context.js';
import { iso } from './dto.js';
import { limitOf, readJson } from './helpers.js';

function webhookDto(row: ChannelRow) {
  return {
    id: row.id,
    name: row.name,
    // Scheme, host and the start of the path: a receiver's URL often carries its own token.
    url: row.urlHint,
    events: row.events,
    clientId: row.clientId,
    active: row.status === 'active',
    pausedReason: row.pausedReason,
    consecutiveFailures: row.consecutiveFailures,
    lastSuccessAt: iso(row.lastSuccessAt),
    lastFailureAt: iso(row.lastFailureAt),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function deliveryDto(d: DeliveryWithEvent) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    createdAt: iso(d.createdAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    // Pending and not held by a pause: when the next try goes.
    nextAttemptAt: d.status === 'pending' && d.dueAt !== PARKED ? iso(d.dueAt) : null,
    deliveredAt: iso(d.deliveredAt),
    responseStatus: d.responseStatus,
    responseBody: d.responseBody,
    error: d.status === 'delivered' ? null : d.lastError,
  };
}

/** The JSON object of a body, or a 400 (a list or a string cannot be a webhook). */
function objectOf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError({ body: ['must be a JSON object'] }, 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

export function webhooksApi(deps: AppDeps) {
  const { channels } = deps.services;
  const { repos } = deps;

  /** A webhook endpoint, or 404 (a chat channel's id included). */
  function webhook(id: string): ChannelRow {
    const row = repos.notify.getChannel(id);
    if (row?.kind !== 'webhook') throw new NotFoundError('Webhook');
    return row;
  }

  return new Hono<AppEnv>()
    .get('/', (c) => c.json({ data: channels.list({ kind: 'webhook' }).map(webhookDto), nextCursor: null }))
    .post('/', async (c) => {
      const { kind: _ignored, ...body } = objectOf(await readJson(c));
      const { channel, secret } = channels.create({ ...body, kind: 'webhook' }, c.var.actor);
      return c.json({ ...webhookDto(channel), secret }, 201);
    })
    .get('/:id', (c) => c.json(webhookDto(webhook(c.req.param('id')))))
    .patch('/:id', async (c) => {
      const body = objectOf(await readJson(c));
      const row = webhook(c.req.param('id'));
      return c.json(webhookDto(channels.update(row.id, body, c.var.actor)));
    })
    .delete('/:id', (c) => {
      channels.remove(webhook(c.req.param('id')).id, c.var.actor);
      return c.body(null, 204);
    })
    .get('/:id/deliveries', (c) => {
      const row = webhook(c.req.param('id'));
      const page = channels.deliveries(row.id, {
        before: c.req.query('cursor'),
        status: c.req.query('status'),
        limit: limitOf(c),
      });
      return c.json({ data: page.data.map(deliveryDto), nextCursor: page.next });
    })
    .post('/:id/test', (c) => {
      const row = webhook(c.req.param('id'));
      return c.json(channels.sendTest(row.id), 202);
    })
    .post('/:id/deliveries/:deliveryId/redeliver', (c) => {
      const row = webhook(c.req.param('id'));
      const deliveryId = c.req.param('deliveryId');
      const delivery = repos.notify.getDelivery(deliveryId);
      if (!delivery || delivery.target !== row.id) throw new NotFoundError('Delivery');
      channels.redeliver(deliveryId);
      return c.json({ id: deliveryId, eventId: delivery.eventId, status: 'pending' }, 202);
    });
}
