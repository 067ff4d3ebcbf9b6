import { readdirSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';

let t: TestHerald;
afterEach(() => t?.close());

it('a PNG going to two Instagram accounts at once is converted to JPEG once', async () => {
  t = await makeHerald();
  const { client } = seedClient(t);
  const { media } = t.herald.services;
  const png = await media.ingest([await makeImage(800, 800, 'png')], { clientId: client.id });
  const [a, b] = await Promise.all([media.jpegKeyFor(png.id), media.jpegKeyFor(png.id)]);
  expect(a).toBe(b);
  expect(a).toMatch(/\.jpg$/);
  expect(readdirSync(t.config.mediaDir).filter((n) => n.endsWith('.jpg'))).toEqual([a]);
  // Made once and kept.
  expect(await media.jpegKeyFor(png.id)).toBe(a);
});
