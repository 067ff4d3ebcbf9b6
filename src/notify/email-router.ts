// Who hears of an event by email (README.md#email-notifications):
// - every admin, per event type: at once, in the daily digest at their hour in their zone, or not
//   (notify_prefs, else the type's default in EVENT_CATALOG); an address that unsubscribed is skipped;
// - a client's contacts, when posts wait for their approval (batched: at most one mail an hour per
//   address, and a reminder before the first post would be missed) and when an account of theirs
//   needs reconnecting, and the monthly report on the client's report day (docs/results.md).
import type { EventRow, Repos } from '../db/repos/index.js';
import { EVENT_CATALOG, type EmailMode, type EventType, isAddressedOnly } from '../domain/events.js';
import { seesAllClients } from '../domain/roles.js';
import { nextHourInZone } from '../lib/zoned-time.js';
import type { DeliveryPlan, Router } from './channel.js';

const HOUR = 3_600_000;
/** How long before the first waiting post its reminder goes out. */
export const REMINDER_LEAD_MS = 2 * HOUR;
/** At most one approval mail per contact in this long. */
export const APPROVAL_BATCH_MS = HOUR;

/** The email channel's targets and bundles, shared by the router and the sender. */
export const EMAIL = 'email';
export const BUNDLE = { digest: 'digest', approvals: 'approvals', reminders: 'reminders' } as const;

export type EmailTarget =
  | { kind: 'admin'; adminId: string }
  | { kind: 'invite'; inviteId: string }
  | { kind: 'contact' | 'reminder'; clientId: string; email: string };

export function emailTarget(target: EmailTarget): string {
  if (target.kind === 'admin') return `admin:${target.adminId}`;
  if (target.kind === 'invite') return `invite:${target.inviteId}`;
  return `${target.kind}:${target.clientId}:${target.email}`;
}

export function parseEmailTarget(value: string): EmailTarget | null {
  const [kind, id, ...rest] = value.split(':');
  if (!id) return null;
  if (kind === 'admin' && rest.length === 0) return { kind, adminId: id };
  if (kind === 'invite' && rest.length === 0) return { kind, inviteId: id };
  if ((kind === 'contact' || kind === 'reminder') && rest.length > 0)
    return { kind, clientId: id, email: rest.join(':') };
  return null;
}

/** An admin's mode for a type: their choice, else the catalog's default. */
export function adminMode(prefs: ReadonlyMap<string, EmailMode>, type: EventType): EmailMode {
  if (isAddressedOnly(type)) return 'off';
  return prefs.get(type) ?? EVENT_CATALOG[type].adminEmail;
}

/** An instant from an event's data: epoch ms or an ISO string. */
export function instantOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

export function emailRouter(repos: Repos): Router {
  function adminPlans(event: EventRow, type: EventType, now: number): DeliveryPlan[] {
    const prefsByAdmin = new Map<string, Map<string, EmailMode>>();
    for (const pref of repos.notify.allPrefs()) {
      const prefs = prefsByAdmin.get(pref.adminId) ?? new Map<string, EmailMode>();
      prefs.set(pref.eventType, pref.mode);
      prefsByAdmin.set(pref.adminId, prefs);
    }
    const plans: DeliveryPlan[] = [];
    // An editor or viewer hears of their clients' events only (an agency-wide event has no client: not theirs).
    const assigned = new Set(event.clientId ? repos.auth.membersOfClient(event.clientId) : []);
    for (const admin of repos.auth.listAdmins()) {
      if (!seesAllClients(admin.role) && !assigned.has(admin.id)) continue;
      const mode = adminMode(prefsByAdmin.get(admin.id) ?? new Map(), type);
      if (mode === 'off' || repos.notify.isSuppressed(admin.email, `type:${type}`)) continue;
      const target = emailTarget({ kind: 'admin', adminId: admin.id });
      if (mode === 'immediate') plans.push({ channel: EMAIL, target, dueAt: now });
      else if (!repos.notify.isSuppressed(admin.email, 'digest'))
        plans.push({
          channel: EMAIL,
          target,
          bundle: BUNDLE.digest,
          dueAt: nextHourInZone(now, admin.timezone, admin.digestHour),
        });
    }
    return plans;
  }

  /** Joins a pending batch, or starts one: now, or an hour after the last one went. */
  function batchDue(target: string, now: number): number {
    const pending = repos.notify.pendingInBundle(EMAIL, target, BUNDLE.approvals);
    if (pending.length > 0) return Math.min(...pending.map((d) => d.dueAt));
    const last = repos.notify.lastDeliveredAt(EMAIL, target, BUNDLE.approvals);
    return last === null ? now : Math.max(now, last + APPROVAL_BATCH_MS);
  }

  function contactPlans(event: EventRow, type: EventType, now: number): DeliveryPlan[] {
    if (type !== 'approval.requested' && type !== 'account.needs_reauth' && type !== 'report.monthly') return [];
    const client = event.clientId ? repos.clients.get(event.clientId) : undefined;
    if (!client || client.status === 'archived') return [];
    if (type === 'approval.requested' && event.data.waitingFor !== 'client') return [];
    const plans: DeliveryPlan[] = [];
    for (const email of client.contactEmails) {
      if (repos.notify.isSuppressed(email, `client:${client.id}`)) continue;
      const target = emailTarget({ kind: 'contact', clientId: client.id, email });
      if (type === 'account.needs_reauth' || type === 'report.monthly') {
        plans.push({ channel: EMAIL, target, dueAt: now });
        continue;
      }
      const due = batchDue(target, now);
      plans.push({ channel: EMAIL, target, bundle: BUNDLE.approvals, dueAt: due });
      const earliest = instantOf(event.data.earliestScheduledAt);
      if (earliest === null || earliest <= now) continue;
      const remindAt = Math.max(now, earliest - REMINDER_LEAD_MS);
      // A reminder is worth a mail of its own when the batch goes before it by an hour or more,
      // or when the batch would come too late; a batch going out about then says it already.
      if (remindAt >= due + APPROVAL_BATCH_MS || remindAt < due)
        plans.push({
          channel: EMAIL,
          target: emailTarget({ kind: 'reminder', clientId: client.id, email }),
          bundle: BUNDLE.reminders,
          dueAt: remindAt,
        });
    }
    return plans;
  }

  return {
    name: 'email',
    route(event, now) {
      const type = event.type as EventType;
      if (!Object.hasOwn(EVENT_CATALOG, type) || isAddressedOnly(type)) return [];
      return [...adminPlans(event, type, now), ...contactPlans(event, type, now)];
    },
  };
}
