// The one way Herald sends to a URL a person typed in (webhook endpoints, chat webhooks): a POST
// to public addresses only, unless the host is listed in OUTBOUND_PRIVATE_HOSTS, checked on the
// address actually connected to (the socket's own lookup), with no redirects followed, a time
// limit and only the first bytes of the answer kept.
// Connections are kept open for a moment between requests (keep-alive): a burst of webhooks to one
// receiver then costs one TCP (and TLS) handshake instead of one per request. Only a new connection
// resolves a name, and it does so through the guarded lookup, so a reused one is always to an address
// that was checked.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import ipaddr from 'ipaddr.js';
import { FetchRefused, guardedLookup, hostAllowed, isPrivateAddress } from './safe-fetch.js';

export interface PostOptions {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** OUTBOUND_PRIVATE_HOSTS. */
  readonly privateHosts: readonly string[];
  readonly signal: AbortSignal;
  /** How much of the answer to keep. */
  readonly maxResponseBytes?: number;
  /** Certificate authorities for https instead of the system's (a test server's self-signed one). */
  readonly ca?: string | Buffer;
}

export interface PostAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The first `maxResponseBytes` of the body, as text. */
  readonly body: string;
}

const SETTING = 'OUTBOUND_PRIVATE_HOSTS';

/**
 * How long an idle connection is kept: short, so it is closed before receivers close theirs (Node's
 * own server after 5 s, gunicorn after 2 s), which would make the next request on it fail; a burst or
 * a steady stream still reuses it.
 */
const IDLE_MS = 1_000;
const agentOptions = { keepAlive: true, timeout: IDLE_MS, maxFreeSockets: 64, scheduling: 'lifo' } as const;
/** Per OUTBOUND_PRIVATE_HOSTS value: a connection is only ever reused under the setting that allowed it. */
const agents = new Map<string, { http: HttpAgent; https: HttpsAgent }>();
function agentFor(https: boolean, privateHosts: readonly string[]): HttpAgent {
  const key = privateHosts.join(',');
  let pair = agents.get(key);
  if (!pair) {
    pair = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
    agents.set(key, pair);
  }
  return https ? pair.https : pair.http;
}

/** Why Herald would refuse to call `input` at all (for forms: checked when the URL is saved). */
export function outboundUrlProblem(input: string, privateHosts: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain a user name or password';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:' && !hostAllowed(host, privateHosts))
    return `must use https (plain http only for hosts listed in ${SETTING})`;
  if (ipaddr.isValid(host) && isPrivateAddress(host) && !hostAllowed(host, privateHosts))
    return `is a private address; list it in ${SETTING} to allow it`;
  // `localhost` names loopback by definition (RFC 6761 §6.3): refused now rather than at the first send.
  if (/(^|\.)localhost\.?$/i.test(host) && !hostAllowed(host, privateHosts))
    return `is a loopback address; list it in ${SETTING} to allow it`;
  return null;
}

/**
 * POSTs `body` and resolves with the answer, whatever its status. Rejects with FetchRefused when
 * the URL may not be called, and with the socket's error (or the signal's reason) when no answer came.
 */
export function safePost(input: string, options: PostOptions): Promise<PostAnswer> {
  const problem = outboundUrlProblem(input, options.privateHosts);
  if (problem) return Promise.reject(new FetchRefused(`${input.slice(0, 80)} ${problem}`));
  const url = new URL(input);
  const limit = options.maxResponseBytes ?? 1024;
  return post(url, options, limit, false);
}

function post(url: URL, options: PostOptions, limit: number, again: boolean): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    const tls = https && options.ca ? { ca: options.ca } : {};
    const headers = { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) };
    const lookup = guardedLookup(options.privateHosts, SETTING);
    const agent = agentFor(https, options.privateHosts);
    let answered = false;
    const req = send(url, { method: 'POST', agent, lookup, signal: options.signal, headers, ...tls }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < limit) chunks.push(chunk.subarray(0, limit - size));
        size += chunk.length;
        // Enough to show in a log: the rest is not read (a receiver cannot make us buffer much).
        if (size >= limit) res.destroy();
      });
      const done = () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      res.once('end', done);
      res.once('close', done);
      res.once('error', () => done());
    });
    req.once('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive connection the receiver closed just as it was reused: the request never
      // reached it, so it goes once more on a new connection (https://nodejs.org/api/http.html#requestreusedsocket).
      const stale = req.reusedSocket && !answered && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      if (stale && !again && !options.signal.aborted) resolve(post(url, options, limit, true));
      else reject(err);
    });
    req.end(options.body);
  });
}
