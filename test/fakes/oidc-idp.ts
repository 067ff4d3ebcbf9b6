import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';

export interface IdpUser {
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

/**
 * A real OpenID Connect provider (oidc-provider) on a loopback port, for admin single sign-on.
 * Its login page is replaced by `signInAs`: the next interaction signs in that user (or refuses,
 * with `null`), and consent is granted up front as a first-party provider would.
 */
export class TestIdp {
  readonly users = new Map<string, IdpUser>();
  /** Who the next sign-in is; null answers the client with access_denied. */
  signInAs: string | null = null;
  private server: Server | null = null;
  private provider: Provider | null = null;
  url = '';

  constructor(readonly client: { clientId: string; clientSecret: string; redirectUri: string }) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/interaction/'))
        return void this.interaction(req, res).catch((err: Error) => {
          res.statusCode = 500;
          res.end(err.message);
        });
      this.provider!.callback()(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const users = this.users;
    this.provider = new Provider(this.url, {
      clients: [
        {
          client_id: this.client.clientId,
          client_secret: this.client.clientSecret,
          redirect_uris: [this.client.redirectUri],
          response_types: ['code'],
          grant_types: ['authorization_code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      pkce: { required: () => true },
      // Its own keys, store and lifetimes, so the provider has nothing to warn about.
      jwks: {
        keys: [
          {
            ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
            kid: 'test',
            use: 'sig',
            alg: 'RS256',
          },
        ] as never,
      },
      adapter: MemoryAdapter,
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      features: { devInteractions: { enabled: false } },
      cookies: { keys: ['test-idp-cookie-key'] },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, id) => {
        const user = users.get(id);
        if (!user) return undefined;
        return {
          accountId: id,
          claims: () => ({
            sub: id,
            ...(user.email !== undefined ? { email: user.email, email_verified: user.emailVerified ?? false } : {}),
            name: user.name ?? id,
          }),
        };
      },
      // First-party client: consent is implied, as at an agency's own provider.
      loadExistingGrant: async (ctx) => {
        const grant = new ctx.oidc.provider.Grant({
          clientId: ctx.oidc.client!.clientId,
          accountId: ctx.oidc.session!.accountId!,
        });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
    });
    this.server = server;
    return this.url;
  }

  private async interaction(
    req: Parameters<Provider['interactionDetails']>[0],
    res: Parameters<Provider['interactionDetails']>[1],
  ): Promise<void> {
    const provider = this.provider!;
    await provider.interactionDetails(req, res);
    const result =
      this.signInAs === null
        ? { error: 'access_denied', error_description: 'The user cancelled the sign-in' }
        : { login: { accountId: this.signInAs } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}

/** The provider's storage: one Map per model, in this process. */
class MemoryAdapter implements Adapter {
  private static readonly stores = new Map<string, Map<string, AdapterPayload>>();
  private readonly store: Map<string, AdapterPayload>;

  constructor(name: string) {
    this.store = MemoryAdapter.stores.get(name) ?? new Map();
    MemoryAdapter.stores.set(name, this.store);
  }

  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    this.store.set(id, payload);
  }
  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.store.get(id);
  }
  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return [...this.store.values()].find((p) => p.uid === uid);
  }
  async findByUserCode(code: string): Promise<AdapterPayload | undefined> {
    return [...this.store.values()].find((p) => p.userCode === code);
  }
  async consume(id: string): Promise<void> {
    const payload = this.store.get(id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    this.store.delete(id);
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, p] of this.store) if (p.grantId === grantId) this.store.delete(id);
  }
}
