// A strict Microsoft Teams Workflows webhook ("Post to a channel when a webhook request is
// received"): a `message` with Adaptive Card attachments (https://adaptivecards.io/explorer/) of a
// version Teams renders (up to 1.5), at most 28 KB
// (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook).
// It answers 202 Accepted. The real flow accepts any JSON and fails later, inside its run, when the
// card is wrong; this fake refuses such a card at once (400 InvalidRequestContent) so a test sees it.
// 413 for a message over 28 KB, 404 WorkflowNotFound once the flow is gone, 429 with Retry-After.
import type { ChatFault } from './slack-webhook.js';
import { FakeServer, type Reply } from './fake-server.js';

const VERSIONS = ['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'];
const TEXT_KEYS = [
  'type',
  'text',
  'wrap',
  'weight',
  'size',
  'color',
  'isSubtle',
  'separator',
  'spacing',
  'maxLines',
  'horizontalAlignment',
  'fontType',
  'id',
];
const SPACING = ['None', 'Small', 'Default', 'Medium', 'Large', 'ExtraLarge', 'Padding'];

class Refused extends Error {}

function only(value: Record<string, unknown>, keys: string[], where: string): void {
  const extra = Object.keys(value).filter((k) => !keys.includes(k));
  if (extra.length) throw new Refused(`${where}: unknown property ${extra.join(', ')}`);
}

function element(e: Record<string, any>, where: string): void {
  if (e.spacing !== undefined && !SPACING.includes(e.spacing)) throw new Refused(`${where}.spacing: invalid`);
  switch (e?.type) {
    case 'TextBlock':
      only(e, TEXT_KEYS, where);
      if (typeof e.text !== 'string' || e.text.length === 0) throw new Refused(`${where}.text: required`);
      if (e.weight !== undefined && !['Default', 'Lighter', 'Bolder'].includes(e.weight))
        throw new Refused(`${where}.weight: invalid`);
      if (e.size !== undefined && !['Default', 'Small', 'Medium', 'Large', 'ExtraLarge'].includes(e.size))
        throw new Refused(`${where}.size: invalid`);
      return;
    case 'FactSet':
      only(e, ['type', 'facts', 'separator', 'spacing', 'id'], where);
      if (!Array.isArray(e.facts) || e.facts.length === 0) throw new Refused(`${where}.facts: required`);
      e.facts.forEach((f: Record<string, unknown>, i: number) => {
        only(f, ['title', 'value'], `${where}.facts[${i}]`);
        if (typeof f.title !== 'string' || typeof f.value !== 'string')
          throw new Refused(`${where}.facts[${i}]: strings`);
      });
      return;
    case 'Container':
      only(e, ['type', 'items', 'separator', 'spacing', 'style', 'id'], where);
      if (!Array.isArray(e.items)) throw new Refused(`${where}.items: required`);
      for (const [i, item] of (e.items as Array<Record<string, any>>).entries()) element(item, `${where}.items[${i}]`);
      return;
    default:
      throw new Refused(`${where}: unknown element type ${String(e?.type)}`);
  }
}

