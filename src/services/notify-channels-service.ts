// Webhook endpoints and chat channels: create, change, pause and resume, "send a test", the
// delivery log and "redeliver". URLs and webhook secrets are sealed at rest; people see a hint.
import { randomBytes } from 'node:crypto';
import type { ChannelRow, DeliveryWithEvent } from '../db/repos/index.js';
import { createChannelSchema, updateChannelSchema } from '../domain/channel.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { SecretBox } from '../lib/crypto.js';
import { newId } from '../lib/ids.js';
import { outboundUrlProblem } from '../lib/safe-post.js';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { editOf, recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { emitEvent } from './events.js';

/** How long a delivery is retried, counted from "redeliver" or "send a test". */
const RETRY_WINDOW_MS = 24 * 60 * 60_000;
export const DELIVERY_PAGE_SIZE = 50;

/** A channel as pages and the API show it: never the URL's secret path or the signing secret. */
export interface ChannelView {
  id: string;
  kind: ChannelRow['kind'];
  name: string;
  url: string;
  events: string[];
  clientId: string | null;
  active: boolean;
  status: ChannelRow['status'];
  pausedReason: string | null;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  createdAt: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Scheme, host and the first characters of the path: enough to tell channels apart. */
export function urlHint(input: string): string {
  const url = new URL(input);
  const path = url.pathname.length > 12 ? `${url.pathname.slice(0, 12)}…` : url.pathname;
  return `${url.protocol}//${url.host}${path}`;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Binds a sealed value to its channel and column: copied elsewhere, it no longer opens. */
const aad = (id: string, what: 'url' | 'secret') => `notify-channel:${id}:${what}`;

/** The URL and (webhooks) signing secret of a channel, for its sender only. */
export function channelCredentials(box: SecretBox, row: ChannelRow): { url: string; secret: string | null } {
  return {
    url: box.decrypt(row.urlSealed, aad(row.id, 'url')),
    secret: row.secretSealed ? box.decrypt(row.secretSealed, aad(row.id, 'secret')) : null,
  };
}

/** A channel as the audit trail shows it: never its address or secret, only their hint. */
const audited = (row: ChannelRow) => ({
  name: row.name,
  url: row.urlHint,
  events: row.events,
  clientId: row.clientId,
  status: row.status,
});

export function notifyChannelsService(deps: ServiceDeps) {
  const { repos, clock, box, database, config } = deps;

  function load(id: string): ChannelRow {
    const row = repos.notify.getChannel(id);
    if (!row) throw new NotFoundError('Channel');
    return row;
  }

  function checkUrl(url: string): void {
    const problem = outboundUrlProblem(url, config.outboundPrivateHosts);
    if (problem) throw ValidationError.field('url', problem);
  }

  function checkClient(clientId: string | null | undefined): void {
    if (clientId && !repos.clients.get(clientId)) throw ValidationError.field('clientId', 'no such client');
  }

  function view(row: ChannelRow): ChannelView {
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      url: row.urlHint,
      events: row.events,
      clientId: row.clientId,
      active: row.status === 'active',
      status: row.status,
      pausedReason: row.pausedReason,
      consecutiveFailures: row.consecutiveFailures,
      lastSuccessAt: iso(row.lastSuccessAt),
      lastFailureAt: iso(row.lastFailureAt),
      createdAt: iso(row.createdAt) as string,
    };
  }

  return {
    view,

    list(filter: { kind?: ChannelRow['kind'] | undefined } = {}): ChannelRow[] {
      return repos.notify.listChannels(filter);
    },

    get: load,

    /** Creates a channel; a webhook's secret is returned this once, in full. */
    create(input: unknown, actor: Actor = SYSTEM): { channel: ChannelRow; secret: string | null } {
      const data = parseInput(createChannelSchema, input);
      checkUrl(data.url);
      checkClient(data.clientId);
      if (data.secret && data.kind !== 'webhook') throw ValidationError.field('secret', 'only webhooks have a secret');
      const now = clock.now();
      const id = newId('chn', now);
      const secret = data.kind === 'webhook' ? (data.secret ?? newWebhookSecret()) : null;
      const row: ChannelRow = {
        id,
        kind: data.kind,
        name: data.name ?? urlHint(data.url),
        clientId: data.clientId,
        urlSealed: box.encrypt(data.url, aad(id, 'url')),
        urlHint: urlHint(data.url),
        secretSealed: secret ? box.encrypt(secret, aad(id, 'secret')) : null,
        events: data.events,
        status: 'active',
        pausedReason: null,
        consecutiveFailures: 0,
        failingSince: null,
        lastSuccessAt: null,
        lastFailureAt: null,
        createdAt: now,
        updatedAt: now,
      };
      database.immediate(() => {
        repos.notify.insertChannel(row);
        recordAudit(deps, actor, {
          kind: row.kind === 'webhook' ? 'webhook.create' : 'channel.create',
          clientId: row.clientId,
          targetId: id,
          summary: `Added ${row.kind} "${row.name}" (${row.urlHint})`,
          after: audited(row),
        });
      });
      return { channel: row, secret };
    },

    update(id: string, input: unknown, actor: Actor = SYSTEM): ChannelRow {
      const data = parseInput(updateChannelSchema, input);
      if (data.url !== undefined) checkUrl(data.url);
      checkClient(data.clientId);
      return database.immediate(() => {
        const row = load(id);
        const now = clock.now();
        const patch: Partial<ChannelRow> = { updatedAt: now };
        if (data.name !== undefined) patch.name = data.name;
        if (data.events !== undefined) patch.events = data.events;
        if (data.clientId !== undefined) patch.clientId = data.clientId;
        if (data.url !== undefined) {
          patch.urlSealed = box.encrypt(data.url, aad(id, 'url'));
          patch.urlHint = urlHint(data.url);
        }
        if (data.active === true && row.status === 'paused') {
          Object.assign(patch, { status: 'active', pausedReason: null, consecutiveFailures: 0, failingSince: null });
          // What it missed while paused goes out now, in order of creation.
          repos.notify.unparkTarget(id, now);
        } else if (data.active === false && row.status === 'active') {
          Object.assign(patch, { status: 'paused', pausedReason: 'paused by an admin' });
          repos.notify.parkTarget(id);
        }
        repos.notify.updateChannel(id, patch);
        const after = load(id);
        const diff = editOf(audited(row), audited(after));
        if (diff.after)
          recordAudit(deps, actor, {
            kind: row.kind === 'webhook' ? 'webhook.update' : 'channel.update',
            clientId: after.clientId,
            targetId: id,
            summary: `Edited ${row.kind} "${after.name}"`,
            ...diff,
          });
        return after;
      });
    },

    /** Removes a channel; what was still waiting for it is cancelled. */
    remove(id: string, actor: Actor = SYSTEM): void {
      database.immediate(() => {
        const row = load(id);
        recordAudit(deps, actor, {
          kind: row.kind === 'webhook' ? 'webhook.delete' : 'channel.delete',
          clientId: row.clientId,
          targetId: id,
          summary: `Removed ${row.kind} "${row.name}"`,
        });
        repos.notify.cancelPendingForTarget(id, 'the channel was removed', clock.now());
        repos.notify.deleteChannel(id);
      });
    },

    /** Queues a `notification.test` event for this channel only; the delivery log shows the answer. */
    sendTest(id: string): { eventId: string; deliveryId: string } {
      return database.immediate(() => {
        const row = load(id);
        if (row.status === 'paused') throw new ConflictError('This channel is paused; resume it before testing.');
        const event = emitEvent(deps, 'notification.test', row.clientId, {
          title: 'Test notification from Herald',
          text: `If you can read this, “${row.name}” receives Herald’s notifications.`,
          url: `${config.publicUrl}/settings/notifications`,
          channelId: row.id,
        });
        const now = clock.now();
        // Fanned out by hand: only this channel gets a test.
        repos.events.markFannedOut(event.id, now);
        const deliveryId = newId('dlv', now);
        repos.notify.insertDelivery({
          id: deliveryId,
          eventId: event.id,
          channel: row.kind,
          target: row.id,
          bundle: null,
          status: 'pending',
          attempts: 0,
          dueAt: now,
          expiresAt: now + RETRY_WINDOW_MS,
          lastAttemptAt: null,
          responseStatus: null,
          responseBody: null,
          lastError: null,
          deliveredAt: null,
          createdAt: now,
        });
        return { eventId: event.id, deliveryId };
      });
    },

    /** Sends a delivery again (same event id), with a fresh 24 hours of retries. */
    redeliver(deliveryId: string): void {
      database.immediate(() => {
        const delivery = repos.notify.getDelivery(deliveryId);
        if (!delivery) throw new NotFoundError('Delivery');
        const channel = repos.notify.getChannel(delivery.target);
        if (channel?.status === 'paused') throw new ConflictError('This channel is paused; resume it first.');
        const now = clock.now();
        repos.notify.updateDeliveries([deliveryId], {
          status: 'pending',
          dueAt: now,
          expiresAt: now + RETRY_WINDOW_MS,
        });
      });
    },

    /** A channel's deliveries, newest first, paged by `before` (a delivery id from the previous page). */
    deliveries(id: string, query: { before?: string | undefined; status?: string | undefined; limit?: number } = {}) {
      load(id);
      return this.deliveryLog({ ...query, target: id });
    },

    /** Every delivery (email and channels), newest first, with filters: the log on the settings page. */
    deliveryLog(query: {
      target?: string | undefined;
      channel?: string | undefined;
      status?: string | undefined;
      eventType?: string | undefined;
      before?: string | undefined;
      limit?: number;
    }): { data: DeliveryWithEvent[]; next: string | null } {
      const status = query.status || undefined;
      if (status && !['pending', 'delivered', 'failed', 'cancelled'].includes(status))
        throw ValidationError.field('status', 'must be pending, delivered, failed or cancelled');
      let before: { createdAt: number; id: string } | undefined;
      if (query.before) {
        const from = repos.notify.getDelivery(query.before);
        if (!from) throw ValidationError.field('before', 'is not a delivery id');
        before = { createdAt: from.createdAt, id: from.id };
      }
      const limit = Math.min(Math.max(query.limit ?? DELIVERY_PAGE_SIZE, 1), 200);
      const rows = repos.notify.listDeliveries({
        target: query.target,
        channel: query.channel || undefined,
        status: status as DeliveryWithEvent['status'] | undefined,
        eventType: query.eventType || undefined,
        before,
        limit,
      });
      const data = rows.slice(0, limit);
      return { data, next: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
    },
  };
}
