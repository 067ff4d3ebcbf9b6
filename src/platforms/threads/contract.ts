// The shared platform contract (../types.ts) with Threads' own id. The shared platform-id union
// does not name Threads until the network registry lists it; these shapes are the shared ones
// with that one field widened, so the connector and publisher already fit the registry.
import type {
  AttemptContext,
  ConnectedAccount,
  Connector,
  LookupResult,
  PublishAccount,
  PublishResult,
  RefreshAccount,
} from '../types.js';

export const THREADS_PLATFORM = 'threads' as const;

type Widen<T> = Omit<T, 'platform'> & { readonly platform: string };

export type ThreadsAttemptContext = Omit<AttemptContext, 'account'> & { readonly account: Widen<PublishAccount> };
export type ThreadsRefreshAccount = Widen<RefreshAccount>;
export type ThreadsConnectedAccount = Omit<ConnectedAccount, 'platform'> & {
  readonly platform: typeof THREADS_PLATFORM;
};

export interface ThreadsConnectResult {
  readonly accounts: readonly ThreadsConnectedAccount[];
  readonly warnings: readonly string[];
}

export interface ThreadsConnectorContract extends Omit<Connector, 'id' | 'platforms' | 'complete' | 'refresh'> {
  readonly id: typeof THREADS_PLATFORM;
  readonly platforms: readonly (typeof THREADS_PLATFORM)[];
  complete(...args: Parameters<Connector['complete']>): Promise<ThreadsConnectResult>;
  refresh(
    account: ThreadsRefreshAccount,
    options: Parameters<Connector['refresh']>[1],
  ): ReturnType<Connector['refresh']>;
}

export interface ThreadsPublisherContract {
  readonly platform: typeof THREADS_PLATFORM;
  prepare(ctx: ThreadsAttemptContext): Promise<void>;
  send(ctx: ThreadsAttemptContext): Promise<void>;
  confirm(ctx: ThreadsAttemptContext): Promise<PublishResult>;
  lookup(ctx: ThreadsAttemptContext): Promise<LookupResult>;
}
