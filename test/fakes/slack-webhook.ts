// A strict Slack incoming webhook (https://api.slack.com/messaging/webhooks): it accepts only what
// Slack accepts — JSON with `text` or Block Kit `blocks` within their limits
// (https://api.slack.com/reference/block-kit/blocks) — and answers as Slack does: 200 `ok`, or a
// text error (400 invalid_payload / no_text / invalid_blocks, 404 no_service, 410
// channel_is_archived, 429 rate_limited with Retry-After).
import { FakeServer, type Reply } from './fake-server.js';

export interface ChatFault {
  status: number;
  /** A text body for Slack; JSON for the others. */
  body?: unknown;
  headers?: Record<string, string>;
  times?: number;
}

const PATH = /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;
const TEXT_OBJECT_KEYS: Record<string, string[]> = {
  plain_text: ['type', 'text', 'emoji'],
  mrkdwn: ['type', 'text', 'verbatim'],
};

class Refused extends Error {}

function only(value: Record<string, unknown>, keys: string[], where: string): void {
  const extra = Object.keys(value).filter((k) => !keys.includes(k));
  if (extra.length) throw new Refused(`${where}: unknown ${extra.join(', ')}`);
}

function textObject(value: unknown, where: string, max: number, types = ['plain_text', 'mrkdwn']): void {
  const obj = value as Record<string, unknown> | null;
  if (!obj || typeof obj !== 'object') throw new Refused(`${where}: must be a text object`);
  if (typeof obj.type !== 'string' || !types.includes(obj.type)) throw new Refused(`${where}: type must be ${types}`);
  only(obj, TEXT_OBJECT_KEYS[obj.type]!, where);
  if (typeof obj.text !== 'string' || obj.text.length === 0) throw new Refused(`${where}: text is required`);
  if (obj.text.length > max) throw new Refused(`${where}: must be at most ${max} characters`);
}

function block(value: unknown, i: number): void {
  const b = value as Record<string, unknown>;
  const where = `blocks[${i}]`;
  switch (b?.type) {
    case 'header':
      only(b, ['type', 'text', 'block_id'], where);
      textObject(b.text, `${where}.text`, 150, ['plain_text']);
      return;
    case 'section':
      only(b, ['type', 'text', 'block_id', 'fields', 'accessory'], where);
      if (b.text === undefined && b.fields === undefined) throw new Refused(`${where}: text or fields is required`);
      if (b.text !== undefined) textObject(b.text, `${where}.text`, 3000);
      return;
    case 'context': {
      only(b, ['type', 'elements', 'block_id'], where);
      const elements = b.elements as unknown[];
      if (!Array.isArray(elements) || elements.length < 1 || elements.length > 10)
        throw new Refused(`${where}.elements: 1 to 10 elements`);
      for (const [j, e] of elements.entries()) textObject(e, `${where}.elements[${j}]`, 3000);
      return;
    }
    case 'actions': {
      only(b, ['type', 'elements', 'block_id'], where);
      const elements = b.elements as Array<Record<string, unknown>>;
      if (!Array.isArray(elements) || elements.length < 1 || elements.length > 25)
        throw new Refused(`${where}.elements: 1 to 25 elements`);
      elements.forEach((e, j) => {
        if (e?.type !== 'button') throw new Refused(`${where}.elements[${j}]: only buttons are expected`);
        only(e, ['type', 'text', 'url', 'action_id', 'value', 'style'], `${where}.elements[${j}]`);
        textObject(e.text, `${where}.elements[${j}].text`, 75, ['plain_text']);
        if (e.url !== undefined && (typeof e.url !== 'string' || e.url.length > 3000 || !/^https?:\/\//.test(e.url)))
          throw new Refused(`${where}.elements[${j}].url: must be an http(s) URL of at most 3000 characters`);
      });
      return;
    }
    case 'divider':
      only(b, ['type', 'block_id'], where);
      return;
    default:
      throw new Refused(`${where}: unknown block type ${String(b?.type)}`);
  }
}

/** Why Slack would refuse this body: Slack's own error word and the detail; null when it posts it. */
function slackRefusal(body: unknown, contentType: string): { word: string; detail: string } | null {
  if (!contentType.includes('application/json')) return { word: 'invalid_payload', detail: contentType };
  if (!body || typeof body !== 'object' || '__invalidJson' in body || Array.isArray(body))
    return { word: 'invalid_payload', detail: 'not a JSON object' };
  const payload = body as Record<string, unknown>;
  const hasText = typeof payload.text === 'string' && payload.text.length > 0;
  if (!hasText && payload.blocks === undefined) return { word: 'no_text', detail: 'neither text nor blocks' };
  if (payload.blocks !== undefined) {
    const blocks = payload.blocks as unknown[];
    if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50)
      return { word: 'invalid_blocks', detail: 'blocks: 1 to 50' };
    try {
      for (const [i, b] of blocks.entries()) block(b, i);
    } catch (err) {
      if (err instanceof Refused) return { word: 'invalid_blocks', detail: err.message };
      throw err;
    }
  }
  return null;
}

export class SlackWebhookFake {
  readonly server = new FakeServer('slack');
  /** Messages Slack would have posted to the channel. */
  readonly messages: Array<Record<string, any>> = [];
  /** Why each refused message was refused (the fake's own detail, beyond Slack's one word). */
  readonly refusals: string[] = [];
  private readonly faults: ChatFault[] = [];
  private goneWith: { status: number; body: string } | null = null;
  readonly path = '/services/T0HERALD1/B0HERALD1/abcdefghijklmnopqrstuvwx';

  constructor() {
    this.server.route('POST', /.*/, (req) => this.handle(req.path, req.headers, req.body));
  }

  async start(): Promise<string> {
    await this.server.start();
    return this.webhookUrl;
  }

  get webhookUrl(): string {
    return `${this.server.url}${this.path}`;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** The next `times` posts get this answer instead (429 with Retry-After, 500 rollup_error…). */
  fail(fault: ChatFault): this {
    for (let i = 0; i < (fault.times ?? 1); i++) this.faults.push(fault);
    return this;
  }

  /** Answers normally again: queued faults dropped, a gone webhook back. */
  recover(): this {
    this.faults.length = 0;
    this.goneWith = null;
    return this;
  }

  /** From now on the webhook is removed (404 no_service) or its channel archived (410). */
  gone(kind: 'removed' | 'archived' = 'removed'): this {
    this.goneWith =
      kind === 'removed' ? { status: 404, body: 'no_service' } : { status: 410, body: 'channel_is_archived' };
    return this;
  }

  private handle(path: string, headers: Record<string, unknown>, body: unknown): Reply {
    const text = (status: number, words: string, extra: Record<string, string> = {}): Reply => ({
      status,
      text: words,
      headers: extra,
    });
    if (!PATH.test(path) || path !== this.path) return text(404, 'no_service');
    if (this.goneWith) return text(this.goneWith.status, this.goneWith.body);
    const fault = this.faults.shift();
    if (fault)
      return text(
        fault.status,
        String(fault.body ?? (fault.status === 429 ? 'rate_limited' : 'rollup_error')),
        fault.headers,
      );
    const refusal = slackRefusal(body, String(headers['content-type'] ?? ''));
    if (refusal) {
      this.refusals.push(`${refusal.word}: ${refusal.detail}`);
      return text(400, refusal.word);
    }
    this.messages.push(body as Record<string, any>);
    return text(200, 'ok');
  }
}
