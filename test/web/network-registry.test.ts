import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { checkCaption, type MediaFacts } from '../../src/domain/platform-limits.js';
import type { NetworkDescriptor } from '../../src/platforms/network.js';
import { NETWORKS } from '../../src/platforms/registry.js';
import { ConnectError, type Connector } from '../../src/platforms/types.js';
import { makeHerald, type TestHerald } from '../helpers/herald.js';
import { PageClient } from '../helpers/page-client.js';

// The pages, the portal, validation and form connections come from the registry: a network
// registered through the same list (createHerald's `networks`) appears everywhere with its own
// label, setup text, fields and limits, and nothing outside its descriptor names it.

const POSTCARD_LIMITS = { characters: 40, hashtags: 1, mentions: null, countsUtf16: false } as const;

/** Connects with a handle and a password through a form; refuses a wrong password in words. */
const postcardConnector: Connector = {
  id: 'postcard',
  label: 'Postcards',
  platforms: ['postcard'],
  async connectWithForm(values) {
    if (values.password !== 'open-sesame')
      throw new ConnectError('denied', 'Postcards did not accept that password: create a new one and try again.');
    return {
      accounts: [
        {
          platform: 'postcard',
          externalId: `pc-${values.handle}`,
          name: `Postcards of ${values.handle}`,
          accessToken: 'session-token',
          tokenExpiresAt: null,
          scopes: [],
        },
      ],
      warnings: [],
    };
  },
  async refresh() {
    return null;
  },
};

const postcard: NetworkDescriptor<{ ready: boolean }, 'postcard'> = {
  id: 'postcard',
  label: 'Postcards',
  description: 'Your postcard rack, to pin posts to it.',
  connect: {
    form: {
      intro: 'Postcards connects with your handle and a rack password made for Herald.',
      fields: [
        { name: 'handle', label: 'Rack handle', type: 'text', placeholder: 'bakery.example' },
        { name: 'password', label: 'Rack password', type: 'password', hint: 'Not your main password.' },
      ],
      help: { text: 'Create a rack password', url: 'https://postcards.example/settings/passwords' },
    },
  },
  config: { env: {}, read: () => ({ ready: true }), configured: (c) => c.ready, summary: () => 'ready' },
  setup: 'set POSTCARD_KEY (see the README, "Connecting Postcards")',
  platforms: [
    {
      id: 'postcard',
      label: 'Postcards',
      limits: POSTCARD_LIMITS,
      media: { images: true, videos: false },
      check(caption: string, media: readonly MediaFacts[]) {
        const errors: Record<string, string[]> = {};
        checkCaption(errors, 'Postcards', caption, POSTCARD_LIMITS);
        if (media.length > 1) errors.mediaIds = ['A postcard holds one picture.'];
        return Object.keys(errors).length ? errors : null;
      },
      ai: {
        style: 'Postcard: one warm line.',
        hashtags: 1,
        image: { width: 600, height: 400, aspect: '1:1' },
        needsImage: false,
      },
    },
  ],
  create: () => ({ connector: postcardConnector, publishers: [] }),
};

/** Registered but not configured: the pages say what to set. */
const pigeon: NetworkDescriptor<{ key: string | null }, 'pigeon'> = {
  id: 'pigeon',
  label: 'Carrier Pigeon',
  description: 'Your loft, to send posts by pigeon.',
  connect: { oauth: { consoleName: 'Pigeon loft return address' } },
  config: { env: {}, read: () => ({ key: null }), configured: (c) => c.key !== null, summary: () => '' },
  setup: 'set PIGEON_KEY (see the README, "Connecting Carrier Pigeon")',
  platforms: [],
  create: () => {
    throw new Error('not configured');
  },
};

let t: TestHerald;

beforeAll(async () => {
  t = await makeHerald(
    { ADMIN_EMAIL: 'admin@agency.test', ADMIN_PASSWORD: 'correct horse battery staple' },
    { networks: [...NETWORKS, postcard, pigeon] },
  );
  await t.herald.services.auth.ensureConfiguredAdmin();
});
afterAll(() => t.close());

