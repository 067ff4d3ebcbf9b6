import { Caption, segments } from './caption.js';
import { Head, LinkCard, Media, StoryFrame, type PreviewData } from './parts.js';

/**
 * A Facebook Page post in Facebook's manner: the Page and "Just now", the caption cut with
 * "See more", the photos or the first link's card, and the first comment under it.
 */
export function FacebookPreview({ data }: { data: PreviewData }) {
  if (data.surface === 'story') return <StoryFrame data={data} />;
  if (data.surface === 'reel')
    return (
      <div class="pv-reel">
        <Media data={data} />
        <div class="pv-overlay">
          <Head data={data} />
          <Caption platform="facebook" text={data.caption} />
        </div>
      </div>
    );
  // Facebook builds a card for the first link only when no photo or video is attached.
  const hasUrl = segments(data.caption).some((s) => s.kind === 'url');
  return (
    <>
      <Head data={data}>Just now · 🌐</Head>
      <Caption platform="facebook" text={data.caption} />
      <Media data={data} />
      {data.media.length === 0 && data.link && hasUrl ? <LinkCard link={data.link} /> : null}
      <footer class="pv-actions">
        <span>👍 Like</span>
        <span>💬 Comment</span>
        <span>↗ Share</span>
      </footer>
      {data.firstComment ? (
        <div class="pv-comment">
          <strong>
            <bdi>{data.accountName}</bdi>
          </strong>{' '}
          <Caption platform="facebook" text={data.firstComment} full />
        </div>
      ) : null}
    </>
  );
}
