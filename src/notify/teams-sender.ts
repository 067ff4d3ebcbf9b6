// Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is received",
// https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook):
// a JSON `message` whose one attachment is an Adaptive Card (https://adaptivecards.io/explorer/),
// version 1.4, which Teams renders on desktop, web and mobile. The flow answers 202 Accepted (some
// tenants 200) once it has the request; a message over 28 KB is refused (413). A 404 means the flow
// was deleted or turned off; 429 carries Retry-After. Details: docs/notifications-chat.md.
import type { EventRecord } from '../domain/events.js';
import type { NotifyDeps, Sender } from './channel.js';
import { type ChatItem, chatItems, cut, postToChannel } from './chat-post.js';

/** The documented 28 KB, with room for the HTTP framing the flow also counts. */
const MAX_BYTES = 27 * 1024;
const MAX_TEXT = 2000;

/** Adaptive Card date functions show the time in each reader's zone
 *  (https://adaptivecards.io/explorer/TextBlock.html). */
const when = (at: string) => `{{DATE(${at}, SHORT)}} {{TIME(${at})}}`;

function eventBlocks(item: ChatItem, separator: boolean): object[] {
  const facts = [{ title: 'Event', value: item.label }];
  if (item.clientName) facts.push({ title: 'Client', value: cut(item.clientName, 200) });
  facts.push({ title: 'When', value: when(item.at) });
  return [
    {
      type: 'TextBlock',
      text: cut(item.title, 300),
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      ...(separator ? { separator: true, spacing: 'Large' } : {}),
    },
    ...(item.text ? [{ type: 'TextBlock', text: cut(item.text, MAX_TEXT), wrap: true }] : []),
    { type: 'FactSet', facts },
  ];
}

function envelope(body: object[], url: string) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: [{ type: 'Action.OpenUrl', title: 'Open in Herald', url }],
        },
      },
    ],
  };
}

const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** One card for one event or a bundle; events that would take it over 28 KB become "and N more". */
export function teamsMessage(items: readonly ChatItem[], homeUrl: string) {
  const first = items[0];
  if (items.length === 1 && first) return envelope(eventBlocks(first, false), first.url);
  const heading = { type: 'TextBlock', text: `${items.length} notifications from Herald`, size: 'Large', wrap: true };
  let shown = items.length;
  for (;;) {
    const body: object[] = [heading, ...items.slice(0, shown).flatMap((item) => eventBlocks(item, true))];
    if (shown < items.length)
      body.push({ type: 'TextBlock', text: `…and ${items.length - shown} more in Herald`, isSubtle: true, wrap: true });
    const message = envelope(body, homeUrl);
    if (size(message) <= MAX_BYTES || shown === 0) return message;
    shown = Math.min(shown - 1, Math.floor((shown * MAX_BYTES) / size(message)));
  }
}

export function teamsSender(deps: NotifyDeps): Sender {
  return {
    channel: 'teams',
    pausable: true,
    timeoutMs: 20_000,
    send(target: string, events: readonly EventRecord[], context) {
      const message = teamsMessage(chatItems(deps, events), `${deps.config.publicUrl}/`);
      return postToChannel(deps, target, message, context.signal, {
        // A malformed request, a card too large, or a flow that no longer exists.
        permanent: (status) => status === 400 || status === 404 || status === 410 || status === 413,
      });
    },
  };
}
