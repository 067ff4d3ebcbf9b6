import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError } from '../../src/domain/errors.js';
import type { NetworkDescriptor } from '../../src/platforms/network.js';
import { NETWORKS } from '../../src/platforms/registry.js';
import type { AttemptContext, Connector, Publisher } from '../../src/platforms/types.js';
import { json, makeHerald, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';
import { waitFor } from '../helpers/processes.js';

// Per-post options a platform declares in its descriptor: the editor renders its fields (and their
// errors), the API takes and returns `options`, the platform's schema and check refuse what it
// would refuse when the post is written, and the publisher reads them on its context.

const ADMIN = { email: 'admin@agency.test', password: 'correct horse battery staple' };

/** What the publisher was handed, per post. */
const seen = new Map<string, Readonly<Record<string, unknown>>>();

const publisher: Publisher = {
  platform: 'noticeboard',
  async prepare(ctx: AttemptContext) {
    seen.set(ctx.postId, ctx.options);
  },
  async send(ctx) {
    ctx.save({ step: 'sent', pinned: `pin-${ctx.postId}` });
  },
  async confirm(ctx) {
    return { externalId: String(ctx.state.pinned), permalink: null };
  },
  async lookup() {
    return { status: 'unknown', reason: 'never asked' };
  },
};

const connector: Connector = {
  id: 'noticeboard',
  label: 'Noticeboard',
  platforms: ['noticeboard'],
  async refresh() {
    return null;
  },
};

const blank = (v: string | undefined) => v || undefined;

/** A noticeboard takes notes and events; an event needs a title and a start. */
const noticeboard: NetworkDescriptor<{ ready: boolean }, 'noticeboard'> = {
  id: 'noticeboard',
  label: 'Noticeboard',
  description: 'The village noticeboard, to pin posts to it.',
  connect: { oauth: { consoleName: 'Noticeboard return address' } },
  config: { env: {}, read: () => ({ ready: true }), configured: (c) => c.ready, summary: () => 'ready' },
  setup: 'nothing to set',
  platforms: [
    {
      id: 'noticeboard',
      label: 'Noticeboard',
      limits: { characters: 500, hashtags: null, mentions: null, countsUtf16: false },
      media: { images: true, videos: false },
      postOptions: {
        fields: [
          {
            name: 'kind',
            label: 'Kind of notice',
            kind: 'select',
            choices: [
              ['note', 'Note'],
              ['event', 'Event'],
            ],
          },
          { name: 'title', label: 'Event title', kind: 'text', help: 'Events only.' },
          { name: 'starts', label: 'Starts', kind: 'datetime' },
          { name: 'link', label: 'Link', kind: 'url' },
        ],
        schema: z
          .object({
            kind: z.enum(['note', 'event'], { message: 'must be note or event' }).default('note'),
            title: z.string().max(40, 'must be at most 40 characters').optional().transform(blank),
            starts: z.string().optional().transform(blank),
            link: z.url({ message: 'must be a link' }).optional(),
          })
          .strict(),
      },
      check(_caption, _media, _config, options) {
        if (options.kind !== 'event') return null;
        const errors: Record<string, string[]> = {};
        if (!options.title) errors['options.title'] = ['An event needs a title.'];
        if (!options.starts) errors['options.starts'] = ['An event needs a start.'];
        return Object.keys(errors).length ? errors : null;
      },
      ai: {
        style: 'Notice: short.',
        hashtags: 0,
        image: { width: 800, height: 800, aspect: '1:1' },
        needsImage: false,
      },
    },
  ],
  create: () => ({ connector, publishers: [publisher] }),
};

let t: TestHerald;
let admin: PageClient;
let clientId: string;
let boardId: string;
let otherId: string;

beforeAll(async () => {
  t = await makeHerald(
    { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    { networks: [...NETWORKS, noticeboard] },
  );
  await t.herald.services.auth.ensureConfiguredAdmin();
  clientId = t.herald.services.clients.create({ name: 'Village Bakery', timezone: 'UTC', approvalMode: 'none' }).id;
  const connect = (platform: string, externalId: string, name: string) =>
    t.herald.services.accounts.connect({
      clientId,
      platform,
      externalId,
      name,
      accessToken: 'x',
      tokenExpiresAt: null,
      scopes: [],
    }).id;
  otherId = connect('facebook', 'fb-village', 'Village Page');
  boardId = connect('noticeboard', 'nb-1', 'Market square board');
  admin = new PageClient(t.herald.app);
  await admin.post('/login', ADMIN);
});
afterAll(() => t.close());

describe('per-post options declared by the platform', () => {
  it('the editor renders the platform’s fields, re-renders them with field errors, and saves them', async () => {
    const blankForm = await admin.get(`/posts/new?accountId=${boardId}`);
    expect(blankForm.html).toContain('data-post-options="noticeboard"');
    expect(blankForm.html).toContain('name="options.kind"');
    expect(blankForm.html).toContain('type="datetime-local" name="options.starts"');
    expect(blankForm.html).toContain('Events only.');

    const refused = await admin.post('/posts', {
      clientId,
      accountId: boardId,
      caption: 'Harvest fair on the green',
      'options.kind': 'event',
      'options.title': '',
      'options.starts': '2027-09-12T10:00',
      'options.link': 'https://village.example/fair',
      scheduledAt: '',
      intent: 'draft',
    });
    expect(refused.status).toBe(422);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toContain(
      '<small class="field-error" id="options.title-error">An event needs a title.</small>',
    );
    // What was typed comes back.
    expect(refusedHtml).toMatch(/<option value="event" selected/);
    expect(refusedHtml).toContain('value="2027-09-12T10:00"');
    expect(refusedHtml).toContain('value="https://village.example/fair"');

    const saved = await admin.post('/posts', {
      clientId,
      accountId: boardId,
      caption: 'Harvest fair on the green',
      'options.kind': 'event',
      'options.title': 'Harvest fair',
      'options.starts': '2027-09-12T10:00',
      scheduledAt: '',
      intent: 'draft',
    });
    expect(saved.status).toBe(303);
    const id = saved.headers.get('location')!.split('/').pop()!;
    expect(t.herald.services.posts.get(id).options).toEqual({
      kind: 'event',
      title: 'Harvest fair',
      starts: '2027-09-12T10:00',
    });
    const edit = await admin.get(`/posts/${id}`);
    expect(edit.html).toContain('value="Harvest fair"');

    // Clearing the title on an edit is refused the same way, and nothing changes.
    const version = t.herald.services.posts.get(id).version;
    const bad = await admin.post(`/posts/${id}`, {
      caption: 'Harvest fair on the green',
      'options.kind': 'event',
      'options.starts': '2027-09-12T10:00',
      scheduledAt: '',
      version: String(version),
      intent: 'save',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('id="options.title-error">An event needs a title.');
    expect(t.herald.services.posts.get(id).options).toMatchObject({ title: 'Harvest fair' });
  });

  it('a platform without options shows none and refuses them', async () => {
    const form = await admin.get(`/posts/new?accountId=${otherId}`);
    // The board's fields are there for the account chooser, switched off.
    expect(form.html).toMatch(/<fieldset data-post-options="noticeboard" disabled="" hidden="">/);
    const res = await t.api('POST', '/posts', { accountId: otherId, caption: 'Hello', options: { kind: 'event' } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.options[0]).toMatch(/take no options/);
  });

  it('the API validates options by the platform’s schema and check, and returns them', async () => {
    const refuse = async (options: unknown) => {
      const res = await t.api('POST', '/posts', { accountId: boardId, caption: 'Fair', options });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error.code).toBe('validation_failed');
      return body.error.details as Record<string, string[]>;
    };
    expect((await refuse({ kind: 'party' }))['options.kind']).toEqual(['must be note or event']);
    expect((await refuse({ kind: 'note', colour: 'red' })).options?.[0]).toMatch(/colour/);
    expect((await refuse({ link: 'not a link' }))['options.link']).toEqual(['must be a link']);
    expect(await refuse({ kind: 'event' })).toEqual({
      'options.title': ['An event needs a title.'],
      'options.starts': ['An event needs a start.'],
    });
    expect((await refuse('event')).options).toEqual(['must be an object']);

    const created = await t.api('POST', '/posts', {
      accountId: boardId,
      caption: 'Fair',
      options: { kind: 'event', title: 'Fair', starts: '2027-09-12T10:00' },
    });
    expect(created.status).toBe(201);
    const post = await json(created);
    expect(post.options).toEqual({ kind: 'event', title: 'Fair', starts: '2027-09-12T10:00' });
    // Without options a post gets the schema's defaults.
    const plain = await json(await t.api('POST', '/posts', { accountId: boardId, caption: 'A note' }));
    expect(plain.options).toEqual({ kind: 'note' });

    // PATCH replaces them (checked again); leaving them out keeps them.
    const patched = await t.api('PATCH', `/posts/${post.id}`, { version: post.version, options: { kind: 'event' } });
    expect(patched.status).toBe(400);
    expect((await json(patched)).error.details['options.title']).toEqual(['An event needs a title.']);
    const kept = await json(await t.api('PATCH', `/posts/${post.id}`, { version: post.version, caption: 'Fair!' }));
    expect(kept.options).toEqual(post.options);
    const note = await json(
      await t.api('PATCH', `/posts/${post.id}`, { version: kept.version, options: { kind: 'note' } }),
    );
    expect(note.options).toEqual({ kind: 'note' });
  });

  it('the publisher gets the post’s options on its context', async () => {
    const post = t.herald.services.posts.create(
      {
        accountId: boardId,
        caption: 'Harvest fair',
        options: { kind: 'event', title: 'Harvest fair', starts: '2027-09-12T10:00' },
        scheduledAt: new Date().toISOString(),
        status: 'scheduled',
      },
      { kind: 'system' },
    );
    t.herald.lease.tick();
    t.herald.lease.tick();
    t.herald.engine.runDue();
    await t.herald.engine.drain(5_000);
    await waitFor(() => t.herald.services.posts.get(post.id).status === 'published', 10_000, 'the publish');
    expect(seen.get(post.id)).toEqual({ kind: 'event', title: 'Harvest fair', starts: '2027-09-12T10:00' });
    // A published post's options are no longer edited.
    expect(() =>
      t.herald.services.posts.update(post.id, { version: 99, options: { kind: 'note' } }, { kind: 'system' }),
    ).toThrow(ConflictError);
  });
});
