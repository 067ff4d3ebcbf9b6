import { Caption } from './caption.js';
import { Head, Media, type PreviewData } from './parts.js';

/** A Business Profile update in Google's manner: the place, a 4:3 photo, the text cut with "More". */
export function GoogleBusinessPreview({ data }: { data: PreviewData }) {
  return (
    <>
      <Head data={data}>Update · now</Head>
      <Media data={data} />
      <Caption platform="google_business" text={data.caption} />
    </>
  );
}
