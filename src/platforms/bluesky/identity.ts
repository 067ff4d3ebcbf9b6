// Handle → DID → DID document → the account's own PDS (docs/platforms/bluesky.md#identity). Records
// are written to that PDS, never to an entryway or the AppView.
import { httpRequest } from '../http.js';
import { allowedUrl, type BlueskySettings } from './settings.js';
import { xrpc } from './xrpc.js';

/** Why an identity could not be resolved, in words for the person connecting. */
export class IdentityError extends Error {
  constructor(
    readonly reason: 'not_found' | 'invalid' | 'unreachable',
    message: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

export interface Identity {
  readonly did: string;
  /** The handle the DID document claims (alsoKnownAs), when it does. */
  readonly handle: string | null;
  /** The PDS base URL from the `#atproto_pds` service entry. */
  readonly pds: string;
}

// https://atproto.com/specs/handle#handle-identifier-syntax
const HANDLE = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
// https://atproto.com/specs/did
const DID = /^did:(plc|web):[a-zA-Z0-9._:%-]+$/;

/** A handle as people type it ("@Alice.bsky.social ") in the form the protocol compares. */
export function normalizeHandle(input: string): string {
  return input.trim().replace(/^@/, '').toLowerCase();
}

export function isHandle(value: string): boolean {
  return value.length <= 253 && HANDLE.test(value);
}

export function isDid(value: string): boolean {
  return value.length <= 2048 && DID.test(value);
}

export class IdentityResolver {
  constructor(private readonly settings: BlueskySettings) {}

  /**
   * `com.atproto.identity.resolveHandle`, then (unless `wellKnown` is false, as for mentions, which
   * the resolver knows) the handle's HTTPS well-known file.
   */
  async resolveHandle(handle: string, signal?: AbortSignal, wellKnownToo = true): Promise<string> {
    const timeoutMs = this.settings.requestTimeoutMs;
    try {
      const reply = await xrpc<{ did?: unknown }>(
        this.settings.handleResolverUrl,
        { method: 'GET', nsid: 'com.atproto.identity.resolveHandle', query: { handle }, ...(signal ? { signal } : {}) },
        timeoutMs,
      );
      if (typeof reply.data.did === 'string' && isDid(reply.data.did)) return reply.data.did;
    } catch {
      // Unreachable, or the resolver does not know the handle: the handle's own domain may still answer.
    }
    const wellKnown = wellKnownToo ? allowedUrl(this.settings, `https://${handle}/.well-known/atproto-did`) : null;
    if (wellKnown) {
      try {
        const res = await httpRequest(wellKnown.toString(), { timeoutMs, ...(signal ? { signal } : {}) });
        const did = res.text.trim();
        if (res.status === 200 && isDid(did)) return did;
      } catch {
        // Not reachable either: not found below.
      }
    }
    throw new IdentityError('not_found', `No Bluesky account was found for the handle @${handle}. Check its spelling.`);
  }

  /** The DID document: the PLC directory for did:plc, `/.well-known/did.json` for did:web. */
  async resolveDid(did: string, signal?: AbortSignal): Promise<Identity> {
    let url: URL | null;
    if (did.startsWith('did:plc:')) {
      url = allowedUrl(this.settings, `${this.settings.plcDirectoryUrl.replace(/\/+$/, '')}/${did}`);
    } else if (did.startsWith('did:web:')) {
      // did:web encodes a port as %3A; only hostnames (no paths) are valid for atproto.
      const host = decodeURIComponent(did.slice('did:web:'.length));
      const scheme = this.settings.insecureHosts.includes(host) ? 'http' : 'https';
      url = allowedUrl(this.settings, `${scheme}://${host}/.well-known/did.json`);
    } else {
      throw new IdentityError('invalid', `Herald cannot use the identity ${did} (only did:plc and did:web exist).`);
    }
    if (!url) throw new IdentityError('invalid', `The identity ${did} cannot be looked up over HTTPS.`);
    let doc: unknown;
    try {
      const res = await httpRequest(url.toString(), {
        timeoutMs: this.settings.requestTimeoutMs,
        ...(signal ? { signal } : {}),
      });
      if (res.status === 404 || res.status === 410)
        throw new IdentityError('not_found', `The identity ${did} no longer exists.`);
      if (res.status !== 200) throw new IdentityError('unreachable', `The identity ${did} could not be looked up.`);
      doc = JSON.parse(res.text);
    } catch (err) {
      if (err instanceof IdentityError) throw err;
      throw new IdentityError('unreachable', `The identity ${did} could not be looked up; try again in a minute.`);
    }
    return this.fromDocument(did, doc);
  }

  /** Handle → DID → PDS, and whether the DID document claims the handle back. */
  async resolve(handle: string, signal?: AbortSignal): Promise<Identity & { readonly verified: boolean }> {
    const did = await this.resolveHandle(handle, signal);
    const identity = await this.resolveDid(did, signal);
    return { ...identity, verified: identity.handle === handle };
  }

  private fromDocument(did: string, doc: unknown): Identity {
    const d = doc as { id?: unknown; alsoKnownAs?: unknown; service?: unknown } | null;
    if (!d || d.id !== did) throw new IdentityError('invalid', `The identity document of ${did} is not valid.`);
    const aka = Array.isArray(d.alsoKnownAs) ? d.alsoKnownAs : [];
    const claimed = aka.find((v): v is string => typeof v === 'string' && v.startsWith('at://'));
    const services = Array.isArray(d.service) ? (d.service as Array<Record<string, unknown>>) : [];
    // The PDS entry: id "#atproto_pds" (or the DID-qualified form), type AtprotoPersonalDataServer.
    const pds = services.find(
      (s) =>
        (s.id === '#atproto_pds' || s.id === `${did}#atproto_pds`) &&
        s.type === 'AtprotoPersonalDataServer' &&
        typeof s.serviceEndpoint === 'string',
    );
    const endpoint = pds ? allowedUrl(this.settings, pds.serviceEndpoint as string) : null;
    if (!endpoint)
      throw new IdentityError('invalid', `The identity ${did} does not name a personal data server Herald can reach.`);
    return {
      did,
      handle: claimed ? claimed.slice('at://'.length).toLowerCase() : null,
      pds: endpoint.toString().replace(/\/+$/, ''),
    };
  }
}
