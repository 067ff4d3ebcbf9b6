import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import { createRuleSchema, updateRuleSchema } from '../domain/rule.js';
import { parseInput } from '../domain/validation.js';
import type { RuleRow, RuleWithAccounts } from '../db/repos/index.js';
import { cronProblem, nextSlots } from '../lib/cron.js';
import { newId } from '../lib/ids.js';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { editOf, recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';

export const MAX_SLOT_PREVIEW = 100;

export function rulesService(deps: ServiceDeps) {
  const { repos, clock } = deps;

  function load(id: string): RuleWithAccounts {
    const rule = repos.rules.get(id);
    if (!rule) throw new NotFoundError('Rule');
    return rule;
  }

  function checkCron(cron: string | undefined): void {
    if (cron === undefined) return;
    const problem = cronProblem(cron);
    if (problem) throw ValidationError.field('cron', problem);
  }

  function checkAccounts(clientId: string, accountIds: readonly string[] | undefined): void {
    if (!accountIds?.length) return;
    const found = repos.accounts.getMany(accountIds);
    const bad = accountIds.filter((id) => found.find((a) => a.id === id)?.clientId !== clientId);
    if (bad.length) throw ValidationError.field('accountIds', `not accounts of this client: ${bad.join(', ')}`);
  }

  function checkLabels(labelIds: readonly string[] | undefined): void {
    if (!labelIds?.length) return;
    const found = new Set(repos.labels.getMany(labelIds).map((l) => l.id));
    const unknown = labelIds.filter((id) => !found.has(id));
    if (unknown.length) throw ValidationError.field('labels', `no such label: ${unknown.join(', ')}`);
  }

  /** The zone a rule's slots are computed in: its own, or its client's. */
  function zoneOf(rule: Pick<RuleRow, 'timezone' | 'clientId'>): string {
    return rule.timezone ?? repos.clients.get(rule.clientId)?.timezone ?? 'UTC';
  }

  return {
    get: load,
    zoneOf,

    listByClient(clientId: string): RuleWithAccounts[] {
      if (!repos.clients.get(clientId)) throw new NotFoundError('Client');
      return repos.rules.listByClient(clientId);
    },

    create(clientId: string, input: unknown, actor: Actor = SYSTEM): RuleWithAccounts {
      const client = repos.clients.get(clientId);
      if (!client) throw new NotFoundError('Client');
      if (client.status === 'archived') throw new ConflictError('This client is archived.');
      const data = parseInput(createRuleSchema, input);
      checkCron(data.cron);
      checkAccounts(clientId, data.accountIds);
      checkLabels(data.labels);
      const now = clock.now();
      const { accountIds, labels, ...fields } = data;
      const row: RuleRow = {
        id: newId('rule', now),
        clientId,
        lastGeneratedAt: null,
        createdAt: now,
        updatedAt: now,
        ...fields,
      };
      deps.database.immediate(() => {
        repos.rules.insert(row, [...new Set(accountIds)]);
        repos.labels.setForRule(row.id, labels);
        recordAudit(deps, actor, {
          kind: 'rule.create',
          clientId,
          targetId: row.id,
          summary: `Created rule "${row.name}" for ${client.name}`,
          after: { name: row.name, cron: row.cron },
        });
      });
      return load(row.id);
    },

    update(id: string, input: unknown, actor: Actor = SYSTEM): RuleWithAccounts {
      const rule = load(id);
      const data = parseInput(updateRuleSchema, input);
      checkCron(data.cron);
      checkAccounts(rule.clientId, data.accountIds);
      checkLabels(data.labels);
      const { accountIds, labels, ...fields } = data;
      const labelsBefore = repos.labels.ofRule(id);
      deps.database.immediate(() => {
        repos.rules.update(
          id,
          { ...fields, updatedAt: clock.now() },
          accountIds ? [...new Set(accountIds)] : undefined,
        );
        if (labels) repos.labels.setForRule(id, labels);
        const after = load(id);
        recordAudit(deps, actor, {
          kind: 'rule.update',
          clientId: rule.clientId,
          targetId: id,
          summary: `Edited rule "${after.name}"`,
          ...editOf({ ...rule, labels: labelsBefore }, { ...after, labels: labels ?? labelsBefore }),
        });
      });
      return load(id);
    },

    /** The label ids the rule puts on what it writes. */
    labelsOf(id: string): string[] {
      return repos.labels.ofRule(id);
    },

    /** Deleting a rule keeps the posts it wrote (they lose the link to it). */
    delete(id: string, actor: Actor = SYSTEM): void {
      const rule = load(id);
      deps.database.immediate(() => {
        repos.rules.delete(id);
        recordAudit(deps, actor, {
          kind: 'rule.delete',
          clientId: rule.clientId,
          targetId: id,
          summary: `Deleted rule "${rule.name}"`,
        });
      });
    },

    /** The next `count` slot times of a rule, in its zone (GET /rules/:id/slots). */
    slots(id: string, count: number): Date[] {
      const rule = load(id);
      if (!Number.isInteger(count) || count < 1 || count > MAX_SLOT_PREVIEW)
        throw ValidationError.field('count', `must be a whole number from 1 to ${MAX_SLOT_PREVIEW}`);
      return nextSlots(rule.cron, zoneOf(rule), count, new Date(clock.now()));
    },
  };
}
