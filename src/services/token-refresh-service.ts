import type { AccountRow } from '../db/repos/index.js';
import type { Repos } from '../db/repos/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../log.js';
import type { Platform } from '../domain/platform-limits.js';
import type { Networks } from '../platforms/registry.js';
import { PlatformError, type Connector, type RefreshAccount } from '../platforms/types.js';
import type { AccountsService } from './accounts-service.js';
import { REFRESH_POLICY } from '../domain/token-policy.js';

/**
 * Keeps connected accounts' tokens working: a refresh before a publish when the token is about to
 * expire, and the refresh-tokens job for everything else. One refresh per account at a time (TikTok
 * rotates refresh tokens: two concurrent refreshes would disconnect the account), and the new pair
 * is stored in one commit before it is used. A refusal marks the account for reconnecting.
 */
export class TokenRefresher {
  private readonly running = new Map<string, Promise<void>>();
  private readonly connectors = new Map<Platform, Connector>();

  constructor(
    private readonly deps: { repos: Repos; clock: Clock; log: Logger; accounts: AccountsService; networks: Networks },
    connectors: readonly Connector[],
  ) {
    for (const c of connectors) for (const p of c.platforms) this.connectors.set(p, c);
  }

  /** Before publishing: refresh if the access token expires within the hour. */
  async ensureFresh(accountId: string): Promise<void> {
    const account = this.deps.repos.accounts.get(accountId);
    if (!account || account.tokenExpiresAt === null) return;
    if (account.tokenExpiresAt - this.deps.clock.now() > REFRESH_POLICY.beforePublishMs) return;
    await this.refresh(account, false);
  }

  /**
   * The refresh-tokens job: every connected account that is due for a refresh or a check. Stops
   * between accounts once `signal` aborts: a deposed leader must not refresh beside the new one
   * (TikTok rotates refresh tokens).
   */
  async refreshDue(signal?: AbortSignal): Promise<{ refreshed: number; checked: number; failed: number }> {
    const now = this.deps.clock.now();
    const counts = { refreshed: 0, checked: 0, failed: 0 };
    for (const account of this.deps.repos.accounts.listConnected()) {
      signal?.throwIfAborted();
      const accessDue = account.tokenExpiresAt !== null && account.tokenExpiresAt - now < REFRESH_POLICY.accessAheadMs;
      const refreshDue =
        account.refreshExpiresAt !== null && account.refreshExpiresAt - now < REFRESH_POLICY.refreshAheadMs;
      const checkDue = account.lastRefreshedAt === null || now - account.lastRefreshedAt >= REFRESH_POLICY.checkEveryMs;
      if (!accessDue && !refreshDue && !checkDue) continue;
      const outcome = await this.refresh(account, checkDue && !accessDue && !refreshDue).then(
        async () => {
          await this.followPicture(account.id);
          return accessDue || refreshDue ? 'refreshed' : 'checked';
        },
        () => 'failed' as const,
      );
      counts[outcome]++;
    }
    return counts;
  }

  /** Refreshes (or checks) one account now; concurrent calls for one account share one refresh. */
  refresh(account: AccountRow, check: boolean): Promise<void> {
    const existing = this.running.get(account.id);
    if (existing) return existing;
    const run = this.run(account, check).finally(() => this.running.delete(account.id));
    this.running.set(account.id, run);
    return run;
  }

  private async run(account: AccountRow, check: boolean): Promise<void> {
    const connector = this.connectors.get(account.platform);
    if (!connector) return;
    const { accounts, log } = this.deps;
    const input: RefreshAccount = {
      ...accounts.forPlatform(account),
      refreshExpiresAt: account.refreshExpiresAt,
      scopes: account.scopes ? account.scopes.split(',') : [],
      lastRefreshedAt: account.lastRefreshedAt,
    };
    try {
      const fresh = await connector.refresh(input, { check, signal: AbortSignal.timeout(60_000) });
      if (fresh) {
        accounts.storeTokens(account.id, fresh);
        // Children that publish with their parent's token (declared by their platform: an Instagram
        // account and its Page) get the new one too.
        for (const child of this.children(account)) {
          if (!this.deps.networks.platform(child.platform)?.parent?.sharesToken) continue;
          accounts.storeTokens(child.id, { accessToken: fresh.accessToken, tokenExpiresAt: fresh.tokenExpiresAt });
        }
      } else {
        this.deps.repos.accounts.update(account.id, { lastRefreshedAt: this.deps.clock.now() });
      }
    } catch (err) {
      if (err instanceof PlatformError && err.kind === 'auth') {
        accounts.markNeedsReauth(
          account.id,
          `${this.deps.networks.label(account.platform)} no longer accepts this account's access: ${err.message} ` +
            "Reconnect it from the client's portal.",
        );
        const parentLabel = this.deps.networks.label(account.platform);
        for (const child of this.children(account)) {
          accounts.markNeedsReauth(
            child.id,
            `Its ${parentLabel} account ${account.name} must be reconnected: ${err.message}`,
          );
        }
      } else {
        log.warn({ accountId: account.id, err: (err as Error).message }, 'token refresh failed; will try again');
      }
      throw err;
    }
  }

  /**
   * After the job's refresh or check, the picture the vendor gives now, stored when it changed
   * (docs/adding-a-network.md#account-pictures); a failure here never fails the refresh.
   */
  private async followPicture(accountId: string): Promise<void> {
    const row = this.deps.repos.accounts.get(accountId);
    if (row?.status !== 'connected') return;
    const connector = this.connectors.get(row.platform);
    if (!connector?.picture) return;
    try {
      const account = this.deps.accounts.forPlatform(row);
      const url = await connector.picture(account, { signal: AbortSignal.timeout(30_000) });
      if (url !== (account.platformData.avatarUrl ?? null))
        this.deps.accounts.setPlatformData(account.id, { avatarUrl: url });
    } catch (err) {
      this.deps.log.info({ accountId, err: (err as Error).message }, 'account picture not read');
    }
  }

  /** The accounts reached through this one (parent_account_id). */
  private children(account: AccountRow): AccountRow[] {
    return this.deps.repos.accounts.listByClient(account.clientId).filter((a) => a.parentAccountId === account.id);
  }
}
