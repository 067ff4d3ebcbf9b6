import { type GraphParams, graphError, graphTime, paginate, selectFields, str } from './meta-graph.js';

/**
 * Comments on Facebook Page objects and Instagram media, kept with their parent, author and time
 * (docs/platforms/meta.md#first-comments). Only what a first comment needs: create, and list back
 * with the author so a reconciliation by author and text works.
 */
export interface FakeComment {
  id: string;
  /** The object it hangs on: a `{page}_{post}` id, a photo or video id, or an IG media id. */
  parentId: string;
  network: 'facebook' | 'instagram';
  /** Page id (Facebook) or IG user id; null for a third party whose author Graph withholds. */
  fromId: string | null;
  fromName: string;
  message: string;
  createdAt: number;
}

export class CommentStore {
  readonly all: FakeComment[] = [];
  /**
   * The next `n` comment POSTs create their comment and never answer (the process that sent them
   * is killed while it waits: docs/platforms/meta.md#first-comments).
   */
  holdAnswers = 0;
  private seq = 0;

  constructor(private readonly now: () => number) {}

  /** Comments on one parent (or all of them). */
  on(parentId?: string): FakeComment[] {
    return parentId === undefined ? this.all : this.all.filter((c) => c.parentId === parentId);
  }

  add(init: Omit<FakeComment, 'id' | 'createdAt'>): FakeComment {
    this.seq += 1;
    // Facebook comment ids are `{post-object-id}_{comment-id}` (without the Page prefix); IG ones plain numbers.
    const objectPart = init.parentId.includes('_') ? init.parentId.split('_')[1] : init.parentId;
    const id =
      init.network === 'facebook' ? `${objectPart}_${9000 + this.seq}` : `1787${String(this.seq).padStart(13, '0')}`;
    const comment = { ...init, id, createdAt: this.now() };
    this.all.push(comment);
    return comment;
  }

  /** The text a Facebook comment POST carries: one of the five content parameters is required. */
  facebookMessage(p: GraphParams): string {
    const content = ['message', 'attachment_url', 'attachment_id', 'attachment_share_url', 'source'];
    if (!content.some((name) => str(p, name) !== undefined || p.files.has(name)))
      throw graphError(100, '(#100) Missing message or attachment');
    return str(p, 'message') ?? '';
  }

  /** `GET /{object-id}/comments` on Facebook: top level, chronological unless asked otherwise. */
  facebookList(parentId: string, query: Record<string, string>, selfUrl: string): unknown {
    let items = this.on(parentId);
    if (query.order === 'reverse_chronological') items = [...items].reverse();
    const rows = items.map((c) =>
      selectFields(
        'Comment',
        {
          id: () => c.id,
          message: () => c.message,
          created_time: () => graphTime(c.createdAt),
          from: () => (c.fromId ? { id: c.fromId, name: c.fromName } : undefined),
        },
        query.fields,
        ['created_time', 'from', 'message', 'id'],
      ),
    );
    return paginate(rows, query, selfUrl);
  }

  /** `GET /{ig-media-id}/comments`: newest first, at most 50 a page, the body as `text`. */
  instagramList(mediaId: string, query: Record<string, string>, selfUrl: string): unknown {
    const rows = [...this.on(mediaId)].reverse().map((c) =>
      selectFields(
        'IGComment',
        {
          id: () => c.id,
          text: () => c.message,
          timestamp: () => graphTime(c.createdAt),
          username: () => c.fromName,
          from: () => (c.fromId ? { id: c.fromId, username: c.fromName } : undefined),
        },
        query.fields,
        ['timestamp', 'text', 'id'],
      ),
    );
    const limit = String(Math.min(Number(query.limit ?? 25) || 25, 50));
    return paginate(rows, { ...query, limit }, selfUrl);
  }
}
