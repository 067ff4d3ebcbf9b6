import { FakeServer } from './fake-server.js';

export interface PlatformPost {
  id: string;
  key: string;
  text: string;
  at: number;
}

/**
 * A minimal social platform for engine tests: `POST /publish` creates a post (not idempotent,
 * like the real ones), `GET /posts?key=` finds posts by our post id, `POST /prepare` is the
 * pre-send call where faults are safe. Every accepted publish is kept, so duplicates show.
 */
export class FakePlatform extends FakeServer {
  readonly posts: PlatformPost[] = [];
  latencyMs: number;
  private seq = 0;

  constructor(options: { latencyMs?: number } = {}) {
    super('platform');
    this.latencyMs = options.latencyMs ?? 0;
    this.route('POST', /^\/prepare$/, async () => {
      await this.pause();
      return { json: { ok: true } };
    });
    this.route('POST', /^\/publish$/, async (req) => {
      await this.pause();
      const body = req.body as { key?: string; text?: string };
      if (!body.key) return { status: 400, json: { error: 'key is required' } };
      const post = { id: `pp_${++this.seq}`, key: body.key, text: body.text ?? '', at: Date.now() };
      this.posts.push(post);
      return { json: { id: post.id } };
    });
    this.route('GET', /^\/posts$/, (req) => ({ json: { data: this.posts.filter((p) => p.key === req.query.key) } }));
  }

  private pause(): Promise<void> {
    return this.latencyMs ? new Promise((r) => setTimeout(r, this.latencyMs)) : Promise.resolve();
  }

  /** How many times each of our posts was published. */
  publishCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const p of this.posts) counts.set(p.key, (counts.get(p.key) ?? 0) + 1);
    return counts;
  }

  duplicates(): string[] {
    return [...this.publishCounts()].filter(([, n]) => n > 1).map(([k]) => k);
  }
}
