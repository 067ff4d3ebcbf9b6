import type {
  AccountDayReading,
  InsightsAccount,
  InsightsCallContext,
  InsightsPost,
  InsightsReader,
  InsightsResult,
  PostReading,
  RefusedMetric,
} from '../../src/platforms/insights.js';
import type { NetworkDescriptor } from '../../src/platforms/network.js';
import type { Connector, Publisher } from '../../src/platforms/types.js';

/** One call a scripted reader was given. */
export interface ReaderCall {
  kind: 'posts' | 'days';
  accountId: string;
  postIds: string[];
  externalIds: string[];
  days: string[];
  refused: string[];
}

/**
 * A results reader whose answers a test writes: views grow with each call, and `script` decides
 * per call what else happens (a refused metric, a gone post, a thrown error, a hang).
 */
export class ScriptedReader implements InsightsReader {
  readonly platform = 'board';
  batchSize = 2;
  calls: ReaderCall[] = [];
  usages = new Map<string, number>();
  /** Runs before each answer: throw to fail the call, or return refusals / gone external ids. */
  script: (
    call: ReaderCall,
    signal: AbortSignal,
  ) => Promise<{ refused?: RefusedMetric[]; gone?: string[] } | undefined> = async () => undefined;

  async postMetrics(
    account: InsightsAccount,
    posts: readonly InsightsPost[],
    ctx: InsightsCallContext,
  ): Promise<InsightsResult<PostReading>> {
    const call: ReaderCall = {
      kind: 'posts',
      accountId: account.id,
      postIds: posts.map((p) => p.postId),
      externalIds: posts.map((p) => p.externalId),
      days: [],
      refused: [...ctx.refused],
    };
    this.calls.push(call);
    const extra = (await this.script(call, ctx.signal)) ?? {};
    const views = 100 * this.calls.filter((c) => c.kind === 'posts').length;
    return {
      refused: extra.refused ?? [],
      readings: posts.map(
        (p): PostReading =>
          extra.gone?.includes(p.externalId)
            ? { postId: p.postId, values: {}, raw: {}, gone: 'The post was deleted on the network.' }
            : {
                postId: p.postId,
                values: { views, likes: 7, comments: 2, reach: null },
                raw: { board_views: views, board_likes: 7 },
              },
      ),
    };
  }

  async accountMetrics(
    account: InsightsAccount,
    days: readonly string[],
    ctx: InsightsCallContext,
  ): Promise<InsightsResult<AccountDayReading>> {
    const call: ReaderCall = {
      kind: 'days',
      accountId: account.id,
      postIds: [],
      externalIds: [],
      days: [...days],
      refused: [...ctx.refused],
    };
    this.calls.push(call);
    const extra = (await this.script(call, ctx.signal)) ?? {};
    return {
      refused: extra.refused ?? [],
      readings: days.map((day, i) => ({ day, values: { followers: 500 + i, views: 40 }, raw: { fans: 500 + i } })),
    };
  }

  usage(account: InsightsAccount): number | null {
    return this.usages.get(account.id) ?? null;
  }
}

const connector: Connector = {
  id: 'board',
  label: 'Board',
  platforms: ['board'],
  async refresh() {
    return null;
  },
};

/** A test network ("Board") that publishes nothing and reads results through `reader`. */
export function boardNetwork(reader: ScriptedReader, publishers: readonly Publisher[] = []): NetworkDescriptor {
  return {
    id: 'board',
    label: 'Board',
    description: 'A board that reports results.',
    connect: { oauth: { consoleName: 'Board return address' } },
    config: { env: {}, read: () => ({}), configured: () => true, summary: () => 'ready' },
    setup: 'nothing to set',
    platforms: [
      {
        id: 'board',
        label: 'Board',
        limits: { characters: 500, hashtags: null, mentions: null, countsUtf16: false },
        media: { images: true, videos: true },
        check: () => null,
        insights: { scopes: [{ scope: 'board.stats', why: 'to read how posts did' }] },
        ai: { style: 'Short.', hashtags: 0, image: { width: 800, height: 800, aspect: '1:1' }, needsImage: false },
      },
    ],
    create: () => ({ connector, publishers, insights: [reader] }),
  };
}
