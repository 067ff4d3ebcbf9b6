import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { makeHerald, tempDir, type TestHerald } from '../helpers/herald.js';

// Bluesky needs no developer app: it is offered with no setting at all, and its two URLs are
// checked like every other variable.

const heralds: TestHerald[] = [];
afterAll(async () => {
  for (const t of heralds) await t.close();
});

describe('Bluesky configuration', () => {
  it('defaults to bsky.social and plc.directory, and is configured without any setting', async () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(config.bluesky).toEqual({
      serviceUrl: 'https://bsky.social',
      plcUrl: 'https://plc.directory',
      videoUrl: 'https://video.bsky.app',
    });
    const t = await makeHerald();
    heralds.push(t);
    const network = t.herald.networks.network('bluesky')!;
    expect(network.configured).toBe(true);
    expect(network.connector?.connectWithForm).toBeTypeOf('function');
    expect(t.herald.networks.label('bluesky')).toBe('Bluesky');
  });

  it('takes its own URLs, without a trailing slash', () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      BLUESKY_SERVICE_URL: 'https://pds.example.com/',
      BLUESKY_PLC_URL: 'http://plc.internal:2582',
      BLUESKY_VIDEO_URL: 'https://video.example.com/',
    });
    expect(config.bluesky).toEqual({
      serviceUrl: 'https://pds.example.com',
      plcUrl: 'http://plc.internal:2582',
      videoUrl: 'https://video.example.com',
    });
  });

  it.each(['BLUESKY_SERVICE_URL', 'BLUESKY_PLC_URL', 'BLUESKY_VIDEO_URL'])(
    'refuses a %s that is not a URL, naming it',
    (variable) => {
      let error: unknown;
      try {
        loadConfig({ DATA_DIR: tempDir(), [variable]: 'bsky.social' });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
    },
  );
});
