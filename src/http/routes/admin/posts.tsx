import { Hono, type Context } from 'hono';
import { ConflictError, HeraldError, ValidationError } from '../../../domain/errors.js';
import type { PostAction } from '../../../services/posts-service.js';
import type { AccountRow, ClientRow, MediaRow, PostWithMedia } from '../../../db/repos/index.js';
import { formatInZone, fromLocalInput, toLocalInput } from '../../../../views/format.js';
import {
  MediaPicker,
  PostEditorPage,
  PreviewBody,
  type EditorData,
  type EditorValues,
} from '../../../../views/pages/post-editor.js';
import { heldClients } from '../../../services/list-scope.js';
import { heldOf, scopeOf } from '../../client-reach.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { readUpload } from '../../multipart.js';
import { formFields, pageContext, render, setFlash } from '../../render.js';
import { previewData } from '../../previews.js';
import { redirectTo } from '../../session.js';
import { requestWriting } from './writing.js';
import { grantsOf } from '../../../domain/account-data.js';
import { surfaceOf } from '../../../domain/composer.js';

const LIBRARY_SIZE = 60;
const ACTIONS: readonly PostAction[] = ['approve', 'reject', 'cancel', 'retry', 'submit'];

async function readEditorForm(
  c: Context,
  platforms: ReturnType<AppDeps['networks']['editorPlatforms']>,
): Promise<EditorValues & { intent: string; version: number | null; clientId: string }> {
  const { one, many } = await formFields(c);
  // Every platform's declared field is read; the editor sends only the chosen platform's.
  const names = new Set(Object.values(platforms).flatMap((p) => p.fields.map((f) => f.name)));
  const options = Object.fromEntries([...names].map((n) => [n, one(`options.${n}`)]).filter(([, v]) => v !== ''));
  return {
    options,
    clientId: one('clientId'),
    accountId: one('accountId'),
    caption: one('caption').replace(/\r\n/g, '\n'),
    mediaIds: many('mediaIds'),
    scheduledAt: one('scheduledAt'),
    surface: one('surface') || 'feed',
    firstComment: one('firstComment').replace(/\r\n/g, '\n'),
    labels: many('labels'),
    intent: one('intent'),
    version: one('version') ? Number(one('version')) : null,
  };
}

/** The schedule field is a wall-clock time in the client's zone; the API speaks UTC instants. */
function instantOf(local: string, tz: string): string | null {
  if (!local.trim()) return null;
  const ms = fromLocalInput(local, tz);
  if (ms === null) throw ValidationError.field('scheduledAt', 'must be a date and time');
  return new Date(ms).toISOString();
}

