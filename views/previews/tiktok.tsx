import { Caption } from './caption.js';
import { Media, NoMedia, type PreviewData } from './parts.js';

/** A TikTok in TikTok's manner: the video full-screen, the @name and a short caption over it, actions down the side. */
export function TikTokPreview({ data }: { data: PreviewData }) {
  return (
    <div class="pv-reel">
      {data.media.length ? (
        <Media data={{ ...data, surface: 'reel' }} />
      ) : (
        <NoMedia what="TikTok needs a video or photos." />
      )}
      <div class="pv-side" aria-hidden="true">
        <span>♥</span>
        <span>💬</span>
        <span>↗</span>
      </div>
      <div class="pv-overlay">
        <strong>
          @<bdi>{data.accountName}</bdi>
        </strong>
        <Caption platform="tiktok" text={data.caption} />
      </div>
    </div>
  );
}
