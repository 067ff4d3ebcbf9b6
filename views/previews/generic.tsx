import { Caption } from './caption.js';
import { Head, Media, type PreviewData } from './parts.js';

/** Any other network: name, caption, media, without pretending to know its look. */
export function GenericPreview({ data }: { data: PreviewData }) {
  return (
    <>
      <Head data={data}>{data.platformLabel}</Head>
      <Caption platform={data.platform} text={data.caption} />
      <Media data={data} />
    </>
  );
}
