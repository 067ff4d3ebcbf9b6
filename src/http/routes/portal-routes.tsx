import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HeraldError, NotFoundError } from '../../domain/errors.js';
import { InviteUsed } from '../../services/auth-service.js';
import type { PostAction } from '../../services/posts-service.js';
import { ErrorPage } from '../../../views/pages/error.js';
import { PortalHomePage } from '../../../views/pages/portal-home.js';
import { PortalPostsPage } from '../../../views/pages/portal-posts.js';
import { PortalResultsPage } from '../../../views/pages/results.js';
import type { PortalContext } from '../../../views/layouts/portal.js';
import type { AppDeps, AppEnv } from '../context.js';
import { render, setFlash, takeFlash } from '../render.js';
import { clearSessionCookie, readSessionCookie, redirectTo, setSessionCookie } from '../session.js';
import { connectChoices } from '../connector-info.js';
import { avatarResponse } from '../avatar-response.js';
import { clientResultsBody } from '../results-page.js';

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
      agencyName: services.settings.agencyName(),
      clientName: client.name,
      csrf: c.var.session!.session.csrfToken,
      flash: takeFlash(c),
      approvals: client.approvalMode === 'client',
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

  app.get('/portal/posts', (c) => {
    const client = c.var.session!.client!;
    const now = clock.now();
    // One query for the posts with their media ids, one for the names, one for the media.
    const pending = repos.posts.list({ clientId: client.id, status: ['pending_approval'], from: now, limit: 50 }).data;
    const media = new Map(repos.media.getMany(pending.flatMap((p) => p.mediaIds)).map((m) => [m.id, m]));
    const withMedia = repos.posts.describe(pending).map((p) => ({
      ...p,
      media: p.mediaIds.flatMap((id) => {
        const m = media.get(id);
        return m ? [{ url: services.media.url(m.key), mime: m.mime, altText: m.altText }] : [];
      }),
    }));
    const upcoming = repos.posts.listDetailed({
      clientId: client.id,
      status: ['scheduled'],
      from: now,
      limit: 30,
    }).data;
    return render(
      c,
      <PortalPostsPage portal={portal(c)} pending={withMedia} upcoming={upcoming} timezone={client.timezone} />,
    );
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