async function portalFor(clientId: string): Promise<PageClient> {
  const browser = new PageClient(t.herald.app);
  await browser.request(new URL(t.herald.services.clients.createInvite(clientId).url).pathname);
  return browser;
}

describe('a network registered through the list', () => {
  it('the portal offers its form with its fields and help, and says what is not set up', async () => {
    const client = t.herald.services.clients.create({ name: 'Rack Bakery', timezone: 'Europe/Berlin' });
    const browser = await portalFor(client.id);
    const { html } = await browser.get('/portal');
    expect(html).toContain('Postcards');
    expect(html).toContain('Your postcard rack, to pin posts to it.');
    expect(html).toContain('action="/auth/postcard/form"');
    expect(html).toContain('name="handle"');
    expect(html).toContain('type="password"');
    expect(html).toContain('https://postcards.example/settings/passwords');
    expect(html).toContain('Carrier Pigeon');
    expect(html).not.toContain('action="/auth/pigeon/start"');
  });

  it('connects through its form from the portal, and refuses a wrong password in its words', async () => {
    const client = t.herald.services.clients.create({ name: 'Form Bakery', timezone: 'Europe/Berlin' });
    const browser = await portalFor(client.id);
    await browser.get('/portal');
    const refused = await browser.post('/auth/postcard/form', { handle: 'form.bakery', password: 'wrong' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Postcards did not accept that password');
    expect(t.herald.repos.accounts.listByClient(client.id)).toHaveLength(0);

    const ok = await browser.post('/auth/postcard/form', { handle: ' form.bakery ', password: 'open-sesame' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Postcards of form.bakery');
    const [account] = t.herald.repos.accounts.listByClient(client.id);
    expect(account).toMatchObject({ platform: 'postcard', externalId: 'pc-form.bakery', status: 'connected' });
    // The account list names its platform with the network's label.
    expect((await browser.get('/portal')).html).toContain('<span class="platform platform-postcard">Postcards</span>');
  });

  it('the admin client page shows its form and the other network’s setup text', async () => {
    const client = t.herald.services.clients.create({ name: 'Admin Bakery', timezone: 'Europe/Berlin' });
    const admin = new PageClient(t.herald.app);
    await admin.get('/login');
    await admin.post('/login', { email: 'admin@agency.test', password: 'correct horse battery staple' });
    const { html } = await admin.get(`/clients/${client.id}`);
    expect(html).toContain(`action="/auth/postcard/form?clientId=${client.id}"`);
    expect(html).toContain(
      'Carrier Pigeon: set PIGEON_KEY (see the README, &quot;Connecting Carrier Pigeon&quot;) to connect.',
    );
    const settings = await admin.get('/settings');
    expect(settings.html).toContain('Pigeon loft return address');
    expect(settings.html).toContain('/auth/pigeon/callback');
  });

  it('posts to it are checked against its own limits', () => {
    const client = t.herald.services.clients.create({ name: 'Limit Bakery', timezone: 'Europe/Berlin' });
    const account = t.herald.services.accounts.connect({
      clientId: client.id,
      platform: 'postcard',
      externalId: 'pc-limits',
      name: 'Limits rack',
      accessToken: 'x',
      tokenExpiresAt: null,
      scopes: [],
    });
    const create = (caption: string) =>
      t.herald.services.posts.create({ accountId: account.id, caption }, { kind: 'system' });
    expect(create('Fresh bread today #bakery').caption).toBe('Fresh bread today #bakery');
    let error: unknown;
    try {
      create('Fresh bread today, warm from the oven at seven');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('Postcards would refuse this post.');
    expect((error as ValidationError).fields.caption?.[0]).toBe(
      'Postcards allows at most 40 characters (this has 46).',
    );
    expect(() => create('Two tags #bread #rolls')).toThrow(ValidationError);
  });
});
