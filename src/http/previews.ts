import type { AccountRow, MediaRow } from '../db/repos/index.js';
import type { Surface } from '../domain/composer.js';
import type { LinkCardData, PreviewData, PreviewMedia } from '../../views/previews/preview.js';
import { previewSpec } from '../../views/previews/preview-spec.js';
import type { AppDeps } from './context.js';

/** What one preview is built from: a post or a group member as the editor or the portal holds it. */
export interface PreviewInput {
  readonly account: AccountRow;
  readonly surface: Surface;
  readonly caption: string;
  readonly firstComment: string;
  readonly mediaIds: readonly string[];
}

/**
 * Builds the previews' data (views do no I/O): media URLs and posters, the account's avatar (the
 * portal's own route in the portal), and Facebook's link card from the first link's OpenGraph tags.
 */
export function previewData(deps: AppDeps, options: { portal?: boolean } = {}) {
  const { repos, services, networks } = deps;

  function mediaOf(ids: readonly string[]): PreviewMedia[] {
    const rows = new Map(repos.media.getMany([...ids]).map((m) => [m.id, m]));
    return ids.flatMap((id) => {
      const m = rows.get(id);
      return m ? [toPreviewMedia(m)] : [];
    });
  }

  function toPreviewMedia(m: MediaRow): PreviewMedia {
    const poster = m.posterKey ?? (m.mime.startsWith('video/') ? m.thumbKey : null);
    return {
      id: m.id,
      url: services.media.url(m.mime.startsWith('image/') && m.thumbKey ? m.thumbKey : m.key),
      mime: m.mime,
      altText: m.altText,
      width: m.width,
      height: m.height,
      posterUrl: poster ? services.media.url(poster) : null,
      posterStatus: m.posterStatus,
    };
  }

  async function linkOf(platform: string, caption: string, media: number): Promise<LinkCardData | null> {
    if (!previewSpec(platform).linkCard || media > 0) return null;
    return services.linkPreviews.forCaption(caption);
  }

  return {
    async build(input: PreviewInput): Promise<PreviewData> {
      const { account } = input;
      const media = mediaOf(input.mediaIds);
      return {
        platform: account.platform,
        platformLabel: networks.label(account.platform),
        surface: input.surface,
        accountName: account.name,
        avatarUrl: `${options.portal ? '/portal' : ''}/accounts/${encodeURIComponent(account.id)}/avatar`,
        caption: input.caption,
        firstComment: input.firstComment,
        media,
        link: await linkOf(account.platform, input.caption, media.length),
      };
    },
    /** The surface's label as the platform names it ("Story", "Reel"). */
    surfaceLabel(platform: string, surface: Surface): string {
      return networks.surfaces(platform).find((s) => s.surface === surface)?.label ?? surface;
    },
  };
}
