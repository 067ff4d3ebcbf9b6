import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A download Herald refused to make or to finish, with the reason (logged, shown to admins). */
export class FetchRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FetchRefused';
  }
}

export interface SafeFetchOptions {
  /** MEDIA_FETCH_HOSTS: names (and their subdomains) or exact addresses. */
  readonly allowedHosts: readonly string[];
  readonly maxBytes: number;
  readonly timeoutMs: number;
  readonly maxRedirects?: number;
  /**
   * Also fetch from any host that is not listed, as long as it is public: a name must resolve to
   * public addresses only and a literal address must be public (a link a caption names).
   */
  readonly anyPublicHost?: boolean;
  /** The Accept header; media by default. */
  readonly accept?: string;
  /**
   * Certificate authorities to trust instead of the system's for https (a test server's own
   * self-signed certificate). Never set in production: the system's authorities apply.
   */
  readonly ca?: string | Buffer;
  /**
   * Validators from the last answer: sent as If-None-Match / If-Modified-Since, and a 304 comes
   * back as `notModified` instead of a refusal (a feed asked again).
   */
  readonly conditional?: { readonly etag?: string | null; readonly lastModified?: string | null };
}

/** What a download brought: the bytes, or (conditional requests only) that nothing changed. */
interface Downloaded {
  bytes: Buffer;
  contentType: string | null;
  url: string;
  notModified?: boolean;
  etag?: string | null;
  lastModified?: string | null;
}

/** Anything but ordinary public unicast: private, loopback, link-local (cloud metadata), CGNAT, reserved… */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() !== 'unicast';
}

const bare = (host: string) => host.toLowerCase().replace(/^\[|\]$/g, '');

/** The same address however it is written (`::1`, `0:0:0:0:0:0:0:1`). */
function sameAddress(a: string, b: string): boolean {
  return ipaddr.parse(a).toNormalizedString() === ipaddr.parse(b).toNormalizedString();
}

export function hostAllowed(hostname: string, allowed: readonly string[]): boolean {
  const host = bare(hostname);
  if (ipaddr.isValid(host)) return allowed.some((a) => ipaddr.isValid(bare(a)) && sameAddress(bare(a), host));
  return allowed.some((a) => !ipaddr.isValid(bare(a)) && (host === a || host.endsWith(`.${a}`)));
}

function isLoopback(address: string): boolean {
  const parsed = ipaddr.parse(address);
  const v4 = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress();
  return (v4 ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed).range() === 'loopback';
}

/**
 * Why the addresses a host resolved to may not be used, or null when they may. A name on the
 * list never makes a private answer acceptable: whoever controls its DNS could point it at the
 * cloud metadata service or the admin port of a neighbour. Only `localhost`, listed as such, may
 * answer with a loopback address; any other private target must be listed as a literal address.
 */
export function resolvedAddressProblem(
  host: string,
  addresses: readonly string[],
  allowed: readonly string[],
  setting = 'MEDIA_FETCH_HOSTS',
): string | null {
  if (addresses.length === 0) return `${host} has no address`;
  const localhost = bare(host) === 'localhost' && allowed.includes('localhost');
  const bad = addresses.find((a) => isPrivateAddress(a) && !(localhost && ipaddr.isValid(a) && isLoopback(a)));
  if (!bad) return null;
  return `${host} resolves to a private address (${bad}); list that address itself in ${setting} to allow it`;
}

/**
 * Resolves like the system does, but refuses a private or loopback answer (see
 * resolvedAddressProblem). Used as the socket's own lookup, so the address checked is the
 * address connected to (no window for DNS rebinding between check and connect).
 */
export function guardedLookup(allowed: readonly string[], setting?: string): LookupFunction {
  return (host, options, callback) => {
    dnsLookup(host, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as Array<{ address: string; family: number }>;
      const problem = resolvedAddressProblem(
        host,
        list.map((a) => a.address),
        allowed,
        setting,
      );
      if (problem) return callback(new FetchRefused(problem), '', 4);
      const first = list[0]!;
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, first.address, first.family);
    });
  };
}

function get(url: URL, options: SafeFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const tls = url.protocol === 'https:' && options.ca ? { ca: options.ca } : {};
    const lookup = guardedLookup(options.allowedHosts);
    const headers: Record<string, string> = { accept: options.accept ?? 'image/*,video/*' };
    if (options.conditional?.etag) headers['if-none-match'] = options.conditional.etag;
    if (options.conditional?.lastModified) headers['if-modified-since'] = options.conditional.lastModified;
    const req = send(url, { method: 'GET', lookup, signal, headers, ...tls }, resolve);
    req.once('error', (err) =>
      reject(
        err instanceof FetchRefused
          ? err
          : (err as Error).name === 'AbortError'
            ? new FetchRefused(`no complete answer within ${options.timeoutMs} ms`)
            : new FetchRefused(`could not fetch ${url.host}: ${(err as Error).message}`),
      ),
    );
    req.end();
  });
}

/**
 * Downloads media from an allowed host only (MEDIA_FETCH_HOSTS): http(s) only, every address
 * checked, redirects followed only onto allowed hosts and never from https down to http, a size
 * cap and a time cap. The caller still sniffs the bytes before keeping them.
 */
export async function safeDownload(input: string, options: SafeFetchOptions): Promise<Downloaded> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new FetchRefused('not a URL');
  }
  for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new FetchRefused(`${url.protocol} URLs are not fetched`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // An address written in the URL never reaches the lookup: it passes only when listed itself.
    if (!hostAllowed(host, options.allowedHosts)) {
      if (!options.anyPublicHost) throw new FetchRefused(`${url.host} is not in MEDIA_FETCH_HOSTS`);
      if (ipaddr.isValid(host) && isPrivateAddress(host)) throw new FetchRefused(`${url.host} is a private address`);
    }
    const res = await get(url, options, signal);
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
      res.resume();
      const next = new URL(res.headers.location, url);
      // What was asked for over TLS is not fetched in the clear, where anyone on the path may change it.
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new FetchRefused(`${url.host} redirected from https to http (${next.host}); not followed`);
      }
      url = next;
      continue;
    }
    const validators = { etag: res.headers.etag ?? null, lastModified: res.headers['last-modified'] ?? null };
    if (res.statusCode === 304 && options.conditional) {
      res.resume();
      return { bytes: Buffer.alloc(0), contentType: null, url: url.toString(), notModified: true, ...validators };
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new FetchRefused(`${url.host} answered ${res.statusCode}`);
    }
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > options.maxBytes) {
      res.destroy();
      throw new FetchRefused(`the file is larger than ${options.maxBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res) {
        size += (chunk as Buffer).length;
        if (size > options.maxBytes) {
          res.destroy();
          throw new FetchRefused(`the file is larger than ${options.maxBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof FetchRefused) throw err;
      throw new FetchRefused(
        signal.aborted
          ? `no complete answer within ${options.timeoutMs} ms`
          : `the download broke off: ${(err as Error).message}`,
      );
    }
    const contentType = res.headers['content-type'] ?? null;
    return { bytes: Buffer.concat(chunks), contentType, url: url.toString(), ...validators };
  }
  throw new FetchRefused('too many redirects');
}
