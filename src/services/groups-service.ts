// Post groups (docs/composer.md#post-groups): one idea composed for several of a client's
// accounts. Each account gets its own post, written through the posts service's own paths
// (approval, scheduling, history, events), linked by its group id. A member follows the group's
// shared caption, media and first comment unless it keeps that field as its own (group_overrides).
import type { Actor } from '../domain/actor.js';
import type { GroupOverrides, Surface } from '../domain/composer.js';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../domain/errors.js';
import { createGroupSchema, updateGroupSchema, type CreateGroupInput } from '../domain/group.js';
import { SCHEDULE_PAST_TOLERANCE_MS } from '../domain/post.js';
import { EDITABLE_STATUSES, humanStatus, type PostStatus } from '../domain/post-status.js';
import { fieldErrorsOf, parseInput } from '../domain/validation.js';
import type { AccountRow, ClientRow, PostGroupRow, PostWithMedia } from '../db/repos/index.js';
import { newId } from '../lib/ids.js';
import { editOf, recordAudit } from './audit.js';
import type { ServiceDeps } from './deps.js';
import { notices } from './notices.js';
import type { PostContent, PostEdit, PostsService, PostView, Scope } from './posts-service.js';

/** A group as the API and the pages show it: its shared values and its member posts. */
export interface GroupView {
  readonly group: PostGroupRow;
  /** The shared media, in order. */
  readonly mediaIds: string[];
  /** The labels its members carry. */
  readonly labels: string[];
  /** Its member posts (cancelled ones too), oldest first. */
  readonly posts: PostView[];
}

/** What moving a group did: the members moved (from, to) and those that could not move, with why. */
export interface GroupMove {
  readonly version: number;
  readonly moved: Array<{ postId: string; from: number; to: number }>;
  readonly refused: Array<{ postId: string; accountName: string; reason: string }>;
}

/** What the group editor's live checks get: every error, and each member's own (its field names bare). */
export interface GroupCheck {
  readonly fields: FieldErrors;
  readonly members: Array<FieldErrors | null>;
}

/** One account of a group as the input names it (create and update alike). */
interface MemberInput {
  readonly accountId: string;
  readonly caption?: string | null | undefined;
  readonly mediaIds?: string[] | null | undefined;
  readonly firstComment?: string | null | undefined;
  readonly options?: Record<string, unknown> | null | undefined;
  readonly surface?: Surface | undefined;
  readonly postId?: string | undefined;
  readonly version?: number | undefined;
}

interface Shared {
  readonly caption: string;
  readonly mediaIds: readonly string[];
  readonly firstComment: string;
}

/** A member as it will be: its account, its post (when it has one), its content and what it keeps as its own. */
interface Plan {
  readonly index: number;
  readonly account: AccountRow;
  readonly existing: PostWithMedia | undefined;
  readonly content: PostContent;
  readonly overrides: GroupOverrides | null;
}

/** A post the platform may hold already: its content is no longer Herald's to change. */
const GONE_OUT: ReadonlySet<PostStatus> = new Set(['publishing', 'unconfirmed', 'published']);

const isoOf = (at: number | null) => (at === null ? null : new Date(at).toISOString());

