import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HeraldError, NotFoundError } from '../../domain/errors.js';
import { InviteUsed } from '../../services/auth-service.js';
import type { PostAction } from '../../services/posts-service.js';
import { ErrorPage } from '../../../views/pages/error.js';
import { PortalHomePage } from '../../../views/pages/portal-home.js';
import { PortalPostsPage, type PortalPost } from '../../../views/pages/portal-posts.js';
import { PortalResultsPage } from '../../../views/pages/results.js';
import type { PortalContext } from '../../../views/layouts/portal.js';
import type { AppDeps, AppEnv } from '../context.js';
import { render, setFlash, takeFlash } from '../render.js';
import { clearSessionCookie, readSessionCookie, redirectTo, setSessionCookie } from '../session.js';
import { connectChoices } from '../connector-info.js';
import { avatarResponse } from '../avatar-response.js';
import { clientResultsBody } from '../results-page.js';
import { previewData } from '../previews.js';

function platformDataOf(json: string): Record<string, unknown> {
  try {
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The client portal, opened from an invite link: one client, its accounts and its posts only. */
export function portalRoutes(deps: AppDeps) {
  const { services, repos, clock } = deps;
  const app = new Hono<AppEnv>();

  app.get('/invite/:token', (c) => {
    try {
      const { cookie, invite } = services.auth.openInvite(c.req.param('token'));
      services.auth.destroySession(readSessionCookie(c, deps, 'portal'));
      setSessionCookie(c, deps, 'portal', cookie, invite.expiresAt - clock.now());
      return c.redirect(invite.landing ?? '/portal', 303);
    } catch (err) {
      if (err instanceof InviteUsed) {
        // The same browser clicking the mail's link again is signed in already: take it there.
        if (c.var.session?.client?.id === err.invite.clientId) return c.redirect(err.invite.landing ?? '/portal', 303);
        return render(
          c,
          <ErrorPage
            status={410}
            title="This link was used already"
            message={
              'Each sign-in link in our emails works once, and this one has opened the portal before. ' +
              `The next email brings a new link, or ask ${services.settings.agencyName()} for an invite link.`
            }
          />,
          410,
        );
      }
      if (!(err instanceof NotFoundError)) throw err;
      return render(
        c,
        <ErrorPage
          status={404}
          title="This link no longer works"
          message={`It has expired or was withdrawn. Ask ${services.settings.agencyName()} for a new invite link.`}
        />,
        404,
      );
    }
  });

  const requireClient: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.var.session?.client) return next();
    return render(
      c,
      <ErrorPage
        status={401}
        title="Please open your invite link again"
        message="Your session has ended. The link your agency sent you opens this page again."
      />,
      401,
    );
  };
  app.use('/portal', requireClient);
  app.use('/portal/*', requireClient);

  const portal = (c: Context<AppEnv>): PortalContext => {
    const client = c.var.session!.client!;
    return {
      agencyName: services.settings.agencyNameSet(),
      clientName: client.name,
      csrf: c.var.session!.session.csrfToken,
      flash: takeFlash(c),
      approvals: client.approvalMode === 'client',
      language: client.language,
    };
  };
  const clientId = (c: Context<AppEnv>) => c.var.session!.client!.id;

  app.get('/portal', (c) => {
    const id = clientId(c);
    const connectors = connectChoices(deps).map((choice) => ({
      id: choice.id,
      label: choice.label,
      what: choice.description,
      configured: choice.configured,
      oauth: choice.oauth,
      form: choice.form,
      entry: choice.entry,
    }));
    const pending =
      c.var.session!.client!.approvalMode === 'client'
        ? repos.posts.countForClient(id, 'pending_approval', clock.now())
        : 0;
    const accounts = repos.accounts.listByClient(id);
    return render(
      c,
      <PortalHomePage
        portal={portal(c)}
        accounts={accounts}
        notes={deps.networks.accountNotes(accounts, clock.now())}
        connectors={connectors}
        pending={pending}
      />,
    );
  });

  for (const [verb, status] of [
    ['enable', 'connected'],
    ['disable', 'disabled'],
  ] as const) {
    app.post(`/portal/accounts/:id/${verb}`, (c) => {
      try {
        services.accounts.patch(c.req.param('id'), { status }, c.var.actor, { clientId: clientId(c) });
        setFlash(
          c,
          'ok',
          status === 'disabled' ? 'Posting to this account is paused.' : 'Posting to this account is on again.',
        );
      } catch (err) {
        if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
        setFlash(c, 'error', err.message);
      }
      return redirectTo(c, '/portal');
    });
  }

  // Scoped to the portal's client: another client's account is not found.
  app.get('/portal/accounts/:id/avatar', async (c) =>
    avatarResponse(c, await services.avatars.forAccount(c.req.param('id'), { clientId: clientId(c) })),
  );

  const portalPreviews = previewData(deps, { portal: true });

  /** The posts of the portal's client awaiting its approval (from now on), with their previews. */
  async function awaiting(clientId: string): Promise<PortalPost[]> {
    const pending = repos.posts.list({
      clientId,
      status: ['pending_approval'],
      from: clock.now(),
      limit: 50,
    }).data;
    const accounts = new Map(repos.accounts.listByClient(clientId).map((a) => [a.id, a]));
    const out: PortalPost[] = [];
    for (const p of repos.posts.describe(pending)) {
      const account = accounts.get(p.accountId);
      if (!account) continue;
      const data = await portalPreviews.build({
        account,
        surface: p.surface,
        caption: p.caption,
        firstComment: p.firstComment,
        mediaIds: p.mediaIds,
      });
      out.push({
        ...p,
        preview: { data, surfaceLabel: portalPreviews.surfaceLabel(p.platform, p.surface) },
        missingCommentScopes: deps.networks.missingCommentScopes(p.platform, platformDataOf(account.platformData)),
      });
    }
    return out;
  }

  app.get('/portal/posts', async (c) => {
    const client = c.var.session!.client!;
    const now = clock.now();
    const all = await awaiting(client.id);
    // A group's members waiting together are one card; a lone member is shown as a post.
    const byGroup = new Map<string, PortalPost[]>();
    for (const p of all) if (p.groupId) byGroup.set(p.groupId, [...(byGroup.get(p.groupId) ?? []), p]);
    const groups = [...byGroup].filter(([, members]) => members.length > 1).map(([id, members]) => ({ id, members }));
    const grouped = new Set(groups.flatMap((g) => g.members.map((m) => m.id)));
    const upcoming = repos.posts.listDetailed({
      clientId: client.id,
      status: ['scheduled'],
      from: now,
      limit: 30,
    }).data;
    return render(
      c,
      <PortalPostsPage
        portal={portal(c)}
        pending={all.filter((p) => !grouped.has(p.id))}
        groups={groups}
        upcoming={upcoming}
        timezone={client.timezone}
      />,
    );
  });

  /**
   * Every post the page showed as waiting, each approved through the same action as its own
   * button, at the version the client saw: one changed since is skipped and named, not approved.
   */
  app.post('/portal/posts/approve-all', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const seen = ([] as unknown[]).concat(form.post ?? []).filter((v): v is string => typeof v === 'string');
    let done = 0;
    const skipped: string[] = [];
    for (const entry of seen.slice(0, 200)) {
      const [id = '', version] = entry.split(':');
      try {
        services.posts.act(id, 'approve', c.var.actor, { scope: { clientId: clientId(c) }, version: Number(version) });
        done++;
      } catch (err) {
        if (!(err instanceof HeraldError)) throw err;
        const caption = repos.posts.get(id)?.caption.slice(0, 40);
        skipped.push(caption ? `“${caption}”: ${err.message}` : err.message);
      }
    }
    const approved = `Approved ${done} post${done === 1 ? '' : 's'}: each will be published at its time.`;
    if (skipped.length) setFlash(c, 'error', `${approved} Not approved (${skipped.length}): ${skipped.join(' ')}`);
    else if (done === 0) setFlash(c, 'error', 'Nothing waits for your approval any more.');
    else setFlash(c, 'ok', approved);
    return redirectTo(c, '/portal/posts');
  });

  for (const action of ['approve', 'reject'] as const satisfies readonly PostAction[]) {
    app.post(`/portal/posts/:id/${action}`, async (c) => {
      const form = await c.req.parseBody();
      try {
        services.posts.act(c.req.param('id'), action, c.var.actor, {
          scope: { clientId: clientId(c) },
          comment: typeof form.comment === 'string' && form.comment.trim() ? form.comment.trim() : undefined,
        });
        setFlash(
          c,
          'ok',
          action === 'approve'
            ? 'Approved: it will be published at its time.'
            : 'Sent back to your agency with your comment.',
        );
      } catch (err) {
        if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
        setFlash(c, 'error', err.message);
      }
      return redirectTo(c, '/portal/posts');
    });

    /** Every member of the group that waits for this client, each through the same action as one post. */
    app.post(`/portal/groups/:id/${action}`, async (c) => {
      const form = await c.req.parseBody();
      const comment = typeof form.comment === 'string' && form.comment.trim() ? form.comment.trim() : undefined;
      const members = repos.posts
        .list({ clientId: clientId(c), status: ['pending_approval'], limit: 200 })
        .data.filter((p) => p.groupId === c.req.param('id'));
      let done = 0;
      const problems: string[] = [];
      for (const member of members) {
        try {
          services.posts.act(member.id, action, c.var.actor, { scope: { clientId: clientId(c) }, comment });
          done++;
        } catch (err) {
          if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
          problems.push(err.message);
        }
      }
      if (problems.length) setFlash(c, 'error', [...new Set(problems)].join(' '));
      else if (done === 0) setFlash(c, 'error', 'Nothing in this post waits for your approval any more.');
      else
        setFlash(
          c,
          'ok',
          action === 'approve'
            ? `Approved for ${done} account${done === 1 ? '' : 's'}: each will be published at its time.`
            : 'Sent back to your agency with your comment.',
        );
      return redirectTo(c, '/portal/posts');
    });
  }

  // The portal's own client only: the client comes from the session, never from the URL.
  app.get('/portal/results', (c) => {
    const client = c.var.session!.client!;
    const { node, status } = clientResultsBody(c, deps, client, { action: '/portal/results', admin: false });
    return render(c, <PortalResultsPage portal={portal(c)}>{node}</PortalResultsPage>, status);
  });

  app.post('/portal/logout', (c) => {
    services.auth.destroySession(readSessionCookie(c, deps, 'portal'));
    clearSessionCookie(c, deps, 'portal');
    return render(c, <ErrorPage status={200} title="Signed out" message="Open your invite link again to come back." />);
  });

  return app;
}
