// Discord channel webhooks (https://discord.com/developers/docs/resources/webhook#execute-webhook):
// one JSON POST of `embeds` (at most 10 per message) within Discord's embed limits
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits): title 256,
// description 4096, at most 25 fields (name 256, value 1024), footer 2048, and 6000 characters in all
// the embeds of a message together. Success is 204 No Content (200 with ?wait=true). A 429 carries
// `retry_after` in seconds in its JSON body and a Retry-After header
// (https://discord.com/developers/docs/topics/rate-limits); 404 (code 10015, Unknown Webhook) and 401
// (50027, Invalid Webhook Token) mean the webhook is gone. Details: docs/notifications-chat.md.
import type { EventRecord } from '../domain/events.js';
import type { NotifyDeps, Sender } from './channel.js';
import { type ChatItem, chatItems, cut, postToChannel } from './chat-post.js';

const LIMITS = {
  embeds: 10,
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
};

/** Herald's accent (an integer RGB, as Discord wants it). */
const COLOR = 0x3b5bdb;

interface Embed {
  title: string;
  description?: string;
  url?: string;
  color: number;
  timestamp?: string;
  fields?: Array<{ name: string; value: string; inline: boolean }>;
  footer?: { text: string };
}

function embedOf(item: ChatItem): Embed {
  const fields = [{ name: 'Event', value: cut(item.label, LIMITS.fieldValue), inline: true }];
  if (item.clientName) fields.push({ name: 'Client', value: cut(item.clientName, LIMITS.fieldValue), inline: true });
  return {
    title: cut(item.title, LIMITS.title),
    ...(item.text ? { description: cut(item.text, LIMITS.description) } : {}),
    url: item.url,
    color: COLOR,
    timestamp: item.at,
    fields,
    footer: { text: 'Herald' },
  };
}

/** The characters Discord counts towards the 6000 of a message. */
function counted(embeds: readonly Embed[]): number {
  let total = 0;
  for (const e of embeds) {
    total += Array.from(e.title).length + Array.from(e.description ?? '').length;
    total += Array.from(e.footer?.text ?? '').length;
    for (const f of e.fields ?? []) total += Array.from(f.name).length + Array.from(f.value).length;
  }
  return total;
}

/** The message for one event or a bundle: an embed each, at most 10, all of them within 6000 characters. */
export function discordMessage(items: readonly ChatItem[]) {
  const shown = items.length <= LIMITS.embeds ? items : items.slice(0, LIMITS.embeds - 1);
  const embeds = shown.map(embedOf);
  if (shown.length < items.length)
    embeds.push({ title: `…and ${items.length - shown.length} more in Herald`, color: COLOR });
  // Over the total: the longest description gives way first, until the message fits.
  for (let excess = counted(embeds) - LIMITS.total; excess > 0; excess = counted(embeds) - LIMITS.total) {
    const longest = embeds.reduce((a, b) =>
      Array.from(b.description ?? '').length > Array.from(a.description ?? '').length ? b : a,
    );
    const length = Array.from(longest.description ?? '').length;
    if (length === 0) break;
    longest.description = cut(longest.description ?? '', Math.max(1, length - excess));
    if (length <= 1) delete longest.description;
  }
  return {
    embeds,
    // A title or text that says @everyone must not ping anybody.
    allowed_mentions: { parse: [] as string[] },
  };
}

function retryAfterOf(body: string): number | undefined {
  try {
    const seconds = (JSON.parse(body) as { retry_after?: unknown }).retry_after;
    return typeof seconds === 'number' && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  } catch {
    return undefined;
  }
}

export function discordSender(deps: NotifyDeps): Sender {
  return {
    channel: 'discord',
    pausable: true,
    timeoutMs: 15_000,
    send(target: string, events: readonly EventRecord[], context) {
      return postToChannel(deps, target, discordMessage(chatItems(deps, events)), context.signal, {
        // A refused form body, a deleted webhook or a wrong token: the same message never succeeds.
        permanent: (status) => status === 400 || status === 401 || status === 403 || status === 404,
        retryAfterFromBody: retryAfterOf,
      });
    },
  };
}
