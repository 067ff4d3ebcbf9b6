import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { makeHerald, seedClient, tempDir } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';

// A thumbnail is made in the background after an upload. Stopping the server waits for it: the file and the row that
// names it are both written before the database closes, and nothing is written into the data directory afterwards.

describe('stopping while thumbnails are being made', () => {
  const dataDir = tempDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes every thumbnail and its row before the database closes', async () => {
    const t = await makeHerald({}, { dataDir });
    const { client } = seedClient(t);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(
        (await t.herald.services.media.ingest([await makeImage(2400 + i * 8, 1600)], { clientId: client.id })).id,
      );
    // Straight after the upload, while the thumbnails are still being made.
    await t.close();

    const mediaDir = join(dataDir, 'media');
    const files = readdirSync(mediaDir).sort();
    const db = new Database(join(dataDir, 'herald.db'), { readonly: true });
    const keys = db
      .prepare(`SELECT thumb_key AS thumbKey FROM media WHERE id IN (${ids.map(() => '?').join(',')})`)
      .all(...ids) as Array<{ thumbKey: string | null }>;
    db.close();
    expect(keys).toHaveLength(ids.length);
    for (const { thumbKey } of keys) {
      expect(thumbKey).not.toBeNull();
      expect(files).toContain(thumbKey);
    }
    // Nothing arrives later.
    await new Promise((r) => setTimeout(r, 300));
    expect(readdirSync(mediaDir).sort()).toEqual(files);
  });
});
