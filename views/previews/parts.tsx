import type { Child } from 'hono/jsx';
import type { Surface } from '../../src/domain/composer.js';
import { cropRatio } from './preview-spec.js';

/** One image or video of a post, as a preview shows it (URLs built by the route; views do no I/O). */
export interface PreviewMedia {
  readonly id: string;
  readonly url: string;
  readonly mime: string;
  readonly altText: string;
  readonly width: number | null;
  readonly height: number | null;
  /** A video's first frame (or its thumbnail), when one was made. */
  readonly posterUrl: string | null;
  /** none · made · no_ffmpeg · failed (media.poster_status). */
  readonly posterStatus: string;
}

/** A page's OpenGraph tags, for Facebook's link card. */
export interface LinkCardData {
  readonly url: string;
  readonly title: string | null;
  readonly description: string | null;
  readonly imageUrl: string | null;
  readonly siteName: string | null;
}

/** Everything one preview card shows. */
export interface PreviewData {
  readonly platform: string;
  readonly platformLabel: string;
  readonly surface: Surface;
  readonly accountName: string;
  readonly avatarUrl: string;
  readonly caption: string;
  readonly firstComment: string;
  readonly media: readonly PreviewMedia[];
  readonly link: LinkCardData | null;
}

export function Avatar({ data, size = 32 }: { data: PreviewData; size?: number }) {
  return <img class="pv-avatar" src={data.avatarUrl} alt="" width={String(size)} height={String(size)} />;
}

/** The account's picture and name, with whatever the network puts beside it. */
export function Head({ data, children }: { data: PreviewData; children?: Child }) {
  return (
    <header class="pv-head">
      <Avatar data={data} />
      <span class="pv-name">
        <bdi>{data.accountName}</bdi>
        {children ? <small class="pv-sub">{children}</small> : null}
      </span>
    </header>
  );
}

function isVideo(m: PreviewMedia): boolean {
  return m.mime.startsWith('video/');
}

/** One image, or a video's poster with a play badge (or a note where no poster could be made). */
function Frame({ platform, surface, m }: { platform: string; surface: Surface; m: PreviewMedia }) {
  const ratio = cropRatio(platform, surface, m);
  if (!isVideo(m))
    return (
      <figure class="pv-frame" data-ratio={ratio}>
        <img src={m.url} alt={m.altText} loading="lazy" />
      </figure>
    );
  return (
    <figure class="pv-frame pv-video" data-ratio={ratio}>
      {m.posterUrl ? (
        <img src={m.posterUrl} alt={m.altText} loading="lazy" />
      ) : (
        <span class="pv-noposter">
          {m.posterStatus === 'no_ffmpeg' ? 'no poster (ffmpeg not installed)' : 'video (no poster yet)'}
        </span>
      )}
      <span class="pv-play" role="img" aria-label="video">
        ▶
      </span>
    </figure>
  );
}

/** The post's media: one frame, or a carousel as a strip with its count. */
export function Media({ data }: { data: PreviewData }) {
  const { media, platform, surface } = data;
  if (media.length === 0) return null;
  if (media.length === 1) return <Frame platform={platform} surface={surface} m={media[0]!} />;
  return (
    <div class="pv-strip" data-count={String(media.length)}>
      <span class="pv-count">1/{media.length}</span>
      {media.map((m) => (
        <Frame platform={platform} surface={surface} m={m} />
      ))}
    </div>
  );
}

/**
 * A link card from the page's OpenGraph tags. Its image is another site's: shown only over https
 * and without a referrer, so the page being written is not announced to that site.
 */
export function LinkCard({ link }: { link: LinkCardData }) {
  const host = URL.canParse(link.url) ? new URL(link.url).hostname : link.url;
  const image = link.imageUrl?.startsWith('https://') ? link.imageUrl : null;
  return (
    <div class="pv-linkcard">
      {image ? (
        <figure class="pv-frame" data-ratio="1.91-1">
          <img src={image} alt="" referrerpolicy="no-referrer" loading="lazy" />
        </figure>
      ) : null}
      <div class="pv-linkcard-text">
        <small class="pv-site">{(link.siteName || host).toUpperCase()}</small>
        <strong dir="auto">{link.title || host}</strong>
        {link.description ? <span dir="auto">{link.description}</span> : null}
      </div>
    </div>
  );
}

/** A full-screen Story frame: the media full-bleed, the account over it, no caption. */
export function StoryFrame({ data }: { data: PreviewData }) {
  const m = data.media[0];
  return (
    <div class="pv-story">
      <div class="pv-story-bar" />
      <Head data={data} />
      {m ? <Media data={{ ...data, media: [m] }} /> : <span class="pv-empty">Add an image or video</span>}
    </div>
  );
}

export function NoMedia({ what }: { what: string }) {
  return <p class="pv-empty">{what}</p>;
}
