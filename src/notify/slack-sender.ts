// Slack incoming webhooks (https://api.slack.com/messaging/webhooks): one JSON POST with a plain
// `text` (the fallback notifications and screen readers show) and Block Kit `blocks`
// (https://api.slack.com/reference/block-kit/blocks). Slack answers 200 `ok`; its errors are short
// text bodies (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks):
// 400 invalid_payload / invalid_blocks, 403 action_prohibited, 404 no_service or channel_not_found,
// 410 channel_is_archived, 429 with Retry-After, 500 rollup_error. Details: docs/notifications-chat.md.
import type { EventRecord } from '../domain/events.js';
import type { NotifyDeps, Sender } from './channel.js';
import { type ChatItem, chatItems, cut, postToChannel } from './chat-post.js';

/** Block Kit's limits (https://api.slack.com/reference/block-kit/blocks). */
const LIMITS = { blocks: 50, header: 150, section: 3000, context: 3000, button: 75, url: 3000, text: 4000 };

/** Slack's mrkdwn treats these three as control characters; the rest of the text is literal. */
function mrkdwnEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<!date^…>` shows the time in each reader's own zone, the fallback where a client cannot. */
function when(item: ChatItem): string {
  const unix = Math.floor(Date.parse(item.at) / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${item.at.replace('T', ' ').replace('Z', ' UTC')}>`;
}

function context(item: ChatItem) {
  const parts = [mrkdwnEscape(item.label), ...(item.clientName ? [mrkdwnEscape(item.clientName)] : []), when(item)];
  return { type: 'context', elements: [{ type: 'mrkdwn', text: cut(parts.join(' · '), LIMITS.context) }] };
}

const plain = (text: string, max: number) => ({ type: 'plain_text', text: cut(text, max), emoji: true });

function single(item: ChatItem) {
  return [
    { type: 'header', text: plain(item.title, LIMITS.header) },
    { type: 'section', text: { type: 'mrkdwn', text: cut(mrkdwnEscape(item.text || item.label), LIMITS.section) } },
    context(item),
    {
      type: 'actions',
      elements: [{ type: 'button', text: plain('Open in Herald', LIMITS.button), url: cut(item.url, LIMITS.url) }],
    },
  ];
}

/** A bundle: one header, then each event as a linked line and its context, as many as 50 blocks hold. */
function bundle(items: readonly ChatItem[]) {
  const blocks: object[] = [{ type: 'header', text: plain(`${items.length} notifications from Herald`, 150) }];
  // Two blocks per event, and one left for "and N more".
  const shown = items.length * 2 + 1 <= LIMITS.blocks ? items.length : Math.floor((LIMITS.blocks - 2) / 2);
  for (const item of items.slice(0, shown)) {
    const link = item.url.length <= LIMITS.url - 200 ? `<${item.url}|${mrkdwnEscape(cut(item.title, 150))}>` : '';
    const line = `*${link || mrkdwnEscape(cut(item.title, 150))}*${item.text ? `\n${mrkdwnEscape(item.text)}` : ''}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(line, LIMITS.section) } }, context(item));
  }
  if (shown < items.length)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${items.length - shown} more in Herald` }],
    });
  return blocks;
}

/** The message for one event or a bundle of several. */
export function slackMessage(items: readonly ChatItem[]) {
  const first = items[0];
  const text =
    items.length === 1 && first
      ? `${first.title}${first.text ? ` — ${first.text}` : ''}`
      : `${items.length} notifications from Herald: ${items.map((i) => i.title).join('; ')}`;
  return {
    text: cut(mrkdwnEscape(text), LIMITS.text),
    blocks: items.length === 1 && first ? single(first) : bundle(items),
    // Herald's words are not links to unfurl into previews.
    unfurl_links: false,
    unfurl_media: false,
  };
}

export function slackSender(deps: NotifyDeps): Sender {
  return {
    channel: 'slack',
    pausable: true,
    timeoutMs: 15_000,
    send(target: string, events: readonly EventRecord[], context) {
      return postToChannel(deps, target, slackMessage(chatItems(deps, events)), context.signal, {
        // A payload Slack refused, a webhook removed or a channel archived: the same message never succeeds.
        permanent: (status) => status === 400 || status === 403 || status === 404 || status === 410,
      });
    },
  };
}
