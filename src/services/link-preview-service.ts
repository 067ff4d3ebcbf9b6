import { createHash } from 'node:crypto';
import type { LinkPreviewRow } from '../db/repos/link-previews-repo.js';
import { firstLink } from '../domain/links.js';
import { readOpenGraph } from '../lib/open-graph.js';
import { FetchRefused, safeDownload } from '../lib/safe-fetch.js';
import type { ServiceDeps } from './deps.js';

/** What a link card shows; `error` says why a page gave nothing (then the card shows the address alone). */
export type LinkPreview = Omit<LinkPreviewRow, 'urlHash' | 'fetchedAt'>;

const MAX_BYTES = 512 * 1024;
const TIMEOUT_MS = 5_000;
const FRESH_MS = 24 * 3_600_000;
/** A page that could not be read is asked again sooner: it may have been down for a minute. */
const ERROR_FRESH_MS = 3_600_000;

const hashOf = (url: string) => createHash('sha256').update(url).digest('hex');

/**
 * Facebook's link card in the previews: the first link's OpenGraph tags, read through the outbound
 * safety rules (public addresses only, unless OUTBOUND_PRIVATE_HOSTS lists the host; 512 KB; 5 s)
 * and kept a day in `link_previews`.
 */
export function linkPreviewService({ config, repos, clock, log }: ServiceDeps) {
  const inFlight = new Map<string, Promise<LinkPreview>>();

  async function read(url: string): Promise<Omit<LinkPreviewRow, 'urlHash' | 'url' | 'fetchedAt'>> {
    const nothing = { title: null, description: null, imageUrl: null, siteName: null };
    try {
      // The link is whatever a caption names: never a private address (the cloud metadata
      // service, a neighbour's admin port) unless the operator listed it.
      const page = await safeDownload(url, {
        allowedHosts: config.outboundPrivateHosts,
        anyPublicHost: true,
        maxBytes: MAX_BYTES,
        timeoutMs: TIMEOUT_MS,
        accept: 'text/html,application/xhtml+xml',
      });
      if (!/html/i.test(page.contentType ?? '')) return { ...nothing, error: 'the page is not HTML' };
      const og = readOpenGraph(page.bytes.toString('utf8'));
      const image = og.image && URL.canParse(og.image, page.url) ? new URL(og.image, page.url).toString() : null;
      return { title: og.title, description: og.description, imageUrl: image, siteName: og.siteName, error: null };
    } catch (err) {
      if (!(err instanceof FetchRefused)) throw err;
      log.info({ url, reason: err.message }, 'link preview not read');
      return { ...nothing, error: err.message };
    }
  }

  return {
    /** The card for the caption's first link, or null when it names none. */
    async forCaption(caption: string): Promise<LinkPreview | null> {
      const url = firstLink(caption);
      return url ? this.get(url) : null;
    },

    /** A URL's card, from the cache while it is fresh, else read now (one reading per URL at a time). */
    get(url: string): Promise<LinkPreview> {
      const urlHash = hashOf(url);
      const hit = repos.linkPreviews.get(urlHash);
      const now = clock.now();
      if (hit && now - hit.fetchedAt < (hit.error ? ERROR_FRESH_MS : FRESH_MS)) {
        const { urlHash: _h, fetchedAt: _f, ...card } = hit;
        return Promise.resolve(card);
      }
      const running = inFlight.get(urlHash);
      if (running) return running;
      const work = read(url)
        .then((found) => {
          const row = { urlHash, url, fetchedAt: clock.now(), ...found };
          repos.linkPreviews.put(row);
          return { url, ...found };
        })
        .finally(() => inFlight.delete(urlHash));
      inFlight.set(urlHash, work);
      return work;
    },
  };
}
