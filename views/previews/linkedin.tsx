import { Caption } from './caption.js';
import { Head, Media, type PreviewData } from './parts.js';

/** A LinkedIn post in LinkedIn's manner: author and "Now", the text cut with "…see more", then the media. */
export function LinkedInPreview({ data }: { data: PreviewData }) {
  return (
    <>
      <Head data={data}>Now · 🌐</Head>
      <Caption platform="linkedin" text={data.caption} />
      <Media data={data} />
      <footer class="pv-actions">
        <span>👍 Like</span>
        <span>💬 Comment</span>
        <span>🔁 Repost</span>
        <span>➤ Send</span>
      </footer>
      {data.firstComment ? (
        <div class="pv-comment">
          <strong>
            <bdi>{data.accountName}</bdi>
          </strong>{' '}
          <Caption platform="linkedin" text={data.firstComment} full />
        </div>
      ) : null}
    </>
  );
}
