// What the chat senders (Slack, Discord, Teams) share and no vendor owns: the words of an event as
// people read them, cutting text to a vendor's limits, and one POST of a JSON message to the URL a
// person stored for a channel, with its answer turned into a SendResult. Each vendor's payload,
// limits and error words stay in its own sender file.
import type { ChannelRow } from '../db/repos/index.js';
import { EVENT_CATALOG, type EventRecord } from '../domain/events.js';
import { parseRetryAfter } from '../lib/backoff.js';
import { safePost } from '../lib/safe-post.js';
import { FetchRefused } from '../lib/safe-fetch.js';
import { channelCredentials } from '../services/notify-channels-service.js';
import type { NotifyDeps, SendResult } from './channel.js';

/** One event in the words a chat message shows. */
export interface ChatItem {
  readonly title: string;
  readonly text: string;
  /** The Herald page to open (the event's own, or Herald's front page). */
  readonly url: string;
  /** The type's label from the catalogue ("Post failed"). */
  readonly label: string;
  readonly clientName: string | null;
  /** ISO-8601 without milliseconds (what every vendor's date formatting accepts). */
  readonly at: string;
}

export function chatItems(deps: NotifyDeps, events: readonly EventRecord[]): ChatItem[] {
  const names = new Map<string, string | null>();
  const clientName = (id: string | null) => {
    if (id === null) return null;
    if (!names.has(id)) names.set(id, deps.repos.clients.get(id)?.name ?? null);
    return names.get(id) ?? null;
  };
  return events.map((event) => {
    const url = typeof event.data.url === 'string' && /^https?:\/\//.test(event.data.url) ? event.data.url : '';
    return {
      title: (event.data.title || EVENT_CATALOG[event.type]?.label || event.type).trim(),
      text: (event.data.text ?? '').trim(),
      url: url || `${deps.config.publicUrl}/`,
      label: EVENT_CATALOG[event.type]?.label ?? event.type,
      clientName: clientName(event.clientId),
      at: `${event.createdAt.slice(0, 19)}Z`,
    };
  });
}

/** `text` cut to `max` characters (code points, so no emoji is split), with an ellipsis when cut. */
export function cut(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** How a vendor reads its own answer: which statuses mean the channel is gone for good. */
export interface AnswerRules {
  /** Besides 2xx, e.g. nothing. */
  readonly ok?: (status: number, body: string) => boolean;
  /** Retrying cannot help: the webhook was deleted, the payload will never be accepted. */
  readonly permanent: (status: number, body: string) => boolean;
  /** A wait the vendor asks for in its body (Discord's retry_after), in ms. */
  readonly retryAfterFromBody?: (body: string) => number | undefined;
}

/**
 * POSTs `payload` as JSON to the channel's stored URL. Never throws: a missing channel, an
 * address Herald may not call or a refused message are permanent; no answer is retried.
 */
export async function postToChannel(
  deps: NotifyDeps,
  target: string,
  payload: unknown,
  signal: AbortSignal,
  rules: AnswerRules,
): Promise<SendResult> {
  const row: ChannelRow | undefined = deps.repos.notify.getChannel(target);
  if (!row) return { ok: false, permanent: true, error: 'the channel was removed' };
  let url: string;
  try {
    url = channelCredentials(deps.box, row).url;
  } catch {
    return { ok: false, permanent: true, error: 'the stored URL cannot be read (was SECRET_KEY changed?)' };
  }
  try {
    const answer = await safePost(url, {
      body: JSON.stringify(payload),
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Herald' },
      privateHosts: deps.config.outboundPrivateHosts,
      signal,
    });
    const { status, body } = answer;
    if ((status >= 200 && status < 300) || rules.ok?.(status, body)) return { ok: true, status, body };
    const header = answer.headers['retry-after'];
    const fromHeader = parseRetryAfter(Array.isArray(header) ? header[0] : header, deps.clock.now());
    const fromBody = rules.retryAfterFromBody?.(body);
    const waits = [fromHeader, fromBody].filter((v): v is number => v !== undefined);
    return {
      ok: false,
      status,
      body,
      error: `HTTP ${status}${body.trim() ? `: ${cut(body.trim(), 200)}` : ''}`,
      ...(waits.length ? { retryAfterMs: Math.max(...waits) } : {}),
      ...(rules.permanent(status, body) ? { permanent: true } : {}),
    };
  } catch (err) {
    if (err instanceof FetchRefused) return { ok: false, permanent: true, error: err.message };
    return { ok: false, error: (err as Error).message || 'no answer' };
  }
}
