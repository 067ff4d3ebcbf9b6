import { Hono, type Context } from 'hono';
import type { AccountRow, ClientRow } from '../../../db/repos/index.js';
import { ConflictError, HeraldError, ValidationError, type FieldErrors } from '../../../domain/errors.js';
import type { GroupView } from '../../../services/groups-service.js';
import { fromLocalInput, toLocalInput } from '../../../../views/format.js';
import {
  emptyMember,
  GroupEditorPage,
  GroupLive,
  type GroupEditorData,
  type GroupValues,
  type MemberValues,
  type MemberView,
} from '../../../../views/pages/group-editor.js';
import { heldClients } from '../../../services/list-scope.js';
import { heldOf, scopeOf } from '../../client-reach.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { previewData } from '../../previews.js';
import { formFields, pageContext, render, setFlash } from '../../render.js';
import { redirectTo } from '../../session.js';
import { grantsOf } from '../../../domain/account-data.js';
import { surfaceOf } from '../../../domain/composer.js';

const LIBRARY_SIZE = 60;

/**
 * The group editor (docs/composer.md#the-editor): the client's accounts as toggles, the shared
 * caption, media and first comment, and per account its surface, its own values, its options, its
 * live checks (services.groups.check) and its preview.
 */
export function groupRoutes(deps: AppDeps) {
  const { services, repos, networks } = deps;
  const app = new Hono<AppEnv>();
  const previews = previewData(deps);

  function library(clientId: string): GroupEditorData['library'] {
    return services.media.list(clientId, LIBRARY_SIZE).data.map((m) => ({ ...m, url: services.media.url(m.key) }));
  }

  const fieldsOf = (platform: string) => networks.platform(platform)?.postOptions?.fields ?? [];

  /** The form as typed: shared values, and each of the client's accounts (on or off). */
  async function readForm(c: Context, accounts: readonly AccountRow[]) {
    const { one, many } = await formFields(c);
    const text = (name: string) => one(name).replace(/\r\n/g, '\n');
    const on = new Set(many('accounts'));
    const members: MemberValues[] = accounts.map((a) => {
      const m = (field: string) => `m.${a.id}.${field}`;
      const options = Object.fromEntries(
        fieldsOf(a.platform)
          .map((f) => [f.name, one(m(`options.${f.name}`))] as const)
          .filter(([, v]) => v !== ''),
      );
      return {
        accountId: a.id,
        on: on.has(a.id),
        surface: one(m('surface')) || 'feed',
        caption: one(m('ownCaption')) ? text(m('caption')) : null,
        mediaIds: one(m('ownMedia')) ? many(m('mediaIds')) : null,
        firstComment: one(m('ownFirstComment')) ? text(m('firstComment')) : null,
        options,
        postId: one(m('postId')),
        version: one(m('version')),
      };
    });
    const values: GroupValues = {
      caption: text('caption'),
      mediaIds: many('mediaIds'),
      firstComment: text('firstComment'),
      scheduledAt: one('scheduledAt'),
      labels: many('labels'),
      members,
    };
    return { values, intent: one('intent'), version: one('version') ? Number(one('version')) : -1 };
  }

  /** The schedule field is a wall-clock time in the client's zone; the service speaks UTC instants. */
  function instantOf(local: string, tz: string, errors: FieldErrors): string | null {
    if (!local.trim()) return null;
    const ms = fromLocalInput(local, tz);
    if (ms === null) {
      errors.scheduledAt = ['must be a date and time'];
      return null;
    }
    return new Date(ms).toISOString();
  }

  const chosen = (values: GroupValues) => values.members.filter((m) => m.on);

  function memberInput(m: MemberValues, editing: boolean, accounts: Map<string, AccountRow>) {
    const account = accounts.get(m.accountId);
    const own = <T,>(v: T | null) => (v !== null ? v : editing ? null : undefined);
    const hasFields = account ? fieldsOf(account.platform).length > 0 : false;
    return {
      accountId: m.accountId,
      surface: surfaceOf(m.surface),
      ...(own(m.caption) !== undefined ? { caption: own(m.caption) } : {}),
      ...(own(m.mediaIds) !== undefined ? { mediaIds: own(m.mediaIds) } : {}),
      ...(own(m.firstComment) !== undefined ? { firstComment: own(m.firstComment) } : {}),
      ...(hasFields ? { options: m.options } : {}),
      ...(editing && m.postId ? { postId: m.postId } : {}),
      ...(editing && m.version ? { version: Number(m.version) } : {}),
    };
  }

  function createInput(client: ClientRow, values: GroupValues, status: 'draft' | 'scheduled', errors: FieldErrors) {
    const accounts = new Map(repos.accounts.listByClient(client.id).map((a) => [a.id, a]));
    return {
      clientId: client.id,
      caption: values.caption,
      mediaIds: values.mediaIds,
      firstComment: values.firstComment,
      scheduledAt: instantOf(values.scheduledAt, client.timezone, errors),
      status,
      labels: values.labels,
      members: chosen(values).map((m) => memberInput(m, false, accounts)),
    };
  }

  /** Service errors under `members.<i>.<field>` renamed to the form's `m.<accountId>.<field>`. */
  function formErrors(fields: FieldErrors, values: GroupValues): FieldErrors {
    const order = chosen(values);
    return Object.fromEntries(
      Object.entries(fields).map(([key, messages]) => {
        const match = /^members\.(\d+)\.(.+)$/.exec(key);
        const member = match ? order[Number(match[1])] : undefined;
        return [member ? `m.${member.accountId}.${match![2]}` : key, messages];
      }),
    );
  }

  /** Each account's network facts, and for the chosen ones their live checks and preview. */
  async function memberViews(client: ClientRow, values: GroupValues, statuses: Map<string, string> = new Map()) {
    const accounts = repos.accounts.listByClient(client.id);
    const check = services.groups.check(createInput(client, values, 'draft', {}));
    const order = chosen(values).map((m) => m.accountId);
    const views: MemberView[] = [];
    for (const account of accounts) {
      const m = values.members.find((v) => v.accountId === account.id) ?? emptyMember(account.id);
      const surface = surfaceOf(m.surface);
      const takesFirstComment = networks.takesFirstComment(account.platform, surface);
      const index = order.indexOf(account.id);
      const captionless =
        surface !== 'feed' && networks.platform(account.platform)?.surfaces?.[surface]?.caption === null;
      views.push({
        account,
        platformLabel: networks.label(account.platform),
        surfaces: networks.surfaces(account.platform),
        fields: fieldsOf(account.platform),
        takesFirstComment,
        missingCommentScopes: networks.missingCommentScopes(account.platform, grantsOf(account)),
        status: statuses.get(account.id) ?? null,
        checks: index >= 0 ? (check.members[index] ?? null) : null,
        preview:
          index >= 0
            ? {
                data: await previews.build({
                  account,
                  surface,
                  // What the member will carry: its own value, else the shared one where its surface takes it.
                  caption: m.caption ?? (captionless ? '' : values.caption),
                  firstComment: m.firstComment ?? (takesFirstComment ? values.firstComment : ''),
                  mediaIds: m.mediaIds ?? values.mediaIds,
                }),
                surfaceLabel: previews.surfaceLabel(account.platform, surface),
              }
            : null,
      });
    }
    return views;
  }

  async function page(
    c: Context<AppEnv>,
    client: ClientRow,
    group: GroupEditorData['group'],
    values: GroupValues,
    extra: Partial<GroupEditorData> = {},
    statuses?: Map<string, string>,
  ) {
    return (
      <GroupEditorPage
        page={pageContext(c)}
        data={{
          client,
          group,
          values,
          members: await memberViews(client, values, statuses),
          library: library(client.id),
          labels: repos.labels.list(),
          snippets: repos.snippets.listByClient(client.id),
          ...extra,
        }}
      />
    );
  }

  function valuesOf(view: GroupView, client: ClientRow): GroupValues {
    const live = view.posts.filter((p) => p.status !== 'cancelled');
    return {
      caption: view.group.caption,
      mediaIds: view.mediaIds,
      firstComment: view.group.firstComment,
      scheduledAt: toLocalInput(view.group.scheduledAt, client.timezone),
      labels: view.labels,
      members: live.map((p) => ({
        accountId: p.accountId,
        on: true,
        surface: p.surface,
        caption: p.groupOverrides?.caption ? p.caption : null,
        mediaIds: p.groupOverrides?.mediaIds ? p.mediaIds : null,
        firstComment: p.groupOverrides?.firstComment ? p.firstComment : null,
        options: Object.fromEntries(Object.entries(p.options ?? {}).map(([k, v]) => [k, String(v)])),
        postId: p.id,
        version: String(p.version),
      })),
    };
  }

  const statusesOf = (view: GroupView) =>
    new Map(view.posts.filter((p) => p.status !== 'cancelled').map((p) => [p.accountId, p.status]));

  // Registered before /groups/:id, which would otherwise take "new" or "preview" for an id.
  app.get('/groups/new', async (c) => {
    const clientId = c.req.query('clientId') ?? repos.clients.options(heldOf(c))[0]?.id;
    heldClients(scopeOf(c), clientId);
    if (!clientId) {
      setFlash(c, 'error', 'Add a client first.');
      return redirectTo(c, '/clients/new');
    }
    const client = services.clients.get(clientId);
    // Media from the library's "use in a new post": only this client's, in the order given.
    const wanted = (c.req.query('mediaIds') ?? '').split(',').filter(Boolean);
    const mine = new Set(repos.media.getMany(wanted).flatMap((m) => (m.clientId === client.id ? [m.id] : [])));
    const mediaIds = wanted.filter((id) => mine.has(id));
    const at = c.req.query('at') ?? '';
    // A calendar day or slot (`YYYY-MM-DD`, `YYYY-MM-DDTHH:mm` in the client's zone) or an instant.
    const scheduledAt = /Z$|[+-]\d\d:\d\d$/.test(at)
      ? toLocalInput(Date.parse(at) || null, client.timezone)
      : /^\d{4}-\d{2}-\d{2}$/.test(at)
        ? `${at}T09:00`
        : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(at)
          ? at
          : '';
    const values: GroupValues = { caption: '', mediaIds, firstComment: '', scheduledAt, labels: [], members: [] };
    return render(c, await page(c, client, null, values));
  });

  /** The live checks and previews as the form changes (htmx). */
  app.post('/groups/preview', async (c) => {
    const { one } = await formFields(c);
    const client = services.clients.get(one('clientId'));
    const { values } = await readForm(c, repos.accounts.listByClient(client.id));
    return render(c, <GroupLive members={await memberViews(client, values)} />);
  });

  app.post('/groups', async (c) => {
    const { one } = await formFields(c);
    const client = services.clients.get(one('clientId'));
    const { values, intent } = await readForm(c, repos.accounts.listByClient(client.id));
    const errors: FieldErrors = {};
    const input = createInput(client, values, intent === 'draft' ? 'draft' : 'scheduled', errors);
    try {
      if (Object.keys(errors).length) throw new ValidationError(errors);
      if (input.members.length === 0) throw ValidationError.field('members', 'Choose at least one account.');
      const view = services.groups.create(input, c.var.actor);
      const waiting = view.posts.filter((p) => p.status === 'pending_approval').length;
      setFlash(
        c,
        'ok',
        intent === 'draft'
          ? `Drafts saved for ${view.posts.length} accounts.`
          : waiting
            ? `Sent to the client for approval (${view.posts.length} accounts).`
            : `Scheduled for ${view.posts.length} accounts.`,
      );
      return redirectTo(c, `/groups/${view.group.id}`);
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      c.header('HX-Push-Url', 'false');
      const fields = err instanceof ValidationError ? formErrors(err.fields, values) : {};
      return render(c, await page(c, client, null, values, { errors: fields, message: err.message }), 422);
    }
  });

  app.get('/groups/:id', async (c) => {
    const view = services.groups.get(c.req.param('id'));
    const client = services.clients.get(view.group.clientId);
    return render(
      c,
      await page(
        c,
        client,
        { id: view.group.id, version: view.group.version },
        valuesOf(view, client),
        {},
        statusesOf(view),
      ),
    );
  });

  app.post('/groups/:id', async (c) => {
    const view = services.groups.get(c.req.param('id'));
    const client = services.clients.get(view.group.clientId);
    const accounts = repos.accounts.listByClient(client.id);
    const { values, version } = await readForm(c, accounts);
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const errors: FieldErrors = {};
    const scheduledAt = instantOf(values.scheduledAt, client.timezone, errors);
    try {
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const members = chosen(values).map((m) => memberInput(m, true, byId));
      if (members.length === 0) throw ValidationError.field('members', 'Choose at least one account.');
      services.groups.update(
        view.group.id,
        {
          caption: values.caption,
          mediaIds: values.mediaIds,
          firstComment: values.firstComment,
          scheduledAt,
          labels: values.labels,
          members,
          version,
        },
        c.var.actor,
      );
      setFlash(c, 'ok', 'Saved.');
      return redirectTo(c, `/groups/${view.group.id}`);
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      c.header('HX-Push-Url', 'false');
      const fields = err instanceof ValidationError ? formErrors(err.fields, values) : {};
      // Someone saved first: the typed values stay on the page, nothing is overwritten.
      const message =
        err instanceof ConflictError
          ? `${err.message} Your changes are below, not saved: reload the group to see the saved version.`
          : err.message;
      const current = services.groups.get(view.group.id);
      return render(
        c,
        await page(c, client, { id: view.group.id, version }, values, { errors: fields, message }, statusesOf(current)),
        err instanceof ConflictError ? 409 : 422,
      );
    }
  });

  return app;
}
