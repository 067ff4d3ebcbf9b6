import { Caption } from './caption.js';
import { Head, Media, NoMedia, StoryFrame, type PreviewData } from './parts.js';

/**
 * An Instagram post in Instagram's manner: the picture first (cropped between 4:5 and 1.91:1, a
 * carousel with its count), then the account's name leading the caption, cut with "more".
 */
export function InstagramPreview({ data }: { data: PreviewData }) {
  if (data.surface === 'story') return <StoryFrame data={data} />;
  if (data.surface === 'reel')
    return (
      <div class="pv-reel">
        <Media data={data} />
        <div class="pv-overlay">
          <Head data={data} />
          <Caption platform="instagram" text={data.caption} />
        </div>
      </div>
    );
  return (
    <>
      <Head data={data} />
      {data.media.length ? <Media data={data} /> : <NoMedia what="Instagram posts need an image or video." />}
      <footer class="pv-actions">
        <span>♡</span>
        <span>💬</span>
        <span>➤</span>
      </footer>
      <div class="pv-byline">
        <strong>
          <bdi>{data.accountName}</bdi>
        </strong>
        <Caption platform="instagram" text={data.caption} />
      </div>
      {data.firstComment ? (
        <div class="pv-comment">
          <strong>
            <bdi>{data.accountName}</bdi>
          </strong>{' '}
          <Caption platform="instagram" text={data.firstComment} full />
        </div>
      ) : null}
    </>
  );
}