export function groupsService(deps: ServiceDeps, posts: PostsService) {
  const { repos, clock, database, networks } = deps;
  const notice = notices(deps);

  function load(id: string, scope: Scope = {}): PostGroupRow {
    const group = repos.groups.get(id);
    if (!group || (scope.clientId && group.clientId !== scope.clientId)) throw new NotFoundError('Post group');
    return group;
  }

  function view(group: PostGroupRow): GroupView {
    const members = posts.withLabels(repos.groups.members(group.id));
    const labels = [...new Set(members.filter((p) => p.status !== 'cancelled').flatMap((p) => p.labels))];
    return { group, mediaIds: repos.groups.media(group.id), labels, posts: members };
  }

  function parseWhen(iso: string | null | undefined): number | null {
    return iso ? Date.parse(iso) : null;
  }

  /**
   * A member's values: a field it keeps as its own (given now, or kept before and not handed
   * back with null) stays its own; the others follow the group. A surface without a caption does
   * not inherit the shared caption, nor a surface without first comments the shared comment.
   */
  function resolve(shared: Shared, input: MemberInput, account: AccountRow, existing?: PostWithMedia) {
    const surface = input.surface ?? existing?.surface ?? 'feed';
    const before = existing?.groupOverrides ?? {};
    const own = (field: keyof GroupOverrides, given: unknown) =>
      given === undefined ? before[field] === true : given !== null;
    const keeps = {
      caption: own('caption', input.caption),
      mediaIds: own('mediaIds', input.mediaIds),
      firstComment: own('firstComment', input.firstComment),
    };
    const captionless =
      surface !== 'feed' && networks.platform(account.platform)?.surfaces?.[surface]?.caption === null;
    const content: PostContent = {
      caption: keeps.caption ? (input.caption ?? existing?.caption ?? '') : captionless ? '' : shared.caption,
      mediaIds: keeps.mediaIds ? (input.mediaIds ?? existing?.mediaIds ?? []) : shared.mediaIds,
      firstComment: keeps.firstComment
        ? (input.firstComment ?? existing?.firstComment ?? '')
        : networks.takesFirstComment(account.platform, surface)
          ? shared.firstComment
          : '',
      options: input.options !== undefined ? input.options : (existing?.options ?? undefined),
      surface,
    };
    const overrides = Object.fromEntries(Object.entries(keeps).filter(([, v]) => v)) as GroupOverrides;
    return { content, overrides: Object.keys(overrides).length ? overrides : null };
  }

  /** The accounts named, each the client's and named once; errors under `members.<i>.accountId`. */
  function accountsOf(clientId: string, inputs: readonly MemberInput[], errors: FieldErrors): Array<AccountRow | null> {
    const seen = new Set<string>();
    return inputs.map((m, i) => {
      const account = repos.accounts.get(m.accountId);
      let problem: string | null = null;
      if (!account || account.clientId !== clientId) problem = "is not one of this client's accounts";
      else if (seen.has(account.id)) problem = 'is in the group twice';
      seen.add(m.accountId);
      if (problem) (errors[`members.${i}.accountId`] ??= []).push(problem);
      return problem ? null : account!;
    });
  }

  /** The shared media must be the client's (a member may not use them, but the group keeps them). */
  function sharedMediaErrors(clientId: string, mediaIds: readonly string[], errors: FieldErrors): void {
    const mine = new Set(
      repos.media
        .getMany(mediaIds)
        .filter((m) => m.clientId === clientId)
        .map((m) => m.id),
    );
    const missing = mediaIds.filter((id) => !mine.has(id));
    if (missing.length) (errors.mediaIds ??= []).push(`unknown media for this client: ${missing.join(', ')}`);
    else if (new Set(mediaIds).size !== mediaIds.length) (errors.mediaIds ??= []).push('lists the same media twice');
  }

  function scheduleErrors(status: string, scheduledAt: number | null, errors: FieldErrors): void {
    if (status !== 'scheduled') return;
    if (scheduledAt === null) (errors.scheduledAt ??= []).push('is required to schedule a post');
    else if (scheduledAt < clock.now() - SCHEDULE_PAST_TOLERANCE_MS) (errors.scheduledAt ??= []).push('is in the past');
  }

  /** Each planned member's content checked by its platform; errors under `members.<i>.<field>`. */
  function checkPlans(plans: readonly Plan[], errors: FieldErrors): Map<Plan, Record<string, unknown> | null> {
    const options = new Map<Plan, Record<string, unknown> | null>();
    for (const plan of plans) {
      const result = posts.contentErrors(plan.account, plan.content);
      options.set(plan, result.options);
      for (const [field, messages] of Object.entries(result.errors ?? {}))
        (errors[`members.${plan.index}.${field}`] ??= []).push(...messages);
    }
    return options;
  }

  /** Plans a new group's members (nothing written); errors collected into `errors`. */
  function planCreate(data: CreateGroupInput, errors: FieldErrors): Plan[] {
    const shared: Shared = data;
    sharedMediaErrors(data.clientId, data.mediaIds, errors);
    for (const [field, messages] of Object.entries(posts.labelErrors(data.labels) ?? {}))
      (errors[field] ??= []).push(...messages);
    scheduleErrors(data.status, parseWhen(data.scheduledAt), errors);
    const accounts = accountsOf(data.clientId, data.members, errors);
    return data.members.flatMap((m, index) => {
      const account = accounts[index];
      if (!account) return [];
      return [{ index, account, existing: undefined, ...resolve(shared, m, account) }];
    });
  }

  function clientFor(clientId: string): ClientRow {
    const client = repos.clients.get(clientId);
    if (!client) throw ValidationError.field('clientId', 'no such client');
    if (client.status === 'archived')
      throw new ConflictError('This client is archived; restore it before adding posts.');
    return client;
  }

  const accountName = (post: PostWithMedia) => repos.accounts.get(post.accountId)?.name ?? post.accountId;

  const sameContent = (a: PostContent, b: PostWithMedia) =>
    a.caption === b.caption &&
    a.mediaIds.join() === b.mediaIds.join() &&
    a.surface === b.surface &&
    a.firstComment === b.firstComment;

  const sameOverrides = (a: GroupOverrides | null, b: GroupOverrides | null) =>
    JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});

  return {
    get(id: string, scope: Scope = {}): GroupView {
      return view(load(id, scope));
    },

    /**
     * What saving this new group (the create body) would refuse, member by member, without
     * writing anything: the group editor's live checks.
     */
    /**
     * Moves a group (the calendar's drag and drop of its chip) by `deltaMs`: each member that can
     * move moves by the same amount through the posts service's checks; the others stay and are
     * reported. `only` limits the move to these members (an undo moves back just those that moved).
     * The group's version must be the one the mover saw.
     */
    moveBy(
      id: string,
      input: { version: number; deltaMs: number; only?: readonly string[] | undefined },
      actor: Actor,
      scope: Scope = {},
    ): GroupMove {
      return database.immediate(() => {
        const group = load(id, scope);
        if (group.version !== input.version) {
          throw new ConflictError('This group was changed by someone else since the calendar was shown.', {
            currentVersion: group.version,
            yourVersion: input.version,
          });
        }
        const moved: GroupMove['moved'] = [];
        const refused: GroupMove['refused'] = [];
        for (const member of repos.groups.members(id)) {
          if (member.status === 'cancelled' || member.scheduledAt === null) continue;
          if (input.only && !input.only.includes(member.id)) continue;
          const to = member.scheduledAt + input.deltaMs;
          try {
            posts.moveLoaded(member, to, actor, ' (its group was moved in the calendar)');
            moved.push({ postId: member.id, from: member.scheduledAt, to });
          } catch (err) {
            if (!(err instanceof ConflictError || err instanceof ValidationError)) throw err;
            refused.push({ postId: member.id, accountName: accountName(member), reason: err.message });
          }
        }
        const patch =
          group.scheduledAt !== null && moved.length ? { scheduledAt: group.scheduledAt + input.deltaMs } : {};
        repos.groups.update(id, { ...patch, updatedAt: clock.now() });
        return { version: repos.groups.get(id)!.version, moved, refused };
      });
    },

    check(input: unknown): GroupCheck {
      const parsed = createGroupSchema.safeParse(input);
      if (!parsed.success) return { fields: fieldErrorsOf(parsed.error), members: [] };
      const fields: FieldErrors = {};
      checkPlans(planCreate(parsed.data, fields), fields);
      const members = parsed.data.members.map((_, i) => {
        const prefix = `members.${i}.`;
        const own = Object.entries(fields)
          .filter(([k]) => k.startsWith(prefix))
          .map(([k, v]) => [k.slice(prefix.length), v]);
        return own.length ? (Object.fromEntries(own) as FieldErrors) : null;
      });
      return { fields, members };
    },

    /** Creates the group and one post per account, all or nothing: one refused member writes nothing. */
    create(input: unknown, actor: Actor): GroupView {
      const data = parseInput(createGroupSchema, input);
      const scheduledAt = parseWhen(data.scheduledAt);
      // Checked and written in one transaction: what was checked is what is written.
      const id = database.immediate(() => {
        const client = clientFor(data.clientId);
        const errors: FieldErrors = {};
        const plans = planCreate(data, errors);
        const options = checkPlans(plans, errors);
        if (Object.keys(errors).length) throw new ValidationError(errors, 'Some accounts would refuse this post.');
        const now = clock.now();
        const group: PostGroupRow = {
          id: newId('grp', now),
          clientId: client.id,
          caption: data.caption,
          firstComment: data.firstComment,
          scheduledAt,
          source: 'manual',
          ruleId: null,
          slotKey: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        repos.groups.insert(group);
        repos.groups.setMedia(group.id, data.mediaIds);
        const written = plans.map((plan) =>
          posts.insertPost(
            plan.account,
            client,
            {
              ...plan.content,
              options: options.get(plan) ?? null,
              status: data.status,
              scheduledAt,
              groupOverrides: plan.overrides,
              labels: data.labels,
            },
            actor,
            { groupId: group.id, announce: false, note: ' in a group' },
          ),
        );
        // One request for the whole group: the reviewers hear about it once.
        const pending = written.filter((p) => p.status === 'pending_approval');
        if (pending.length) notice.approvalRequested(client.id, pending);
        recordAudit(deps, actor, {
          kind: 'group.create',
          clientId: client.id,
          targetId: group.id,
          summary: `Created a group of ${written.length} posts for ${client.name}`,
          after: { caption: group.caption, scheduledAt: isoOf(scheduledAt), accounts: written.map((p) => p.accountId) },
        });
        return group.id;
      });
      return view(load(id));
    },

    /**
     * Edits the group: its shared values go to every member that does not keep that field as its
     * own; `members` (when given) is the group's accounts from now on: an account left out has its
     * unpublished member cancelled, a new one gets a post. A stale version (the group's, or a
     * member's the caller sent) is a conflict, and so is a change to a member already published.
     */
    update(id: string, input: unknown, actor: Actor, scope: Scope = {}): GroupView {
      const data = parseInput(updateGroupSchema, input);
      database.immediate(() => {
        const group = load(id, scope);
        if (group.version !== data.version) {
          throw new ConflictError('This group was changed by someone else since you opened it.', {
            currentVersion: group.version,
            yourVersion: data.version,
          });
        }
        const client = repos.clients.get(group.clientId)!;
        const mediaBefore = repos.groups.media(id);
        const members = repos.groups.members(id);
        const active = members.filter((p) => p.status !== 'cancelled');
        const shared: Shared = {
          caption: data.caption ?? group.caption,
          mediaIds: data.mediaIds ?? repos.groups.media(id),
          firstComment: data.firstComment ?? group.firstComment,
        };
        const scheduledAt = data.scheduledAt !== undefined ? parseWhen(data.scheduledAt) : undefined;
        const inputs: readonly MemberInput[] =
          data.members ?? active.map((p) => ({ accountId: p.accountId, postId: p.id }));
        const errors: FieldErrors = {};
        if (data.mediaIds) sharedMediaErrors(group.clientId, data.mediaIds, errors);
        for (const [field, messages] of Object.entries(posts.labelErrors(data.labels ?? []) ?? {}))
          (errors[field] ??= []).push(...messages);
        const accounts = accountsOf(group.clientId, inputs, errors);

        // Pair each input with its member: by post id when given, else by account.
        const taken = new Set<string>();
        const pairs = inputs.map((m, index) => {
          const existing = m.postId
            ? members.find((p) => p.id === m.postId)
            : active.find((p) => p.accountId === m.accountId && !taken.has(p.id));
          if (m.postId && (!existing || existing.status === 'cancelled' || existing.accountId !== m.accountId))
            (errors[`members.${index}.postId`] ??= []).push(`is not a current post of this group for that account`);
          if (existing) taken.add(existing.id);
          return { index, input: m, existing, account: accounts[index] };
        });
        for (const { index, input: m, existing } of pairs) {
          if (existing && m.version !== undefined && existing.version !== m.version) {
            throw new ConflictError(
              `The post for ${accountName(existing)} was changed by someone else since you opened the group.`,
              { member: index, postId: existing.id, currentVersion: existing.version, yourVersion: m.version },
            );
          }
        }

        const plans: Plan[] = [];
        const touched: Plan[] = [];
        for (const { index, input: m, existing, account } of pairs) {
          if (!account) continue;
          const plan: Plan = { index, account, existing, ...resolve(shared, m, account, existing) };
          plans.push(plan);
          if (!existing) {
            touched.push(plan);
            continue;
          }
          const changes =
            !sameContent(plan.content, existing) ||
            (m.options !== undefined && JSON.stringify(m.options) !== JSON.stringify(existing.options)) ||
            (scheduledAt !== undefined && scheduledAt !== existing.scheduledAt);
          if (changes && GONE_OUT.has(existing.status)) {
            throw new ConflictError(
              `The post for ${account.name} (${networks.label(account.platform)}) is ` +
                `${humanStatus(existing.status)}: it cannot change any more.`,
              { member: index, postId: existing.id, status: existing.status },
            );
          }
          if (changes && !EDITABLE_STATUSES.has(existing.status)) continue;
          if (changes || (!GONE_OUT.has(existing.status) && !sameOverrides(plan.overrides, existing.groupOverrides)))
            touched.push(plan);
        }
        const options = checkPlans(touched, errors);
        const newStatus = active.some((p) => p.status === 'scheduled' || p.status === 'pending_approval')
          ? 'scheduled'
          : 'draft';
        if (touched.some((p) => !p.existing))
          scheduleErrors(newStatus, scheduledAt !== undefined ? scheduledAt : group.scheduledAt, errors);
        if (Object.keys(errors).length) throw new ValidationError(errors, 'Some accounts would refuse this post.');

        const now = clock.now();
        const patch = {
          caption: shared.caption,
          firstComment: shared.firstComment,
          updatedAt: now,
          ...(scheduledAt !== undefined ? { scheduledAt } : {}),
        };
        if (!repos.groups.update(id, patch, group.version))
          throw new ConflictError('This group was changed by someone else since you opened it.');
        if (data.mediaIds) repos.groups.setMedia(id, data.mediaIds);

        if (data.members) {
          for (const dropped of active.filter((p) => !taken.has(p.id))) {
            if (EDITABLE_STATUSES.has(dropped.status))
              posts.cancelMember(dropped.id, actor, 'its account was taken out of the group');
          }
        }
        const added: PostWithMedia[] = [];
        const onMembers = repos.labels.ofPosts(active.map((p) => p.id));
        const groupLabels = [...new Set(active.flatMap((p) => onMembers.get(p.id) ?? []))];
        for (const plan of touched) {
          const fields: PostEdit = {
            ...plan.content,
            options: options.get(plan) ?? null,
            groupOverrides: plan.overrides,
            ...(data.labels ? { labels: data.labels } : {}),
          };
          if (plan.existing) {
            posts.applyEdit(
              plan.existing,
              { ...fields, ...(scheduledAt !== undefined ? { scheduledAt } : {}) },
              actor,
              ' with its group',
            );
          } else {
            const when = scheduledAt !== undefined ? scheduledAt : group.scheduledAt;
            // A new member is filed like the others.
            if (!data.labels) fields.labels = groupLabels;
            added.push(
              posts.insertPost(plan.account, client, { ...fields, status: newStatus, scheduledAt: when }, actor, {
                groupId: id,
                announce: false,
                note: ' in a group',
              }),
            );
          }
        }
        // Labels are the agency's filing: they change on every member, published ones too.
        if (data.labels) {
          const wanted = [...new Set(data.labels)].sort().join();
          const current = repos.labels.ofPosts(plans.map((p) => p.existing?.id ?? ''));
          for (const { existing: post } of plans.filter((p) => p.existing && !touched.includes(p))) {
            if ((current.get(post!.id) ?? []).sort().join() === wanted) continue;
            const { caption, mediaIds, options: kept, surface, firstComment } = post!;
            posts.applyEdit(
              post!,
              { caption, mediaIds, options: kept, surface, firstComment, labels: data.labels },
              actor,
              ' with its group',
            );
          }
        }
        const pending = added.filter((p) => p.status === 'pending_approval');
        if (pending.length) notice.approvalRequested(group.clientId, pending);
        const sharedOf = (g: PostGroupRow, mediaIds: readonly string[], accounts: readonly string[]) => ({
          caption: g.caption,
          firstComment: g.firstComment,
          scheduledAt: isoOf(g.scheduledAt),
          mediaIds,
          accounts,
        });
        const activeAfter = repos.groups.members(id).filter((p) => p.status !== 'cancelled');
        recordAudit(deps, actor, {
          kind: 'group.update',
          clientId: group.clientId,
          targetId: id,
          summary: `Edited a group of ${client.name}`,
          ...editOf(
            sharedOf(
              group,
              mediaBefore,
              active.map((p) => p.accountId),
            ),
            sharedOf(
              repos.groups.get(id)!,
              repos.groups.media(id),
              activeAfter.map((p) => p.accountId),
            ),
          ),
        });
      });
      return view(load(id, scope));
    },
  };
}
export type GroupsService = ReturnType<typeof groupsService>;
