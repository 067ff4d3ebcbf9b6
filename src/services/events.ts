// The outbox (docs/notifications.md): emit() writes one event row inside the caller's write
// transaction, so the event exists if and only if the change that caused it committed. Nothing is
// sent from here; the leader's delivery loop (src/notify/) reads the rows afterwards.
import type { Database } from '../db/client.js';
import type { EventRow, Repos } from '../db/repos/index.js';
import { ValidationError } from '../domain/errors.js';
import { type EventData, type EventRecord, type EventType, isEventType } from '../domain/events.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';

export interface EventsDeps {
  readonly database: Database;
  readonly repos: Repos;
  readonly clock: Clock;
}

/** The most events one page of the API returns. */
export const EVENTS_PAGE_SIZE = 100;

/** Only ever called from inside `database.immediate(…)`: an event outside the change's commit could be lost. */
export function emitEvent(deps: EventsDeps, type: EventType, clientId: string | null, data: EventData): EventRecord {
  if (!deps.database.sqlite.inTransaction)
    throw new Error(`event ${type} emitted outside a transaction: it must commit with the change that caused it`);
  const now = deps.clock.now();
  const row = { id: newId('evt', now), type, clientId, createdAt: now, data };
  deps.repos.events.insert(row);
  return toEventRecord({ ...row, seq: 0, fannedOutAt: null });
}

/** An event as the API lists it and a webhook carries it. */
export function toEventRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    type: row.type as EventType,
    clientId: row.clientId,
    createdAt: new Date(row.createdAt).toISOString(),
    data: row.data,
  };
}

export function eventsService(deps: EventsDeps) {
  return {
    /** See emitEvent: call inside the transaction of the change. */
    emit(type: EventType, clientId: string | null, data: EventData): EventRecord {
      return emitEvent(deps, type, clientId, data);
    },

    /**
     * Oldest first after `after` (an event id), for tools that poll: they pass the last id they
     * saw. `clientId` restricts to one client (a portal, a scoped caller).
     */
    list(query: {
      type?: string | undefined;
      clientId?: string | undefined;
      /** Only these clients' events (a member's assigned clients). */
      clientIds?: readonly string[] | undefined;
      after?: string | undefined;
      limit?: number;
    }) {
      if (query.type && !isEventType(query.type)) throw ValidationError.field('type', 'is not an event type');
      let afterSeq: number | undefined;
      if (query.after) {
        const from = deps.repos.events.get(query.after);
        if (!from) throw ValidationError.field('after', 'is not an event id this server gave out');
        afterSeq = from.seq;
      }
      const limit = Math.min(Math.max(query.limit ?? EVENTS_PAGE_SIZE, 1), EVENTS_PAGE_SIZE);
      const rows = deps.repos.events.list({
        type: query.type,
        clientId: query.clientId,
        clientIds: query.clientIds,
        afterSeq,
        limit,
      });
      const data = rows.slice(0, limit).map(toEventRecord);
      return { data, next: rows.length > limit ? (data[data.length - 1]?.id ?? null) : null };
    },
  };
}
