import { randomUUID } from 'node:crypto';
import { seedClient, type TestHerald } from './herald.js';
import { makeImage } from './media-fixtures.js';

const HOUR = 3_600_000;

/**
 * A client with three accounts that take a post group's simple members: a Facebook Page, an
 * Instagram account (its members get `image`, Instagram wants media) and a second Facebook Page.
 */
export async function seedGroupClient(t: TestHerald, name: string) {
  const s = seedClient(t, { name });
  const second = t.herald.services.accounts.connect({
    clientId: s.client.id,
    platform: 'facebook',
    externalId: `fb2-${s.client.id}`,
    name: 'Acme Second Page',
    accessToken: 'token-second',
    refreshToken: null,
    tokenExpiresAt: null,
    scopes: [],
  });
  const image = await t.herald.services.media.ingest([await makeImage(1080, 1080)], { clientId: s.client.id });
  return { ...s, second, image: image.id, accounts: [s.facebook, s.instagram, second] };
}

/**
 * A post group as the composer writes one: a post per account through the posts service (drafts
 * unless `status` says otherwise), linked by `posts.group_id` to a `post_groups` row with the shared
 * caption. `hours[i]` is member i's time from now (the group's own time is the first).
 */
export function seedGroup(
  t: TestHerald,
  accounts: ReadonlyArray<{ id: string; clientId: string; platform: string }>,
  options: {
    caption?: string;
    hours: number | readonly number[];
    status?: 'draft' | 'scheduled';
    now?: number;
    /** Media for the Instagram members. */
    image?: string;
  },
): { id: string; postIds: string[] } {
  const now = options.now ?? Date.now();
  const caption = options.caption ?? 'Shared idea';
  const hours = typeof options.hours === 'number' ? accounts.map(() => options.hours as number) : options.hours;
  const id = `grp_${randomUUID().replace(/-/g, '')}`;
  const sqlite = t.herald.database.sqlite;
  sqlite
    .prepare(
      'INSERT INTO post_groups (id, client_id, caption, scheduled_at, created_at, updated_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?)',
    )
    .run(id, accounts[0]!.clientId, caption, now + hours[0]! * HOUR, now, now);
  const postIds = accounts.map((account, i) => {
    const post = t.herald.services.posts.create(
      {
        accountId: account.id,
        caption: `${caption} (${i + 1})`,
        scheduledAt: new Date(now + hours[i]! * HOUR).toISOString(),
        status: options.status ?? 'draft',
        mediaIds: account.platform === 'instagram' && options.image ? [options.image] : [],
      },
      { kind: 'system' },
    );
    sqlite.prepare('UPDATE posts SET group_id = ? WHERE id = ?').run(id, post.id);
    return post.id;
  });
  return { id, postIds };
}

/** A label of the agency, put on the given posts. */
export function seedLabel(t: TestHerald, name: string, color: string, postIds: readonly string[]): string {
  const id = `lbl_${randomUUID().replace(/-/g, '')}`;
  const now = Date.now();
  t.herald.repos.labels.insert({ id, name, color, createdAt: now, updatedAt: now });
  for (const postId of postIds)
    t.herald.repos.labels.setForPost(postId, [...(t.herald.repos.labels.ofPosts([postId]).get(postId) ?? []), id]);
  return id;
}
