import { Microblog } from './microblog.js';
import type { PreviewData } from './parts.js';

export function ThreadsPreview({ data }: { data: PreviewData }) {
  return <Microblog data={data} handle="now" actions={['♡', '💬', '🔁', '➤'].map((a) => <span>{a}</span>)} />;
}
