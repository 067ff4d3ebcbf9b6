// A strict Discord channel webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook):
// it takes only JSON with content or embeds within Discord's embed limits
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits) and answers as
// Discord does: 204 (200 and the message with ?wait=true), 400 Invalid Form Body (50035) with the
// field errors, 404 Unknown Webhook (10015), 429 with `retry_after` seconds and Retry-After.
import type { ChatFault } from './slack-webhook.js';
import { FakeServer, type Reply } from './fake-server.js';

const EMBED_KEYS = [
  'title',
  'type',
  'description',
  'url',
  'timestamp',
  'color',
  'footer',
  'image',
  'thumbnail',
  'author',
  'fields',
];
const TOP_KEYS = [
  'content',
  'username',
  'avatar_url',
  'tts',
  'embeds',
  'allowed_mentions',
  'components',
  'flags',
  'thread_name',
];

type FieldErrors = Record<string, unknown>;

function tooLong(max: number) {
  return { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }] };
}
const required = { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] };
const invalid = (message: string) => ({ _errors: [{ code: 'BASE_TYPE_BAD_TYPE', message }] });

function checkEmbed(embed: Record<string, any>): FieldErrors {
  const errors: FieldErrors = {};
  for (const key of Object.keys(embed)) if (!EMBED_KEYS.includes(key)) errors[key] = invalid('Unknown field.');
  const length = (value: unknown) => (typeof value === 'string' ? Array.from(value).length : 0);
  if (embed.title !== undefined && length(embed.title) > 256) errors.title = tooLong(256);
  if (embed.description !== undefined && length(embed.description) > 4096) errors.description = tooLong(4096);
  if (embed.url !== undefined && (typeof embed.url !== 'string' || !/^https?:\/\/[^\s]+$/.test(embed.url)))
    errors.url = { _errors: [{ code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }] };
  if (embed.color !== undefined && !(Number.isInteger(embed.color) && embed.color >= 0 && embed.color <= 0xffffff))
    errors.color = invalid('Value must be an integer between 0 and 16777215.');
  if (embed.timestamp !== undefined && Number.isNaN(Date.parse(embed.timestamp)))
    errors.timestamp = invalid('Could not parse timestamp. Should be ISO8601.');
  if (embed.footer !== undefined) {
    if (typeof embed.footer?.text !== 'string' || embed.footer.text.length === 0) errors.footer = { text: required };
    else if (length(embed.footer.text) > 2048) errors.footer = { text: tooLong(2048) };
  }
  if (embed.fields !== undefined) {
    if (!Array.isArray(embed.fields)) errors.fields = invalid('Must be an array.');
    else if (embed.fields.length > 25) errors.fields = tooLong(25);
    else {
      const fieldErrors: FieldErrors = {};
      embed.fields.forEach((f: Record<string, unknown>, i: number) => {
        const e: FieldErrors = {};
        if (typeof f.name !== 'string' || f.name.length === 0) e.name = required;
        else if (length(f.name) > 256) e.name = tooLong(256);
        if (typeof f.value !== 'string' || f.value.length === 0) e.value = required;
        else if (length(f.value) > 1024) e.value = tooLong(1024);
        if (f.inline !== undefined && typeof f.inline !== 'boolean') e.inline = invalid('Must be a boolean.');
        if (Object.keys(e).length) fieldErrors[i] = e;
      });
      if (Object.keys(fieldErrors).length) errors.fields = fieldErrors;
    }
  }
  return errors;
}

/** The characters Discord counts towards a message's 6000. */
function embedSize(embed: Record<string, any>): number {
  const n = (v: unknown) => (typeof v === 'string' ? Array.from(v).length : 0);
  return (
    n(embed.title) +
    n(embed.description) +
    n(embed.footer?.text) +
    n(embed.author?.name) +
    (Array.isArray(embed.fields) ? embed.fields.reduce((s: number, f: any) => s + n(f?.name) + n(f?.value), 0) : 0)
  );
}