export function postRoutes(deps: AppDeps) {
  const { services, repos } = deps;
  const app = new Hono<AppEnv>();

  function library(clientId: string): EditorData['library'] {
    return services.media.list(clientId, LIBRARY_SIZE).data.map((m) => ({ ...m, url: services.media.url(m.key) }));
  }

  const previews = previewData(deps);

  /** The chosen account's surfaces, first comment, labels, snippets and preview. */
  async function composerOf(client: ClientRow, account: AccountRow | undefined, values: EditorValues) {
    const surface = surfaceOf(values.surface);
    return {
      surfaces: account ? deps.networks.surfaces(account.platform) : [],
      takesFirstComment: account ? deps.networks.takesFirstComment(account.platform, surface) : false,
      missingCommentScopes: account ? deps.networks.missingCommentScopes(account.platform, grantsOf(account)) : [],
      labels: repos.labels.list(),
      snippets: repos.snippets.listByClient(client.id),
      platforms: Object.fromEntries(
        repos.accounts.listByClient(client.id).map((a) => {
          const surfaces = deps.networks.surfaces(a.platform);
          const commentSurfaces = surfaces
            .map((s) => s.surface)
            .filter((s) => deps.networks.takesFirstComment(a.platform, s));
          return [a.platform, { surfaces, commentSurfaces }];
        }),
      ),
      preview: account
        ? {
            data: await previews.build({
              account,
              surface,
              caption: values.caption,
              firstComment: values.firstComment,
              mediaIds: values.mediaIds,
            }),
            surfaceLabel: previews.surfaceLabel(account.platform, surface),
          }
        : null,
    };
  }

  async function editor(
    c: Context<AppEnv>,
    client: ClientRow,
    post: PostWithMedia | null,
    values: EditorValues,
    extra: Partial<EditorData> = {},
  ) {
    const accounts = repos.accounts.listByClient(client.id);
    const account = accounts.find((a) => a.id === values.accountId) ?? accounts[0];
    // The platform's own word on how it will publish the chosen media (a YouTube Short or not).
    const mediaNote = account
      ? deps.networks.describe(account.platform, mediaFacts(values.mediaIds), surfaceOf(values.surface))
      : null;
    const composer = await composerOf(client, account, values);
    return (
      <PostEditorPage
        page={pageContext(c)}
        data={{
          client,
          accounts,
          platforms: deps.networks.editorPlatforms(),
          post,
          values,
          library: library(client.id),
          logs: post ? services.posts.logs(post.id) : [],
          aiEnabled: deps.generator.enabled,
          mediaNote,
          composer,
          ...(post
            ? { evergreen: { copies: deps.evergreen.copiesOf(post.id), next: deps.evergreen.nextDue(post) } }
            : {}),
          ...extra,
        }}
      />
    );
  }

  /** The chosen media, in the chosen order, as the platforms' rules read them. */
  function mediaFacts(ids: readonly string[]): MediaRow[] {
    const rows = new Map(repos.media.getMany(ids).map((m) => [m.id, m]));
    return ids.flatMap((id) => rows.get(id) ?? []);
  }

  /** The form's options for the account's platform (only a platform that declares fields gets them). */
  function optionsOf(
    platform: string | undefined,
    options: Record<string, string>,
  ): { options?: Record<string, string> } {
    const fields = platform ? deps.networks.platform(platform)?.postOptions?.fields : undefined;
    if (!fields) return {};
    return {
      options: Object.fromEntries(fields.flatMap((f) => (options[f.name] ? [[f.name, options[f.name]!]] : []))),
    };
  }

  function valuesOf(post: PostWithMedia, tz: string): EditorValues {
    return {
      accountId: post.accountId,
      caption: post.caption,
      mediaIds: post.mediaIds,
      scheduledAt: toLocalInput(post.scheduledAt, tz),
      surface: post.surface,
      firstComment: post.firstComment,
      labels: repos.labels.ofPosts([post.id]).get(post.id) ?? [],
      options: Object.fromEntries(Object.entries(post.options ?? {}).map(([k, v]) => [k, String(v)])),
    };
  }

  // Registered before /posts/:id, which would otherwise take "preview" or "media" for an id.
  /** The live preview (htmx, as the form changes): the chosen account's card for what the form holds. */
  app.post('/posts/preview', async (c) => {
    const form = await readEditorForm(c, deps.networks.editorPlatforms());
    const client = services.clients.get(form.clientId);
    const account = repos.accounts.listByClient(client.id).find((a) => a.id === form.accountId);
    const { preview } = await composerOf(client, account, form);
    return render(c, <PreviewBody preview={preview} />);
  });

  /** Upload from the editor: stores the file and returns the picker with it selected. */
  app.post('/posts/media', async (c) => {
    const client = services.clients.get(c.req.query('clientId') ?? '');
    const upload = await readUpload(c.req.raw, services.media, deps.uploads).catch((err: unknown) => {
      if (err instanceof HeraldError) return err;
      throw err;
    });
    if (upload instanceof HeraldError || !upload.file) {
      const message = upload instanceof HeraldError ? upload.message : 'Choose a file to upload.';
      return render(
        c,
        <MediaPicker library={library(client.id)} selected={[]} clientId={client.id} error={message} />,
        422,
      );
    }
    const chosen = upload.lists.mediaIds ?? [];
    const row = services.media.commit(upload.file, {
      clientId: client.id,
      originalName: upload.fileName,
      actor: c.var.actor,
    });
    return render(
      c,
      <MediaPicker library={library(client.id)} selected={[...new Set([...chosen, row.id])]} clientId={client.id} />,
    );
  });

  app.get('/posts/new', async (c) => {
    const account = c.req.query('accountId') ? services.accounts.get(c.req.query('accountId')!) : null;
    const clientId = account?.clientId ?? c.req.query('clientId') ?? repos.clients.options(heldOf(c))[0]?.id;
    heldClients(scopeOf(c), clientId);
    if (!clientId) {
      setFlash(c, 'error', 'Add a client first.');
      return redirectTo(c, '/clients/new');
    }
    const client = services.clients.get(clientId);
    return render(
      c,
      await editor(c, client, null, {
        accountId: account?.id ?? '',
        caption: '',
        mediaIds: [],
        scheduledAt: '',
        options: {},
        surface: 'feed',
        firstComment: '',
        labels: [],
      }),
    );
  });

  app.post('/posts', async (c) => {
    const form = await readEditorForm(c, deps.networks.editorPlatforms());
    const client = services.clients.get(form.clientId);
    try {
      const fields = {
        accountId: form.accountId,
        caption: form.caption,
        mediaIds: form.mediaIds,
        surface: form.surface,
        firstComment: form.firstComment,
        labels: form.labels,
        ...optionsOf(repos.accounts.get(form.accountId)?.platform, form.options),
      };
      // "Add to queue": the account's next free posting time, whatever the time field says.
      const post =
        form.intent === 'queue'
          ? services.queue.create(fields, c.var.actor)
          : services.posts.create(
              {
                ...fields,
                scheduledAt: instantOf(form.scheduledAt, client.timezone),
                status: form.intent === 'draft' ? 'draft' : 'scheduled',
              },
              c.var.actor,
            );
      const queued =
        form.intent === 'queue' ? ` in the queue: ${formatInZone(post.scheduledAt!, client.timezone)}` : '';
      setFlash(
        c,
        'ok',
        post.status === 'draft'
          ? 'Draft saved.'
          : post.status === 'pending_approval'
            ? `Sent to the client for approval${queued}.`
            : `Scheduled${queued}.`,
      );
      return redirectTo(c, `/posts/${post.id}`);
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      c.header('HX-Push-Url', 'false');
      const errors = err instanceof ValidationError ? err.fields : {};
      return render(
        c,
        await editor(c, client, null, form, {
          errors,
          message: err instanceof ValidationError ? undefined : err.message,
        }),
        422,
      );
    }
  });

  app.get('/posts/:id', async (c) => {
    const post = services.posts.get(c.req.param('id'));
    const client = services.clients.get(post.clientId);
    return render(c, await editor(c, client, post, valuesOf(post, client.timezone)));
  });

  app.post('/posts/:id', async (c) => {
    const post = services.posts.get(c.req.param('id'));
    const client = services.clients.get(post.clientId);
    const form = await readEditorForm(c, deps.networks.editorPlatforms());
    const mine: EditorValues = {
      accountId: post.accountId,
      caption: form.caption,
      mediaIds: form.mediaIds,
      scheduledAt: form.scheduledAt,
      options: form.options,
      surface: form.surface,
      firstComment: form.firstComment,
      labels: form.labels,
    };
    try {
      const updated = services.posts.update(
        post.id,
        {
          caption: form.caption,
          mediaIds: form.mediaIds,
          scheduledAt: instantOf(form.scheduledAt, client.timezone),
          ...optionsOf(repos.accounts.get(post.accountId)?.platform, form.options),
          // Unchanged values are not sent: a published post refuses any change to its surface or comment.
          ...(form.surface !== post.surface ? { surface: form.surface } : {}),
          ...(form.firstComment !== post.firstComment ? { firstComment: form.firstComment } : {}),
          labels: form.labels,
          version: form.version ?? -1,
        },
        c.var.actor,
      );
      if (form.intent === 'publish_now') {
        services.posts.publishNow(updated.id, c.var.actor);
        setFlash(c, 'ok', 'Publishing now.');
      } else {
        setFlash(
          c,
          'ok',
          updated.status === 'pending_approval' && post.status === 'scheduled'
            ? 'Saved. The changed post went back to the client for approval.'
            : 'Saved.',
        );
      }
      return redirectTo(c, `/posts/${post.id}`);
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      c.header('HX-Push-Url', 'false');
      const current = services.posts.get(post.id);
      // Someone saved first: show both versions side by side, never overwrite silently.
      if (err instanceof ConflictError && current.version !== form.version) {
        return render(
          c,
          await editor(c, client, current, mine, {
            conflict: { mine, current, currentLocalTime: toLocalInput(current.scheduledAt, client.timezone) },
          }),
          409,
        );
      }
      const errors = err instanceof ValidationError ? err.fields : {};
      return render(
        c,
        await editor(c, client, current, mine, {
          errors,
          message: err instanceof ValidationError ? undefined : err.message,
        }),
        422,
      );
    }
  });

  app.post('/posts/:id/do/regenerate', (c) => {
    const post = services.posts.get(c.req.param('id'));
    if (!post.ruleId) setFlash(c, 'error', 'Only posts written from a content rule can be regenerated.');
    else requestWriting(c, deps, { postId: post.id }, 'Rewriting it for the same slot; reload in a few seconds.');
    return redirectTo(c, `/posts/${post.id}`);
  });

  app.post('/posts/:id/do/mark-published', async (c) => {
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    try {
      services.posts.markPublished(
        id,
        c.var.actor,
        typeof form.permalink === 'string' && form.permalink.trim() ? form.permalink.trim() : null,
      );
      setFlash(c, 'ok', 'Marked as published.');
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      setFlash(c, 'error', err.message);
    }
    return redirectTo(c, `/posts/${id}`);
  });

  app.post('/posts/:id/do/:action', async (c) => {
    const action = c.req.param('action') as PostAction;
    const id = c.req.param('id');
    if (!ACTIONS.includes(action)) return c.notFound();
    const form = await c.req.parseBody();
    try {
      const post = services.posts.act(id, action, c.var.actor, {
        comment: typeof form.comment === 'string' && form.comment.trim() ? form.comment.trim() : undefined,
      });
      const done = {
        approve: 'Approved.',
        reject: 'Rejected.',
        cancel: 'Cancelled.',
        retry: 'It will be sent again now.',
        submit: 'Sent for approval.',
      }[action];
      setFlash(c, 'ok', post.status === 'scheduled' && action === 'approve' ? 'Approved and scheduled.' : done);
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      setFlash(c, 'error', err.message);
    }
    return redirectTo(c, `/posts/${id}`);
  });

  return app;
}
