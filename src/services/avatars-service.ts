import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../domain/errors.js';
import type { AccountRow } from '../db/repos/index.js';
import { FetchRefused, safeDownload } from '../lib/safe-fetch.js';
import { SNIFF_BYTES, sniffMime } from '../lib/media-sniff.js';
import { moduleLogger } from '../log.js';
import type { ServiceDeps } from './deps.js';
import type { Scope } from './posts-service.js';

/** A picture is fetched again after a day (the person may have changed it). */
const FRESH_MS = 24 * 3_600_000;
/** A picture that could not be fetched is tried again after an hour, not on every page view. */
const RETRY_MS = 3_600_000;
const MAX_BYTES = 1_000_000;
const TIMEOUT_MS = 5_000;

interface Avatar {
  readonly body: Uint8Array<ArrayBuffer> | string;
  readonly type: string;
}

/** What is kept beside the cached bytes: which URL they came from and when, or when it failed. */
interface CacheNote {
  readonly url: string;
  readonly at: number;
  readonly mime: string | null;
}

/** The URL a connector stored (`platformData.avatarUrl`, see docs/adding-a-network.md), if any. */
function avatarUrlOf(account: AccountRow): string | null {
  try {
    const url = (JSON.parse(account.platformData) as Record<string, unknown>).avatarUrl;
    return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
  } catch {
    return null;
  }
}

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

/** A small round picture with the account's initial, for accounts without a picture of their own. */
function initialSvg(account: Pick<AccountRow, 'id' | 'name'>): string {
  const initial = [...account.name.trim()][0]?.toUpperCase() ?? '?';
  let hash = 0;
  for (const ch of account.id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
    `<circle cx="32" cy="32" r="32" fill="hsl(${hue},45%,45%)"/>` +
    '<text x="32" y="42" text-anchor="middle" font-family="sans-serif" font-size="28" fill="#fff">' +
    `${escapeXml(initial)}</text></svg>`
  );
}

/**
 * Account pictures, served through Herald (the pages' Content-Security-Policy allows images from
 * Herald only): a copy kept in DATA_DIR/avatars, fetched through the safe client the first time
 * and again after a day, kept only when its bytes are an image; otherwise the initial.
 */
export function avatarsService(deps: ServiceDeps) {
  const { repos, clock, config } = deps;
  const log = moduleLogger(deps.log, 'avatars');
  const dir = join(config.dataDir, 'avatars');
  const inFlight = new Map<string, Promise<Avatar | null>>();

  async function cached(id: string): Promise<{ note: CacheNote; bytes: Buffer | null } | null> {
    try {
      const note = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as CacheNote;
      const bytes = note.mime ? await readFile(join(dir, id)) : null;
      return { note, bytes };
    } catch {
      return null;
    }
  }

  async function keep(id: string, note: CacheNote, bytes: Buffer | null): Promise<void> {
    await mkdir(dir, { recursive: true });
    // Written aside and renamed, so a reader never sees half a picture.
    if (bytes) {
      await writeFile(join(dir, `${id}.tmp`), bytes);
      await rename(join(dir, `${id}.tmp`), join(dir, id));
    }
    await writeFile(join(dir, `${id}.json.tmp`), JSON.stringify(note));
    await rename(join(dir, `${id}.json.tmp`), join(dir, `${id}.json`));
  }

  async function fetchAndKeep(account: AccountRow, url: string, old: Avatar | null): Promise<Avatar | null> {
    const now = clock.now();
    try {
      const download = await safeDownload(url, {
        allowedHosts: config.mediaFetchHosts,
        anyPublicHost: true,
        accept: 'image/*',
        maxBytes: MAX_BYTES,
        timeoutMs: TIMEOUT_MS,
      });
      const mime = sniffMime(download.bytes.subarray(0, SNIFF_BYTES));
      if (!mime?.startsWith('image/')) throw new FetchRefused('the answer is not an image');
      await keep(account.id, { url, at: now, mime }, download.bytes);
      return { body: new Uint8Array(download.bytes), type: mime };
    } catch (err) {
      log.info({ accountId: account.id, reason: (err as Error).message }, 'account picture not fetched');
      // An older copy of the same picture is still better than the initial.
      if (!old) await keep(account.id, { url, at: now, mime: null }, null).catch(() => undefined);
      return old;
    }
  }

  /** The account's picture, or null when it has none (the caller serves `initialSvg`). */
  async function picture(account: AccountRow): Promise<Avatar | null> {
    const url = avatarUrlOf(account);
    if (!url) return null;
    const hit = await cached(account.id);
    const old = hit?.bytes && hit.note.mime && hit.note.url === url ? { body: hit.bytes, type: hit.note.mime } : null;
    const age = hit && hit.note.url === url ? clock.now() - hit.note.at : Infinity;
    if (old && age < FRESH_MS) return { body: new Uint8Array(old.body), type: old.type };
    if (!old && age < RETRY_MS) return null;
    const stale = old ? { body: new Uint8Array(old.body), type: old.type } : null;
    // One fetch per account at a time, however many pages ask at once.
    let pending = inFlight.get(account.id);
    if (!pending) {
      pending = fetchAndKeep(account, url, stale).finally(() => inFlight.delete(account.id));
      inFlight.set(account.id, pending);
    }
    return pending;
  }

  return {
    /** The picture of an account the caller may see (a portal passes its client), or its initial. */
    async forAccount(id: string, scope: Scope = {}): Promise<Avatar> {
      const account = repos.accounts.get(id);
      if (!account || (scope.clientId && account.clientId !== scope.clientId)) throw new NotFoundError('Account');
      return (await picture(account)) ?? { body: initialSvg(account), type: 'image/svg+xml' };
    },
  };
}
