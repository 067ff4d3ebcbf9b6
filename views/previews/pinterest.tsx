import { Caption } from './caption.js';
import { Head, Media, NoMedia, type PreviewData } from './parts.js';

/** A Pin in Pinterest's manner: a tall picture (up to 1:2.1), the description under it, then the account. */
export function PinterestPreview({ data }: { data: PreviewData }) {
  return (
    <>
      {data.media.length ? <Media data={data} /> : <NoMedia what="A Pin needs an image or video." />}
      <Caption platform="pinterest" text={data.caption} />
      <Head data={data} />
    </>
  );
}