function card(content: Record<string, any>, where: string): void {
  only(content, ['$schema', 'type', 'version', 'body', 'actions', 'msteams', 'fallbackText', 'speak'], where);
  if (content.type !== 'AdaptiveCard') throw new Refused(`${where}.type: must be AdaptiveCard`);
  if (!VERSIONS.includes(content.version)) throw new Refused(`${where}.version: Teams renders 1.0 to 1.5`);
  if (!Array.isArray(content.body)) throw new Refused(`${where}.body: required`);
  for (const [i, e] of (content.body as Array<Record<string, any>>).entries()) element(e, `${where}.body[${i}]`);
  if (content.actions !== undefined) {
    if (!Array.isArray(content.actions)) throw new Refused(`${where}.actions: must be an array`);
    content.actions.forEach((a: Record<string, any>, i: number) => {
      if (a?.type !== 'Action.OpenUrl') throw new Refused(`${where}.actions[${i}]: only Action.OpenUrl expected`);
      only(a, ['type', 'title', 'url', 'id', 'style'], `${where}.actions[${i}]`);
      if (typeof a.url !== 'string' || !/^https?:\/\//.test(a.url))
        throw new Refused(`${where}.actions[${i}].url: absolute URL`);
    });
  }
}

function teamsRefusal(body: unknown, contentType: string): string | null {
  if (!contentType.includes('application/json')) return 'the content type must be application/json';
  if (!body || typeof body !== 'object' || Array.isArray(body) || '__invalidJson' in body) return 'not a JSON object';
  const message = body as Record<string, any>;
  try {
    only(message, ['type', 'attachments', 'summary'], 'message');
    if (message.type !== 'message') throw new Refused('type: must be message');
    if (!Array.isArray(message.attachments) || message.attachments.length === 0)
      throw new Refused('attachments: at least one');
    message.attachments.forEach((a: Record<string, any>, i: number) => {
      only(a, ['contentType', 'contentUrl', 'content'], `attachments[${i}]`);
      if (a.contentType !== 'application/vnd.microsoft.card.adaptive')
        throw new Refused(`attachments[${i}].contentType: application/vnd.microsoft.card.adaptive`);
      if (a.contentUrl !== null && a.contentUrl !== undefined) throw new Refused(`attachments[${i}].contentUrl: null`);
      card(a.content ?? {}, `attachments[${i}].content`);
    });
  } catch (err) {
    if (err instanceof Refused) return err.message;
    throw err;
  }
  return null;
}

export class TeamsWebhookFake {
  readonly server = new FakeServer('teams');
  readonly messages: Array<Record<string, any>> = [];
  readonly refusals: string[] = [];
  private readonly faults: ChatFault[] = [];
  private isGone = false;
  readonly path = '/powerautomate/automations/direct/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke';

  constructor() {
    this.server.route('POST', /.*/, (req) => this.handle(req.path, req.query, req.headers, req.body, req.raw.length));
  }

  async start(): Promise<string> {
    await this.server.start();
    return this.webhookUrl;
  }

  get webhookUrl(): string {
    return `${this.server.url}${this.path}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=herald-test-sig`;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  fail(fault: ChatFault): this {
    for (let i = 0; i < (fault.times ?? 1); i++) this.faults.push(fault);
    return this;
  }

  /** The flow was deleted or turned off: 404 from now on. */
  gone(): this {
    this.isGone = true;
    return this;
  }

  private handle(
    path: string,
    query: Record<string, string>,
    headers: Record<string, unknown>,
    body: unknown,
    bytes: number,
  ): Reply {
    const error = (status: number, code: string, message: string): Reply => ({
      status,
      json: { error: { code, message } },
    });
    if (path !== this.path || this.isGone) return error(404, 'WorkflowNotFound', 'The workflow could not be found.');
    if (query.sig !== 'herald-test-sig')
      return error(401, 'DirectApiAuthorizationRequired', 'The request must be signed.');
    const fault = this.faults.shift();
    if (fault)
      return {
        status: fault.status,
        json: fault.body ?? { error: { code: 'ServiceUnavailable', message: 'Try again.' } },
        headers: fault.headers ?? {},
      };
    if (bytes > 28 * 1024) {
      this.refusals.push(`too large: ${bytes} bytes`);
      return error(413, 'RequestEntityTooLarge', 'The message is larger than 28 KB.');
    }
    const refusal = teamsRefusal(body, String(headers['content-type'] ?? ''));
    if (refusal) {
      this.refusals.push(refusal);
      return error(400, 'InvalidRequestContent', refusal);
    }
    this.messages.push(body as Record<string, any>);
    return { status: 202, raw: Buffer.alloc(0) };
  }
}
