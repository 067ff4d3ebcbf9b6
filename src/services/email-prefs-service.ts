// An admin's own email notifications (per event type: at once, in the daily digest at an hour in
// their zone, or not at all), the test mail, and the one-click unsubscribe links every mail carries.
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import {
  EMAIL_MODES,
  EVENT_CATALOG,
  type EmailMode,
  type EventType,
  SUBSCRIBABLE_EVENT_TYPES,
} from '../domain/events.js';
import { isValidTimeZone, parseInput } from '../domain/validation.js';
import { newId } from '../lib/ids.js';
import { nextHourInZone } from '../lib/zoned-time.js';
import { adminMode, BUNDLE, EMAIL, emailTarget } from '../notify/email-router.js';
import { type UnsubscribeScope, UnsubscribeTokens } from '../notify/unsubscribe-token.js';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { editOf, recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { emitEvent } from './events.js';

const DAY = 86_400_000;

const prefsSchema = z.object({
  timezone: z.string().trim().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
  digestHour: z.coerce
    .number({ message: 'must be a whole hour from 0 to 23' })
    .int('must be a whole hour from 0 to 23')
    .min(0, 'must be a whole hour from 0 to 23')
    .max(23, 'must be a whole hour from 0 to 23'),
  modes: z.record(
    z.string().refine((type) => (SUBSCRIBABLE_EVENT_TYPES as string[]).includes(type), 'is not an event type'),
    z.enum(EMAIL_MODES, { message: 'must be immediate, digest or off' }),
  ),
});

export interface EmailPrefsView {
  readonly enabled: boolean;
  readonly email: string;
  readonly timezone: string;
  readonly digestHour: number;
  readonly types: ReadonlyArray<{
    readonly type: EventType;
    readonly label: string;
    readonly meaning: string;
    readonly mode: EmailMode;
    readonly defaultMode: EmailMode;
  }>;
}

export function emailPrefsService(deps: ServiceDeps) {
  const { repos, clock, database, config } = deps;
  const tokens = new UnsubscribeTokens(config.secretKey);

  function admin(adminId: string) {
    const row = repos.auth.getAdmin(adminId);
    if (!row) throw new NotFoundError('Admin');
    return row;
  }

  /** What an unsubscribe scope means, in words for its confirmation page. */
  function describe(scope: UnsubscribeScope): string {
    if (scope === 'digest') return 'Herald’s daily digest';
    if (scope.startsWith('type:')) {
      const type = scope.slice(5) as EventType;
      return `Herald’s “${EVENT_CATALOG[type]?.label ?? type}” emails`;
    }
    const client = repos.clients.get(scope.slice(7));
    return `emails about ${client?.name ?? 'this client'}’s posts and accounts`;
  }

  /** What the audit trail compares when the page is saved: the zone, the digest hour and each chosen mode. */
  function auditedPrefs(adminId: string): Record<string, unknown> {
    const row = admin(adminId);
    const modes = Object.fromEntries(repos.notify.prefsOf(adminId).map((p) => [p.eventType, p.mode]));
    return { timezone: row.timezone, digestHour: row.digestHour, modes };
  }

  return {
    /** False without SMTP_URL: the page says email is not configured. */
    enabled: config.smtp !== null,

    /** Each type with the admin's mode (their choice, the default, or off where they unsubscribed). */
    view(adminId: string): EmailPrefsView {
      const row = admin(adminId);
      const prefs = new Map(repos.notify.prefsOf(adminId).map((p) => [p.eventType, p.mode]));
      const digestOff = repos.notify.isSuppressed(row.email, 'digest');
      return {
        enabled: config.smtp !== null,
        email: row.email,
        timezone: row.timezone,
        digestHour: row.digestHour,
        types: SUBSCRIBABLE_EVENT_TYPES.map((type) => {
          const chosen = adminMode(prefs, type);
          const unsubscribed =
            repos.notify.isSuppressed(row.email, `type:${type}`) || (chosen === 'digest' && digestOff);
          return {
            type,
            label: EVENT_CATALOG[type].label,
            meaning: EVENT_CATALOG[type].meaning,
            mode: unsubscribed ? 'off' : chosen,
            defaultMode: EVENT_CATALOG[type].adminEmail,
          };
        }),
      };
    },

    /**
     * Saves the page: a mode per type, the zone and the digest hour. Choosing mails again takes
     * back an earlier unsubscribe of them; digests already waiting move to the new hour.
     */
    update(adminId: string, input: unknown, actor: Actor = SYSTEM): void {
      const row = admin(adminId);
      const data = parseInput(prefsSchema, input);
      const now = clock.now();
      database.immediate(() => {
        const was = auditedPrefs(adminId);
        repos.auth.updateAdmin(adminId, { timezone: data.timezone, digestHour: data.digestHour });
        for (const [type, mode] of Object.entries(data.modes)) {
          repos.notify.putPref({ adminId, eventType: type, mode });
          if (mode === 'immediate') repos.notify.unsuppress(row.email, `type:${type}`);
          if (mode === 'digest') {
            repos.notify.unsuppress(row.email, `type:${type}`);
            repos.notify.unsuppress(row.email, 'digest');
          }
        }
        const target = emailTarget({ kind: 'admin', adminId });
        const waiting = repos.notify.pendingInBundle(EMAIL, target, BUNDLE.digest);
        const dueAt = nextHourInZone(now, data.timezone, data.digestHour);
        repos.notify.updateDeliveries(
          waiting.map((d) => d.id),
          { dueAt, expiresAt: dueAt + DAY },
        );
        recordAudit(deps, actor, {
          kind: 'settings.update',
          targetId: adminId,
          summary: `Changed the e-mail notifications of ${row.email}`,
          ...editOf(was, auditedPrefs(adminId)),
        });
      });
    },

    /** A test mail to this admin alone, through the same sender and delivery log as every mail. */
    sendTest(adminId: string): { eventId: string; deliveryId: string } {
      admin(adminId);
      if (!config.smtp) throw new ConflictError('Email is not configured: set SMTP_URL and MAIL_FROM.');
      return database.immediate(() => {
        const event = emitEvent(deps, 'notification.test', null, {
          title: 'Test email from Herald',
          text: 'Sent from “My email notifications”.',
          adminId,
        });
        const now = clock.now();
        // Fanned out by hand: only this admin gets it.
        repos.events.markFannedOut(event.id, now);
        const deliveryId = newId('dlv', now);
        repos.notify.insertDelivery({
          id: deliveryId,
          eventId: event.id,
          channel: EMAIL,
          target: emailTarget({ kind: 'admin', adminId }),
          bundle: null,
          status: 'pending',
          attempts: 0,
          dueAt: now,
          expiresAt: now + DAY,
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

    /** Who an unsubscribe link is for and what it stops; null for a link this server did not make. */
    unsubscribeInfo(token: string): { email: string; what: string; done: boolean } | null {
      const found = tokens.open(token);
      if (!found) return null;
      return {
        email: found.email,
        what: describe(found.scope),
        done: repos.notify.isSuppressed(found.email, found.scope),
      };
    },

    /** Records the unsubscribe (once; repeating it changes nothing). */
    unsubscribe(token: string): { email: string; what: string } | null {
      const found = tokens.open(token);
      if (!found) return null;
      repos.notify.suppress(found.email, found.scope, clock.now());
      return { email: found.email, what: describe(found.scope) };
    },
  };
}
