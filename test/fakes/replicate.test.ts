import Replicate, { type Prediction } from 'replicate';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeReplicate, METADATA_URL, type OutputTrap } from './replicate.js';
import { rejection } from '../helpers/sdk-errors.js';

const TOKEN = 'r8_test_token';
const MODEL = 'black-forest-labs/flux-schnell';
const VERSION = 'a'.repeat(64);

let fake: FakeReplicate;

beforeEach(async () => {
  fake = new FakeReplicate({ token: TOKEN, versions: { [VERSION]: 'someone/sdxl-ish' } });
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

function client(options: { auth?: string; useFileOutput?: boolean } = {}): Replicate {
  return new Replicate({
    auth: options.auth ?? TOKEN,
    baseUrl: `${fake.url}/v1`,
    useFileOutput: options.useFileOutput ?? false,
  });
}

async function download(url: string): Promise<{ res: Response; bytes: Buffer }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('FakeReplicate through the replicate client', () => {
  it(
    'creates an official-model prediction, polls it to success ' + 'and serves a JPEG of the asked aspect ratio',
    async () => {
      const replicate = client();
      const created = await replicate.predictions.create({
        model: MODEL,
        input: { prompt: 'a lighthouse', aspect_ratio: '4:5', output_format: 'jpg' },
      });
      expect(created.status).toBe('starting');
      expect(created.model).toBe(MODEL);
      expect(created.version).toBe('hidden');
      expect(created.output).toBeNull();
      expect(created.urls.get).toBe(`${fake.url}/v1/predictions/${created.id}`);
      expect(created.urls.cancel).toBe(`${fake.url}/v1/predictions/${created.id}/cancel`);

      const done = await replicate.wait(created, { interval: 50 });
      expect(done.status).toBe('succeeded');
      expect(done.started_at).toBeTypeOf('string');
      expect(done.completed_at).toBeTypeOf('string');
      expect(done.metrics?.predict_time).toBeGreaterThan(0);
      expect(done.logs).toContain('Using seed:');
      expect(Array.isArray(done.output)).toBe(true);
      expect(done.output).toHaveLength(1);

      const url = (done.output as string[])[0]!;
      expect(url).toMatch(new RegExp(`^${fake.deliveryUrl}/delivery/${created.id}/out-0\\.jpg$`));
      const { res, bytes } = await download(url);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.width! / meta.height!).toBeCloseTo(4 / 5, 1);

      const stored = fake.prediction(created.id)!;
      expect(stored.input).toEqual({ prompt: 'a lighthouse', aspect_ratio: '4:5', output_format: 'jpg' });
      expect(fake.pollCount(created.id)).toBeGreaterThanOrEqual(1);
      // The client authenticates with a Bearer token (docs/platforms/replicate.md#predictions), and
      // fetching outputs needs none.
      expect(fake.calls(/\/predictions$/, 'POST')[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(fake.fetchesOf(created.id)[0]?.headers.authorization).toBeUndefined();
    },
  );

  it('returns one URL per num_outputs in the requested format', async () => {
    const replicate = client();
    const created = await replicate.predictions.create({
      model: MODEL,
      input: { prompt: 'x', aspect_ratio: '16:9', num_outputs: 2 },
    });
    const done = await replicate.wait(created, { interval: 20 });
    const urls = done.output as string[];
    expect(urls.map((u) => u.split('/').pop())).toEqual(['out-0.webp', 'out-1.webp']);
    const meta = await sharp((await download(urls[1]!)).bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 1344, 768]);
  });

  it('accepts version-pinned predictions on /v1/predictions', async () => {
    const created = await client().predictions.create({ version: VERSION, input: { prompt: 'x' } });
    expect(created.version).toBe(VERSION);
    expect(created.model).toBe('someone/sdxl-ish');
    expect(fake.calls(/^\/v1\/predictions$/, 'POST')[0]?.body).toMatchObject({
      version: VERSION,
      input: { prompt: 'x' },
    });
  });

  it('advances by polls when the scenario asks for them', async () => {
    fake.nextScenarios({ outcome: 'succeed', startingMs: 0, processingMs: 0, polls: 3 });
    const replicate = client();
    const created = await replicate.predictions.create({ model: MODEL, input: { prompt: 'x' } });
    const done = await replicate.wait(created, { interval: 10 });
    expect(done.status).toBe('succeeded');
    expect(fake.pollCount(created.id)).toBe(3);
  });

  it('makes wait() throw on a failed prediction', async () => {
    fake.nextScenarios({ outcome: 'fail', error: 'CUDA out of memory' });
    const replicate = client();
    const created = await replicate.predictions.create({ model: MODEL, input: { prompt: 'x' } });
    const err = await rejection(replicate.wait(created, { interval: 20 }));
    expect(err.message).toBe('Prediction failed: CUDA out of memory');
    const after = await replicate.predictions.get(created.id);
    expect([after.status, after.error, after.output]).toEqual(['failed', 'CUDA out of memory', null]);
  });

  it('holds a create with Prefer: wait=N and answers the finished prediction', async () => {
    const created = await client().predictions.create({ model: MODEL, input: { prompt: 'x' }, wait: 1 });
    expect(fake.prediction(created.id)?.prefer).toBe('wait=1');
    expect(created.status).toBe('succeeded');
    expect(created.output).toHaveLength(1);
  });

  it('answers the in-progress prediction when the wait runs out', async () => {
    fake.nextScenarios({ outcome: 'slow', startingMs: 0 });
    const started = Date.now();
    const created = await client().predictions.create({ model: MODEL, input: { prompt: 'x' }, wait: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(created.status).toBe('processing');
    expect(created.output).toBeNull();
  });

  it('caps a bare Prefer: wait at maxHoldMs', async () => {
    fake.maxHoldMs = 150;
    fake.nextScenarios({ outcome: 'slow', startingMs: 0 });
    const started = Date.now();
    const created = await client().predictions.create({ model: MODEL, input: { prompt: 'x' }, wait: true });
    expect(fake.prediction(created.id)?.prefer).toBe('wait');
    // A bare wait means 60 s (the fake's own default cap is 5 s); 150 ms plus a busy machine stays far below either.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(created.status).toBe('processing');
  });

  it('answers a wrong token with 401 and a problem-details body', async () => {
    const err = await rejection(
      client({ auth: 'r8_wrong' }).predictions.create({ model: MODEL, input: { prompt: 'x' } }),
    );
    expect(err.name).toBe('ApiError');
    expect(err.response.status).toBe(401);
    expect(err.message).toContain('"title":"Unauthenticated"');
    expect(fake.predictions).toHaveLength(0);
  });

  it('rejects bad input with 422 invalid_fields and an unknown model with 404', async () => {
    const replicate = client();
    const bad = await rejection(
      replicate.predictions.create({ model: MODEL, input: { prompt: '', aspect_ratio: '7:3' } }),
    );
    expect(bad.response.status).toBe(422);
    expect(bad.message).toContain('input.aspect_ratio');
    expect(bad.message).toContain('input.prompt');
    const missing = await rejection(replicate.predictions.create({ model: 'nobody/nothing', input: { prompt: 'x' } }));
    expect(missing.response.status).toBe(404);
  });

  it('throttles creates with 429; the client retries at once, ignoring retry-after', async () => {
    fake.throttle(2);
    const started = Date.now();
    const created = await client().predictions.create({ model: MODEL, input: { prompt: 'x' } });
    expect(created.status).toBe('starting');
    expect(fake.calls(/predictions$/, 'POST')).toHaveLength(3);
    // retry-after said 30 s; the client's retry loop never reads it for a 429 response.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('makes the client give up with a 429 ApiError after six attempts', async () => {
    fake.throttle(10, { retryAfterSeconds: 30 });
    const err = await rejection(client().predictions.create({ model: MODEL, input: { prompt: 'x' } }));
    expect(err.response.status).toBe(429);
    expect(err.response.headers.get('retry-after')).toBe('30');
    expect(err.message).toContain('{"detail":"Request was throttled. Your rate limit resets in ~30s."}');
    expect(fake.calls(/predictions$/, 'POST')).toHaveLength(6);
  });

  it('returns the unfinished output from run() when the sync window ends while processing', async () => {
    fake.maxHoldMs = 150;
    fake.nextScenarios({ outcome: 'slow', startingMs: 0 });
    const output = await client().run(MODEL, { input: { prompt: 'x' } });
    expect(output).toBeNull();
    expect(fake.predictions[0]?.prefer).toBe('wait');
    expect(fake.predictions[0]?.polls).toBe(0);
  });

  it('makes run() poll when the sync window ends while still starting', async () => {
    fake.maxHoldMs = 100;
    fake.nextScenarios({ outcome: 'succeed', startingMs: 300, processingMs: 50 });
    // Default useFileOutput: only https:/data: strings become FileOutput, so the fake's http URLs stay strings.
    const output = (await client({ useFileOutput: true }).run(MODEL, { input: { prompt: 'x' } })) as unknown[];
    expect(output).toHaveLength(1);
    expect(typeof output[0]).toBe('string');
    expect(fake.predictions[0]!.polls).toBeGreaterThanOrEqual(1);
  });

  it('keeps wait() polling an aborted prediction: aborted is not terminal for the client', async () => {
    fake.nextScenarios({ outcome: 'abort', startingMs: 0 });
    const replicate = client();
    const created = await replicate.predictions.create({ model: MODEL, input: { prompt: 'x' } });
    const seen: string[] = [];
    const last = await replicate.wait(created, { interval: 10 }, async (p: Prediction) => {
      seen.push(p.status);
      return seen.length >= 5;
    });
    expect(seen).toEqual(['aborted', 'aborted', 'aborted', 'aborted', 'aborted']);
    expect(last.status).toBe('aborted');
    expect(last.started_at).toBeUndefined();
    expect(fake.pollCount(created.id)).toBe(5);
  });

  it('cancels a running prediction, and wait() returns canceled without throwing', async () => {
    fake.nextScenarios({ outcome: 'slow', startingMs: 0 }, { outcome: 'cancel' });
    const replicate = client();
    const slow = await replicate.predictions.create({ model: MODEL, input: { prompt: 'x' } });
    const canceled = await replicate.predictions.cancel(slow.id);
    expect(canceled.status).toBe('canceled');
    expect((await replicate.wait(slow, { interval: 10 })).status).toBe('canceled');

    const byScenario = await replicate.predictions.create({ model: MODEL, input: { prompt: 'x' } });
    expect((await replicate.wait(byScenario, { interval: 10 })).status).toBe('canceled');
  });

  it('applies a Cancel-After deadline: aborted before start, canceled while running', async () => {
    fake.nextScenarios({ outcome: 'succeed', startingMs: 1_000 }, { outcome: 'slow', startingMs: 0 });
    const replicate = client();
    const create = async () => {
      const res = await replicate.request(`/models/${MODEL}/predictions`, {
        method: 'POST',
        headers: { 'Cancel-After': '100ms' },
        data: { input: { prompt: 'x' } },
      });
      return (await res.json()) as Prediction;
    };
    const neverStarted = await create();
    const running = await create();
    expect(neverStarted.deadline).toBeTypeOf('string');
    await new Promise((r) => setTimeout(r, 150));
    expect((await replicate.predictions.get(neverStarted.id)).status).toBe('aborted');
    expect((await replicate.predictions.get(running.id)).status).toBe('canceled');
  });

  it('drops outputs after data removal', async () => {
    const replicate = client();
    const done = await replicate.wait(await replicate.predictions.create({ model: MODEL, input: { prompt: 'x' } }), {
      interval: 20,
    });
    const url = (done.output as string[])[0]!;
    fake.removeData(done.id);
    const after = await replicate.predictions.get(done.id);
    expect([after.data_removed, after.output]).toEqual([true, null]);
    expect((await download(url)).res.status).toBe(404);
  });

  describe('output traps for download guards', () => {
    async function outputOf(trap: OutputTrap, format = 'jpg'): Promise<string> {
      fake.nextScenarios({ outcome: 'succeed', startingMs: 0, processingMs: 0, output: trap });
      const replicate = client();
      const done = await replicate.wait(
        await replicate.predictions.create({ model: MODEL, input: { prompt: 'x', output_format: format } }),
        { interval: 10 },
      );
      return (done.output as string[])[0]!;
    }

    it('redirects to a private address', async () => {
      const { res } = await download(await outputOf({ kind: 'redirect' }));
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(METADATA_URL);

      const trapped = await outputOf({ kind: 'redirect', to: fake.trapUrl });
      const toTrap = await download(trapped);
      expect(toTrap.res.headers.get('location')).toBe(fake.trapUrl);
      const trapHits = () => fake.fileFetches.filter((f) => f.path.startsWith('/trap/'));
      // A client that does not follow the redirect never reaches the trap...
      expect(trapHits()).toHaveLength(0);
      // ...and one that follows it is seen there and gets the canary: what a download guard is tested against.
      const followed = await fetch(trapped);
      expect(await followed.text()).toMatch(/^ami-id\n/);
      expect(trapHits().map((f) => f.path)).toEqual([new URL(fake.trapUrl).pathname]);
    });

    it('serves HTML behind an image extension and an image content type', async () => {
      const url = await outputOf({ kind: 'html' });
      expect(url).toMatch(/\.jpg$/);
      const { res, bytes } = await download(url);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(bytes.toString('utf8')).toMatch(/^<!doctype html>/);
    });

    it('names a host that is not the delivery host', async () => {
      const url = await outputOf({ kind: 'foreign-host', host: 'localhost' });
      expect(new URL(url).hostname).toBe('localhost');
      expect(new URL(url).port).toBe(new URL(fake.deliveryUrl).port);
      const { bytes } = await download(url);
      expect((await sharp(bytes).metadata()).format).toBe('jpeg');
      expect(fake.fileFetches.at(-1)?.host).toMatch(/^localhost:/);
    });

    it('streams a huge file, with or without Content-Length', async () => {
      for (const declareLength of [true, false]) {
        const url = await outputOf({ kind: 'huge', bytes: 32 * 1024 * 1024, declareLength });
        const res = await fetch(url);
        expect(res.headers.get('content-length')).toBe(declareLength ? String(32 * 1024 * 1024) : null);
        const reader = res.body!.getReader();
        let got = 0;
        let head: Uint8Array | undefined;
        while (got < 1024 * 1024) {
          const { value, done } = await reader.read();
          if (done) break;
          head ??= value;
          got += value.length;
        }
        await reader.cancel();
        expect(got).toBeGreaterThanOrEqual(1024 * 1024);
        expect([head?.[0], head?.[1]]).toEqual([0xff, 0xd8]);
      }
    });
  });
});
