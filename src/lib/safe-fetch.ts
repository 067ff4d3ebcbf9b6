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
}

/** Anything but ordinary public unicast: private, loopback, link-local (cloud metadata), CGNAT, reserved… */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() !== 'unicast';
}

function hostAllowed(hostname: string, allowed: readonly string[]): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) return allowed.some((a) => a.replace(/^\[|\]$/g, '') === host);
  return allowed.some((a) => !ipaddr.isValid(a.replace(/^\[|\]$/g, '')) && (host === a || host.endsWith(`.${a}`)));
}

/** Why the addresses a host resolved to may not be used, or null when they may. */
export function resolvedAddressProblem(host: string, addresses: readonly string[], allowed: readonly string[]): string | null {
  if (addresses.length === 0) return `${host} has no address`;
  if (allowed.includes(host.toLowerCase())) return null;
  const bad = addresses.find((a) => isPrivateAddress(a));
  return bad ? `${host} resolves to a private address (${bad})` : null;
}

/**
 * Resolves like the system does, but refuses a private or loopback answer unless the host is
 * named exactly in the allowlist. Used as the socket's own lookup, so the address checked is the
 * address connected to (no window for DNS rebinding between check and connect).
 */
function guardedLookup(allowed: readonly string[]): LookupFunction {
  return (host, options, callback) => {
    dnsLookup(host, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as Array<{ address: string; family: number }>;
      const problem = resolvedAddressProblem(host, list.map((a) => a.address), allowed);
      if (problem) return callback(new FetchRefused(problem), '', 4);
      const first = list[0]!;
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, first.address, first.family);
    });
  };
}

function get(url: URL, options: SafeFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', lookup: guardedLookup(options.allowedHosts), signal, headers: { accept: 'image/*,video/*' } }, resolve);
    req.once('error', (err) => reject(err instanceof FetchRefused ? err : (err as Error).name === 'AbortError' ? new FetchRefused(`no complete answer within ${options.timeoutMs} ms`) : new FetchRefused(`could not fetch ${url.host}: ${(err as Error).message}`)));
    req.end();
  });
}

/**
 * Downloads media from an allowed host only (MEDIA_FETCH_HOSTS): http(s) only, every address
 * checked, redirects followed only onto allowed hosts, a size cap and a time cap. The caller
 * still sniffs the bytes before keeping them.
 */
export async function safeDownload(input: string, options: SafeFetchOptions): Promise<{ bytes: Buffer; contentType: string | null; url: string }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new FetchRefused('not a URL');
  }
  for (let hop = 0; hop <= (options.maxRedirects ?? 3); hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefused(`${url.protocol} URLs are not fetched`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!hostAllowed(host, options.allowedHosts)) throw new FetchRefused(`${url.host} is not in MEDIA_FETCH_HOSTS`);
    // An address written in the URL never reaches the lookup: check it here.
    if (ipaddr.isValid(host) && isPrivateAddress(host) && !options.allowedHosts.includes(host)) throw new FetchRefused(`${host} is a private address`);
    const res = await get(url, options, signal);
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
      res.resume();
      url = new URL(res.headers.location, url);
      continue;
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
      throw new FetchRefused(signal.aborted ? `no complete answer within ${options.timeoutMs} ms` : `the download broke off: ${(err as Error).message}`);
    }
    return { bytes: Buffer.concat(chunks), contentType: res.headers['content-type'] ?? null, url: url.toString() };
  }
  throw new FetchRefused('too many redirects');
}
