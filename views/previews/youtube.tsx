import { Caption } from './caption.js';
import { Head, Media, NoMedia, type PreviewData } from './parts.js';

/** A YouTube video in YouTube's manner: the 16:9 poster, then the title line and channel, the description cut. */
export function YouTubePreview({ data }: { data: PreviewData }) {
  const [title = '', ...rest] = data.caption.split('\n');
  return (
    <>
      {data.media.length ? <Media data={data} /> : <NoMedia what="YouTube needs a video." />}
      <strong class="pv-title" dir="auto">
        {title}
      </strong>
      <Head data={data}>channel</Head>
      <Caption platform="youtube" text={rest.join('\n')} />
    </>
  );
}
