import type { Actor } from '../domain/actor.js';
import { NotFoundError } from '../domain/errors.js';
import { describeAuthMethod, describeDevice } from '../domain/user-agent.js';
import { recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';

type Member = Extract<Actor, { kind: 'admin' }>;

export interface SessionItem {
  /** The session's key (the hash of its cookie, never the cookie). */
  id: string;
  device: string;
  ip: string | null;
  method: string;
  createdAt: number;
  lastSeenAt: number;
  current: boolean;
  /** Still waiting for its second factor: it opens nothing yet. */
  pending: boolean;
}

/** A member's own browser sessions: the list, and signing one or all the others out. */
export function sessionsService(deps: ServiceDeps) {
  const { repos, clock, database } = deps;
  return {
    list(adminId: string, currentId: string): SessionItem[] {
      const now = clock.now();
      return repos.auth
        .sessionsOfAdmin(adminId)
        .filter((s) => s.expiresAt > now)
        .map((s) => ({
          id: s.idHash,
          device: describeDevice(s.userAgent),
          ip: s.ip,
          method: describeAuthMethod(s.authMethod),
          createdAt: s.createdAt,
          lastSeenAt: s.lastSeenAt,
          current: s.idHash === currentId,
          pending: s.mfaPending,
        }));
    },

    revoke(actor: Member, id: string, ip: string): void {
      database.immediate(() => {
        const session = repos.auth.sessionsOfAdmin(actor.id).find((s) => s.idHash === id);
        if (!session || !repos.auth.deleteSessionOfAdmin(actor.id, id)) throw new NotFoundError('Session');
        recordAudit(deps, actor, {
          kind: 'session.revoke',
          targetId: actor.id,
          summary: `Signed out a session (${describeDevice(session.userAgent)}${session.ip ? `, ${session.ip}` : ''})`,
          ip,
        });
      });
    },

    /** Every session of the member but the one asking. */
    revokeOthers(actor: Member, currentId: string, ip: string): number {
      return database.immediate(() => {
        const ended = repos.auth.deleteOtherSessionsOfAdmin(actor.id, currentId);
        if (ended > 0)
          recordAudit(deps, actor, {
            kind: 'session.revoke',
            targetId: actor.id,
            summary: `Signed out everywhere else (${ended} ${ended === 1 ? 'session' : 'sessions'})`,
            ip,
          });
        return ended;
      });
    },
  };
}
