import { z } from 'zod';
import { LABEL_COLOR } from '../domain/composer.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { LabelRow } from '../db/repos/labels-repo.js';
import { newId } from '../lib/ids.js';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { editOf, recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';

const MAX_LABELS = 200;

const labelFields = {
  name: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(60, 'must be at most 60 characters')
    // A CSV export joins a post's label names with `|` (docs/planning.md#export).
    .refine((s) => !s.includes('|'), 'cannot contain |'),
  // Upper-case hex is taken and stored lower-case, as the database's CHECK wants it.
  color: z
    .string()
    .trim()
    .transform((s) => s.toLowerCase())
    .refine((s) => LABEL_COLOR.test(s), 'must be a colour like #1971c2'),
};
const createSchema = z.object(labelFields).strict();
const updateSchema = z.object(labelFields).partial().strict();

export interface LabelWithCount extends LabelRow {
  /** How many posts carry it. */
  readonly posts: number;
}

/** The agency's labels (campaigns, content pillars): one list for every client. */
export function labelsService(deps: ServiceDeps) {
  const { repos, clock } = deps;

  function load(id: string): LabelRow {
    const row = repos.labels.get(id);
    if (!row) throw new NotFoundError('Label');
    return row;
  }

  /** Names are unique whatever their case: "Summer" and "summer" would be one label to a person. */
  function checkName(name: string, self?: string): void {
    const other = repos.labels.byName(name);
    if (other && other.id !== self) throw ValidationError.field('name', `"${other.name}" already exists`);
  }

  return {
    get: load,

    list(): LabelWithCount[] {
      const counts = repos.labels.postCounts();
      return repos.labels.list().map((l) => ({ ...l, posts: counts.get(l.id) ?? 0 }));
    },

    create(input: unknown, actor: Actor = SYSTEM): LabelRow {
      const data = parseInput(createSchema, input);
      checkName(data.name);
      if (repos.labels.list().length >= MAX_LABELS)
        throw ValidationError.field('name', `at most ${MAX_LABELS} labels; delete one first`);
      const now = clock.now();
      const row: LabelRow = {
        id: newId('lbl', now),
        name: data.name,
        color: data.color,
        createdAt: now,
        updatedAt: now,
      };
      deps.database.immediate(() => {
        repos.labels.insert(row);
        recordAudit(deps, actor, {
          kind: 'label.create',
          targetId: row.id,
          summary: `Created label "${row.name}"`,
          after: { name: row.name, color: row.color },
        });
      });
      return row;
    },

    update(id: string, input: unknown, actor: Actor = SYSTEM): LabelRow {
      const before = load(id);
      const data = parseInput(updateSchema, input);
      if (data.name !== undefined) checkName(data.name, id);
      deps.database.immediate(() => {
        repos.labels.update(id, { ...data, updatedAt: clock.now() });
        const after = load(id);
        recordAudit(deps, actor, {
          kind: 'label.update',
          targetId: id,
          summary: `Edited label "${after.name}"`,
          ...editOf(before, after),
        });
      });
      return load(id);
    },

    /** Removes the label from every post and rule that carried it; the posts stay. */
    delete(id: string, actor: Actor = SYSTEM): void {
      const label = load(id);
      deps.database.immediate(() => {
        repos.labels.delete(id);
        recordAudit(deps, actor, { kind: 'label.delete', targetId: id, summary: `Deleted label "${label.name}"` });
      });
    },
  };
}
