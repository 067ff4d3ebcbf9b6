// Signed webhooks per the Standard Webhooks specification
// (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md), so
// receivers can verify them with that project's libraries: `webhook-id` is the event's id (the same on
// every retry and redelivery, for the receiver to de-duplicate), `webhook-timestamp` the attempt's
// unix seconds, `webhook-signature` `v1,` and the base64 HMAC-SHA256 of `${id}.${timestamp}.${body}`
// keyed with the base64-decoded part of the `whsec_` secret.
import { createHmac } from 'node:crypto';
import type { EventRecord } from '../domain/events.js';
import { parseRetryAfter } from '../lib/backoff.js';
import { FetchRefused } from '../lib/safe-fetch.js';
import { safePost } from '../lib/safe-post.js';
import { channelCredentials } from '../services/notify-channels-service.js';
import type { NotifyDeps, Sender, SendResult } from './channel.js';

/** An answer later than this is a failure (and retried); receivers should answer at once and work later. */
const WEBHOOK_TIMEOUT_MS = 15_000;

const SECRET_PREFIX = 'whsec_';

/** The `webhook-signature` value for one message. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** What an HTTP answer means for the delivery: only 2xx is delivered; redirects are not followed. */
function resultOf(status: number, headers: Readonly<Record<string, unknown>>, body: string, now: number): SendResult {
  if (status >= 200 && status < 300) return { ok: true, status, body };
  const retryAfter = headers['retry-after'];
  const retryAfterMs = parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : undefined, now);
  // 410 Gone: the receiver says the endpoint is no more; retrying cannot help.
  if (status === 410) return { ok: false, status, body, permanent: true, error: 'HTTP 410: the endpoint is gone' };
  const error =
    status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed; use the final URL` : `HTTP ${status}`;
  return { ok: false, status, body, error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

export function webhookSender(deps: NotifyDeps): Sender {
  const { config, repos, box, clock } = deps;
  const userAgent = `Herald-Webhooks/${config.version} (+https://www.standardwebhooks.com/)`;

  async function post(url: string, secret: string, event: EventRecord, signal: AbortSignal): Promise<SendResult> {
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      clientId: event.clientId,
      createdAt: event.createdAt,
      data: event.data,
    });
    const timestamp = Math.floor(clock.now() / 1000);
    const started = performance.now();
    try {
      const answer = await safePost(url, {
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': userAgent,
          'webhook-id': event.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secret, event.id, timestamp, body),
        },
        privateHosts: config.outboundPrivateHosts,
        signal,
      });
      return resultOf(answer.status, answer.headers, answer.body, clock.now());
    } catch (err) {
      // An address the endpoint may not use stays refused however often it is tried.
      if (err instanceof FetchRefused) return { ok: false, permanent: true, error: err.message };
      if (signal.aborted) {
        const reason = signal.reason as Error | undefined;
        if (reason?.name !== 'TimeoutError') return { ok: false, error: 'sending stopped' };
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        return { ok: false, error: `timed out: no answer after ${seconds} s` };
      }
      const code = (err as NodeJS.ErrnoException).code;
      return { ok: false, error: `could not connect: ${code ? `${code} ` : ''}${(err as Error).message}`.trim() };
    }
  }

  return {
    channel: 'webhook',
    pausable: true,
    timeoutMs: WEBHOOK_TIMEOUT_MS,
    async send(target, events, { signal }) {
      const row = repos.notify.getChannel(target);
      if (!row) return { ok: false, permanent: true, error: 'the webhook was removed' };
      let url: string;
      let secret: string | null;
      try {
        ({ url, secret } = channelCredentials(box, row));
      } catch {
        return {
          ok: false,
          permanent: true,
          error: 'the endpoint’s URL or secret cannot be opened with this SECRET_KEY',
        };
      }
      if (!secret) return { ok: false, permanent: true, error: 'the endpoint has no signing secret' };
      // One event per request, as the specification has it; the channels router never bundles
      // webhooks, so this is one request in practice. A failure stops the rest (all are retried).
      let last: SendResult = { ok: true };
      for (const event of events) {
        last = await post(url, secret, event, signal);
        if (!last.ok) return last;
      }
      return last;
    },
  };
}