/** Discord's answer to a body it refuses, or null when it posts it. */
function discordRefusal(body: unknown, contentType: string): Record<string, unknown> | null {
  if (!contentType.includes('application/json')) return { message: 'Cannot send an empty message', code: 50006 };
  if (!body || typeof body !== 'object' || Array.isArray(body) || '__invalidJson' in body)
    return { message: 'The request body contains invalid JSON.', code: 50109 };
  const payload = body as Record<string, any>;
  const form = (errors: FieldErrors) => ({ message: 'Invalid Form Body', code: 50035, errors });
  const unknown = Object.keys(payload).filter((k) => !TOP_KEYS.includes(k));
  if (unknown.length) return form(Object.fromEntries(unknown.map((k) => [k, invalid('Unknown field.')])));
  const hasContent = typeof payload.content === 'string' && payload.content.length > 0;
  if (!hasContent && (!Array.isArray(payload.embeds) || payload.embeds.length === 0))
    return { message: 'Cannot send an empty message', code: 50006 };
  if (typeof payload.content === 'string' && payload.content.length > 2000) return form({ content: tooLong(2000) });
  if (payload.embeds !== undefined) {
    if (!Array.isArray(payload.embeds) || payload.embeds.length > 10) return form({ embeds: tooLong(10) });
    const errors: FieldErrors = {};
    payload.embeds.forEach((e: Record<string, any>, i: number) => {
      const found = checkEmbed(e ?? {});
      if (Object.keys(found).length) errors[i] = found;
    });
    if (Object.keys(errors).length) return form({ embeds: errors });
    const total = payload.embeds.reduce((s: number, e: any) => s + embedSize(e ?? {}), 0);
    if (total > 6000)
      return form({
        embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }] },
      });
  }
  const parse = payload.allowed_mentions?.parse;
  if (
    parse !== undefined &&
    (!Array.isArray(parse) || parse.some((p: unknown) => !['roles', 'users', 'everyone'].includes(p as string)))
  )
    return form({ allowed_mentions: { parse: invalid('Value must be one of roles, users, everyone.') } });
  return null;
}

export class DiscordWebhookFake {
  readonly server = new FakeServer('discord');
  readonly messages: Array<Record<string, any>> = [];
  readonly refusals: Array<Record<string, unknown>> = [];
  private readonly faults: ChatFault[] = [];
  private isGone = false;
  readonly path = '/api/webhooks/1180000000000000001/herald-webhook-token_abcdefghijklmnop';

  constructor() {
    this.server.route('POST', /.*/, (req) => this.handle(req.path, req.query, req.headers, req.body));
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

  fail(fault: ChatFault): this {
    for (let i = 0; i < (fault.times ?? 1); i++) this.faults.push(fault);
    return this;
  }

  /** The webhook was deleted in Discord: 404 Unknown Webhook from now on. */
  gone(): this {
    this.isGone = true;
    return this;
  }

  private handle(path: string, query: Record<string, string>, headers: Record<string, unknown>, body: unknown): Reply {
    if (path !== this.path || this.isGone) return { status: 404, json: { message: 'Unknown Webhook', code: 10015 } };
    const fault = this.faults.shift();
    if (fault) {
      const json =
        fault.body ??
        (fault.status === 429
          ? { message: 'You are being rate limited.', retry_after: 1, global: false }
          : { message: '500: Internal Server Error', code: 0 });
      return { status: fault.status, json, headers: fault.headers ?? {} };
    }
    const refusal = discordRefusal(body, String(headers['content-type'] ?? ''));
    if (refusal) {
      this.refusals.push(refusal);
      return { status: 400, json: refusal };
    }
    this.messages.push(body as Record<string, any>);
    if (query.wait === 'true') return { status: 200, json: { id: String(this.messages.length), ...(body as object) } };
    return { status: 204, raw: Buffer.alloc(0) };
  }
}
