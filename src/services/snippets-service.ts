import { z } from 'zod';
import { SNIPPET_KINDS } from '../domain/composer.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { parseInput } from '../domain/validation.js';
import type { SnippetRow } from '../db/repos/snippets-repo.js';
import { newId } from '../lib/ids.js';
import { SYSTEM, type Actor } from '../domain/actor.js';
import { editOf, recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import type { Scope } from './posts-service.js';

export const MAX_SNIPPET_CHARS = 2000;
const MAX_SNIPPETS_PER_CLIENT = 200;

const snippetFields = {
  name: z.string().trim().min(1, 'is required').max(80, 'must be at most 80 characters'),
  text: z
    .string()
    .transform((s) => s.replace(/\r\n/g, '\n').trim())
    .refine((s) => s.length > 0, 'is required')
    .refine(
      (s) => s.length <= MAX_SNIPPET_CHARS,
      `must be at most ${MAX_SNIPPET_CHARS.toLocaleString('en')} characters`,
    ),
  kind: z.enum(SNIPPET_KINDS, { message: `must be one of ${SNIPPET_KINDS.join(', ')}` }),
  forAi: z.boolean({ message: 'must be true or false' }),
};
const createSchema = z
  .object({ ...snippetFields, kind: snippetFields.kind.default('other'), forAi: snippetFields.forAi.default(true) })
  .strict();
const updateSchema = z.object(snippetFields).partial().strict();

/** A client's named snippets: hashtag sets, signatures, calls to action. */
export function snippetsService(deps: ServiceDeps) {
  const { repos, clock } = deps;

  /** Another client's snippet is "not found", never "forbidden": its existence is not told. */
  function load(id: string, scope: Scope = {}): SnippetRow {
    const row = repos.snippets.get(id);
    if (!row || (scope.clientId && row.clientId !== scope.clientId)) throw new NotFoundError('Snippet');
    return row;
  }

  function checkName(clientId: string, name: string, self?: string): void {
    const other = repos.snippets.byName(clientId, name);
    if (other && other.id !== self)
      throw ValidationError.field('name', `this client already has a snippet "${other.name}"`);
  }

  function client(clientId: string) {
    const row = repos.clients.get(clientId);
    if (!row) throw new NotFoundError('Client');
    return row;
  }

  return {
    get: load,

    list(clientId: string): SnippetRow[] {
      client(clientId);
      return repos.snippets.listByClient(clientId);
    },

    create(clientId: string, input: unknown, actor: Actor = SYSTEM): SnippetRow {
      client(clientId);
      const data = parseInput(createSchema, input);
      checkName(clientId, data.name);
      if (repos.snippets.listByClient(clientId).length >= MAX_SNIPPETS_PER_CLIENT)
        throw ValidationError.field('name', `at most ${MAX_SNIPPETS_PER_CLIENT} snippets per client`);
      const now = clock.now();
      const row: SnippetRow = { id: newId('snp', now), clientId, ...data, createdAt: now, updatedAt: now };
      deps.database.immediate(() => {
        repos.snippets.insert(row);
        recordAudit(deps, actor, {
          kind: 'snippet.create',
          clientId,
          targetId: row.id,
          summary: `Created snippet "${row.name}"`,
          after: { name: row.name, text: row.text },
        });
      });
      return row;
    },

    update(id: string, input: unknown, actor: Actor = SYSTEM, scope: Scope = {}): SnippetRow {
      const row = load(id, scope);
      const data = parseInput(updateSchema, input);
      if (data.name !== undefined) checkName(row.clientId, data.name, id);
      deps.database.immediate(() => {
        repos.snippets.update(id, { ...data, updatedAt: clock.now() });
        const after = load(id);
        recordAudit(deps, actor, {
          kind: 'snippet.update',
          clientId: row.clientId,
          targetId: id,
          summary: `Edited snippet "${after.name}"`,
          ...editOf(row, after),
        });
      });
      return load(id);
    },

    delete(id: string, actor: Actor = SYSTEM, scope: Scope = {}): SnippetRow {
      const row = load(id, scope);
      deps.database.immediate(() => {
        repos.snippets.delete(id);
        recordAudit(deps, actor, {
          kind: 'snippet.delete',
          clientId: row.clientId,
          targetId: id,
          summary: `Deleted snippet "${row.name}"`,
        });
      });
      return row;
    },
  };
}
