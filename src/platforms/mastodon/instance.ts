// Which instance a person named, and whether Herald may call it: the address must be a public host
// reached over HTTPS (docs/platforms/mastodon.md#instances), unless it is one the settings allow.
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { resolvedAddressProblem } from '../../lib/safe-fetch.js';
import type { MastodonSettings } from './settings.js';

/** An instance address that cannot be used, in words for the person who typed it. */
export class InstanceRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstanceRefused';
  }
}

const bare = (host: string) => host.toLowerCase().replace(/^\[|\]$/g, '');

function allowedPrivate(settings: MastodonSettings, url: URL): boolean {
  return settings.privateHosts.some((h) => bare(h) === bare(url.hostname) || h === url.host);
}

/**
 * The instance's origin from what was typed (`mastodon.social`, `https://mastodon.social/`,
 * `@alice@mastodon.social`): HTTPS, host (and port) only.
 */
export function instanceOrigin(settings: MastodonSettings, typed: string): string {
  let value = typed.trim();
  const handle = /^@?[^@\s/]+@([^@\s/]+)$/.exec(value);
  if (handle) value = handle[1]!;
  if (!/^[a-z]+:\/\//i.test(value)) value = `https://${value}`;
  if (!URL.canParse(value)) throw new InstanceRefused(`“${typed}” is not an instance address (like mastodon.social).`);
  const url = new URL(value);
  if (url.username || url.password) throw new InstanceRefused('The instance address cannot carry a user name.');
  if (url.protocol === 'http:' && !allowedPrivate(settings, url))
    throw new InstanceRefused('Herald connects to Mastodon instances over HTTPS only.');
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new InstanceRefused(`“${typed}” is not an instance address (like mastodon.social).`);
  if (!url.hostname.includes('.') && !ipaddr.isValid(bare(url.hostname)) && !allowedPrivate(settings, url))
    throw new InstanceRefused(`“${typed}” is not an instance address (like mastodon.social).`);
  return url.origin;
}

/**
 * Refuses an instance whose name resolves to a private, loopback or link-local address (the cloud
 * metadata service, a neighbour's admin port), with the same rule as Herald's other fetches of
 * addresses people enter (src/lib/safe-fetch.ts): only an address listed itself is allowed.
 */
export async function checkInstanceAddress(settings: MastodonSettings, origin: string): Promise<void> {
  const url = new URL(origin);
  const host = bare(url.hostname);
  let addresses: string[];
  if (ipaddr.isValid(host)) {
    // A literal address listed itself may be private (a test or intranet instance).
    const listed = settings.privateHosts
      .map(bare)
      .some(
        (h) => ipaddr.isValid(h) && ipaddr.parse(h).toNormalizedString() === ipaddr.parse(host).toNormalizedString(),
      );
    if (listed) return;
    addresses = [host];
  } else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw new InstanceRefused(`${url.host} could not be found. Check the instance address.`);
    }
  }
  const problem = resolvedAddressProblem(host, addresses, settings.privateHosts.map(bare));
  if (problem) throw new InstanceRefused(`Herald may not connect to ${url.host}: it is not a public address.`);
}
