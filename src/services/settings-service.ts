import { z } from 'zod';
import { parseInput } from '../domain/validation.js';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { authorize } from './access.js';

const AGENCY_NAME = 'agency_name';
const agencySchema = z.object({
  agencyName: z.string().trim().min(1, 'is required').max(120, 'must be at most 120 characters'),
});

/** The agency's name as the pages and emails show it. */
export function agencyNameOf(repos: ServiceDeps['repos'], unnamed = 'Your agency'): string {
  return repos.system.getSetting(AGENCY_NAME) ?? unnamed;
}

/** Operator settings kept in the database (so every process sees the same values). */
export function settingsService(deps: ServiceDeps) {
  const { repos, clock } = deps;
  return {
    /** Shown to clients on the onboarding portal. */
    agencyName(): string {
      return agencyNameOf(repos);
    },
    /** The name the admin set, or null: the portal then words itself without one. */
    agencyNameSet(): string | null {
      return repos.system.getSetting(AGENCY_NAME) ?? null;
    },
    updateAgency(input: unknown, actor: Actor = SYSTEM): void {
      authorize(actor, 'agency.manage');
      const { agencyName } = parseInput(agencySchema, input);
      deps.database.immediate(() => {
        const before = agencyNameOf(repos, '');
        repos.system.putSetting(AGENCY_NAME, agencyName, clock.now());
        if (before !== agencyName)
          recordAudit(deps, actor, {
            kind: 'settings.update',
            summary: 'Changed the agency name',
            before: { agencyName: before },
            after: { agencyName },
          });
      });
    },
  };
}
