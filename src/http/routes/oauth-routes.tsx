import { Hono, type Context } from 'hono';
import { SYSTEM, type Actor } from '../../domain/actor.js';
import { sha256 } from '../../lib/crypto.js';
import {
  ConnectError,
  type ConnectedAccount,
  type ConnectResult,
  type Connector,
  type FormRedirect,
} from '../../platforms/types.js';
import { moduleLogger } from '../../log.js';
import { OAuthStateError } from '../../services/oauth-service.js';
import { ConnectResultPage, type ConnectOutcome } from '../../../views/pages/connect-result.js';
import type { AppDeps, AppEnv } from '../context.js';
import { render } from '../render.js';
import { readSessionCookie } from '../session.js';

/**
 * Connecting accounts: a POST to `/auth/<network>/start` (the connect button's form) sends the
 * browser to the vendor's consent page for the client of the current portal session (or, for an
 * admin, `?clientId=`);
 * `/auth/<…>/callback` checks the single-use state against this browser's session, then connects
 * every account the person granted.
 */
export function oauthRoutes(deps: AppDeps) {
  const { services, config } = deps;
  const app = new Hono<AppEnv>();
  /** A registered network that connects through an OAuth redirect. */
  const isOAuth = (id: string) => deps.networks.network(id)?.descriptor.connect.oauth !== undefined;

  /** The sessions this browser holds: a portal one, an admin one, or both. */
  function sessions(c: Context<AppEnv>) {
    const portalCookie = readSessionCookie(c, deps, 'portal');
    const adminCookie = readSessionCookie(c, deps, 'admin');
    const portal = services.auth.resolveSession(portalCookie);
    const admin = services.auth.resolveSession(adminCookie);
    return {
      portal: portal?.client && portalCookie ? { client: portal.client, idHash: sha256(portalCookie) } : null,
      admin:
        admin?.admin && admin.access && adminCookie
          ? {
              idHash: sha256(adminCookie),
              actor: { kind: 'admin', id: admin.admin.id, email: admin.admin.email, access: admin.access } as Actor,
            }
          : null,
    };
  }

  /** Who connects: the portal's client when the flow returns there, else the signed-in member (the audit trail). */
  function connectingActor(c: Context<AppEnv>, returnTo: string): Actor {
    const { portal, admin } = sessions(c);
    if (returnTo.startsWith('/portal')) return portal ? { kind: 'client', clientId: portal.client.id } : SYSTEM;
    return admin?.actor ?? SYSTEM;
  }

  function page(c: Context<AppEnv>, outcome: ConnectOutcome, status: 200 | 400 | 401 | 403 | 503 = 200) {
    return render(c, <ConnectResultPage outcome={outcome} />, status);
  }

  function failure(
    title: string,
    message: string,
    backTo: string,
    extra: Partial<ConnectOutcome> = {},
  ): ConnectOutcome {
    return {
      ok: false,
      title,
      message,
      connected: [],
      warnings: [],
      missing: [],
      help: [],
      backTo,
      backLabel: 'Back',
      ...extra,
    };
  }

  // A GET never starts a connection: a link on any site could otherwise send a signed-in admin
  // (or a client) to the vendor with a client of the link's choosing.
  app.get('/auth/:connector/start', (c) => {
    const id = c.req.param('connector');
    if (!isOAuth(id)) return c.notFound() as Response;
    const message = 'Connecting accounts starts from the connect button in Herald.';
    return page(c, failure('Start from Herald', message, '/'), 403);
  });

  /**
   * Whose connection this is: the portal's client (no `clientId`), or for an admin the client
   * named by `?clientId=`. Null when the browser holds neither.
   */
  function connectContext(c: Context<AppEnv>) {
    const session = c.var.session;
    const requested = c.req.query('clientId');
    if (session?.admin && requested) {
      const client = services.clients.get(requested);
      return { clientId: client.id, sessionIdHash: session.session.idHash, returnTo: `/clients/${client.id}` };
    }
    if (session?.client && requested === undefined)
      return { clientId: session.client.id, sessionIdHash: session.session.idHash, returnTo: '/portal' };
    return null;
  }

  const noContext = (c: Context<AppEnv>) =>
    page(
      c,
      failure('Please open your invite link again', 'Connecting accounts needs the link your agency sent you.', '/'),
      401,
    );

  /** The network is registered but this server has no connector for it (its credentials are not set). */
  function notAvailable(c: Context<AppEnv>, id: string, returnTo: string) {
    const { label, setup } = deps.networks.network(id)!.descriptor;
    const message = c.var.session?.admin
      ? `This server is not set up to connect ${label}: ${setup}.`
      : 'Your agency has not set this up yet.';
    return page(c, failure('Not available yet', message, returnTo), 503);
  }

  /**
   * The page after a connection: what was connected, or the connector's words for what went wrong;
   * a form that continues at the vendor's consent page sends the browser there.
   */
  async function finish(
    c: Context<AppEnv>,
    id: string,
    connector: Connector,
    flow: { clientId: string; returnTo: string },
    connect: () => Promise<ConnectResult | FormRedirect>,
  ) {
    const backLabel = flow.returnTo === '/portal' ? 'Back to your accounts' : 'Back to the client';
    try {
      const result = await connect();
      if ('redirectTo' in result) return c.redirect(result.redirectTo, 303);
      const connected = connectAll(deps, flow.clientId, result.accounts, connectingActor(c, flow.returnTo));
      moduleLogger(c.var.log, 'oauth').info(
        { connector: id, clientId: flow.clientId, accounts: connected.length },
        'accounts connected',
      );
      return page(c, {
        ok: true,
        title: connected.length ? 'Connected' : 'Nothing connected',
        message: connected.length
          ? `These ${connector.label} accounts are connected:`
          : `${connector.label} did not share any account Herald can publish to.`,
        connected,
        warnings: [...result.warnings],
        missing: [],
        help: [],
        backTo: flow.returnTo,
        backLabel,
      });
    } catch (err) {
      if (!(err instanceof ConnectError)) {
        moduleLogger(c.var.log, 'oauth').error({ connector: id, err }, 'connecting failed');
        return page(
          c,
          failure(
            'That did not work',
            `${connector.label} did not complete the connection. ` +
              'Try again in a minute; if it keeps failing, tell your agency.',
            flow.returnTo,
            { backLabel },
          ),
          400,
        );
      }
      const title =
        err.reason === 'denied'
          ? 'Not connected'
          : err.reason === 'missing_permissions'
            ? 'Some permissions are missing'
            : 'Nothing connected';
      return page(
        c,
        failure(title, err.message, flow.returnTo, {
          missing: [...(err.details.missing ?? [])],
          help: [...(err.details.help ?? [])],
          backLabel,
        }),
        400,
      );
    }
  }

  // The connect buttons are forms that post here with the session's CSRF token, checked (with
  // the Origin) by the CSRF middleware against the session the form belongs to: the portal's
  // without `clientId`, the admin's with it.
  app.post('/auth/:connector/start', async (c) => {
    const id = c.req.param('connector');
    if (!isOAuth(id)) return c.notFound() as Response;
    const context = connectContext(c);
    if (!context) return noContext(c);
    const connector = deps.connectors.find((x) => x.id === id);
    if (!connector?.authorizationUrl) return notAvailable(c, id, context.returnTo);
    // A further connect button of the connection (docs/adding-a-network.md#connecting).
    const entry = c.req.query('entry');
    const entries = deps.networks.network(id)?.descriptor.connect.oauth?.entries ?? [];
    if (entry !== undefined && !entries.some((e) => e.key === entry)) return c.notFound() as Response;
    const { state, codeVerifier } = services.oauth.start({ connector: id, ...context });
    const redirectUri = `${config.publicUrl}/auth/${id}/callback`;
    return c.redirect(
      await connector.authorizationUrl({ state, codeVerifier, redirectUri, ...(entry ? { entry } : {}) }),
      303,
    );
  });

  // A form-kind connection (Bluesky's handle and app password): the portal's or the client page's
  // form posts the descriptor's fields here, with the session's CSRF token like the connect buttons.
  app.post('/auth/:connector/form', async (c) => {
    const id = c.req.param('connector');
    const form = deps.networks.network(id)?.descriptor.connect.form;
    if (!form) return c.notFound() as Response;
    const context = connectContext(c);
    if (!context) return noContext(c);
    const connector = deps.connectors.find((x) => x.id === id);
    if (!connector?.connectWithForm) return notAvailable(c, id, context.returnTo);
    const body = await c.req.parseBody();
    const values = Object.fromEntries(
      form.fields.map((f) => {
        const value = body[f.name];
        return [f.name, typeof value === 'string' ? value.trim() : ''];
      }),
    );
    // A form may only find where to authorize (a Mastodon instance): it then asks for an OAuth
    // state like /auth/<id>/start makes, and answers with the consent page to send the browser to.
    const authorization = () => {
      const { state, codeVerifier } = services.oauth.start({ connector: id, ...context });
      return { state, codeVerifier, redirectUri: `${config.publicUrl}/auth/${id}/callback` };
    };
    return finish(c, id, connector, context, () =>
      connector.connectWithForm!(values, { signal: AbortSignal.timeout(60_000), authorization }),
    );
  });

  app.get('/auth/:connector/callback', async (c) => {
    const id = c.req.param('connector');
    const connector = deps.connectors.find((x) => x.id === id);
    // A form connection that continued at the vendor's consent page comes back here too.
    const network = deps.networks.network(id)?.descriptor.connect;
    if (!(network?.oauth || network?.form) || !connector?.complete) return c.notFound() as Response;
    const { portal, admin } = sessions(c);
    const query = new URL(c.req.url).searchParams;
    let flow: { clientId: string; codeVerifier: string; returnTo: string };
    try {
      flow = services.oauth.consume({
        state: query.get('state') ?? '',
        connector: id,
        sessionIdHashes: [portal?.idHash, admin?.idHash].filter((x): x is string => Boolean(x)),
      });
    } catch (err) {
      if (!(err instanceof OAuthStateError)) throw err;
      return page(c, failure('That did not work', err.message, portal ? '/portal' : '/'), 400);
    }
    // The vendor redirects to PUBLIC_URL; behind a proxy the request URL may differ, so the
    // callback URL the token exchange sees is rebuilt from PUBLIC_URL (docs/operations.md#behind-a-reverse-proxy).
    const callbackUrl = new URL(`${config.publicUrl}/auth/${id}/callback${new URL(c.req.url).search}`);
    return finish(c, id, connector, flow, () =>
      connector.complete!(callbackUrl, {
        state: query.get('state') ?? '',
        codeVerifier: flow.codeVerifier,
        redirectUri: `${config.publicUrl}/auth/${id}/callback`,
      }),
    );
  });

  return app;
}

/** Stores what a connector found; parents first, so child accounts (Instagram) can point at theirs (a Page). */
function connectAll(deps: AppDeps, clientId: string, found: readonly ConnectedAccount[], actor: Actor) {
  const ordered = [...found].sort((a, b) => Number(Boolean(a.parentExternalId)) - Number(Boolean(b.parentExternalId)));
  const byExternal = new Map<string, string>();
  return ordered.map((a) => {
    const row = deps.services.accounts.connect(
      {
        clientId,
        platform: a.platform,
        externalId: a.externalId,
        name: a.name,
        username: a.username ?? null,
        accessToken: a.accessToken,
        refreshToken: a.refreshToken ?? null,
        tokenExpiresAt: a.tokenExpiresAt,
        refreshExpiresAt: a.refreshExpiresAt ?? null,
        scopes: a.scopes,
        parentAccountId: a.parentExternalId ? (byExternal.get(a.parentExternalId) ?? null) : null,
        platformData: a.platformData ?? {},
      },
      actor,
    );
    byExternal.set(a.externalId, row.id);
    return {
      platform: row.platform,
      name: row.username && row.username !== row.name ? `${row.name} (@${row.username})` : row.name,
    };
  });
}
