import type { FC } from 'hono/jsx';
import { BlueskyPreview } from './bluesky.js';
import { FacebookPreview } from './facebook.js';
import { GenericPreview } from './generic.js';
import { GoogleBusinessPreview } from './google-business.js';
import { InstagramPreview } from './instagram.js';
import { LinkedInPreview } from './linkedin.js';
import { MastodonPreview } from './mastodon.js';
import type { PreviewData } from './parts.js';
import { PinterestPreview } from './pinterest.js';
import { ThreadsPreview } from './threads.js';
import { TikTokPreview } from './tiktok.js';
import { XPreview } from './x.js';
import { YouTubePreview } from './youtube.js';

const BY_PLATFORM: Readonly<Record<string, FC<{ data: PreviewData }>>> = {
  facebook: FacebookPreview,
  instagram: InstagramPreview,
  tiktok: TikTokPreview,
  linkedin: LinkedInPreview,
  threads: ThreadsPreview,
  x: XPreview,
  bluesky: BlueskyPreview,
  mastodon: MastodonPreview,
  pinterest: PinterestPreview,
  youtube: YouTubePreview,
  google_business: GoogleBusinessPreview,
};

/**
 * How a post will look on its network: a card in the network's manner (not a copy of its design),
 * labelled with the network and surface so nobody mistakes it for a screenshot.
 */
export function Preview({ data, surfaceLabel }: { data: PreviewData; surfaceLabel?: string }) {
  const Body = BY_PLATFORM[data.platform] ?? GenericPreview;
  return (
    <article class={`pv pv-${data.platform}`} data-platform={data.platform} data-surface={data.surface}>
      <small class="pv-label">
        Preview · {data.platformLabel}
        {data.surface !== 'feed' ? ` ${surfaceLabel ?? data.surface}` : ''}
      </small>
      <Body data={data} />
    </article>
  );
}

export type { LinkCardData, PreviewData, PreviewMedia } from './parts.js';
