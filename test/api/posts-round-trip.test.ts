// Export a client's posts, import the file into another client with the same networks and account
// names (dry run, then commit), export again: captions, times, media, labels, first comments and
// surfaces come back the same. Media go out as public URLs and come back through the import's
// download, from Herald itself on a loopback port.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unguardCell } from '../../src/domain/post-csv.js';
import { ManualClock } from '../../src/lib/clock.js';
import { json, makeHerald, seedClient, type TestHerald } from '../helpers/herald.js';
import { makeImage } from '../helpers/media-fixtures.js';

const clock = new ManualClock(Date.parse('2026-03-20T12:00:00Z'));
type Row = Record<string, string>;

describe('export, import into another client, export again', () => {
  let t: TestHerald;
  let server: ReturnType<typeof createServer>;
  let source: ReturnType<typeof seedClient>;
  let target: ReturnType<typeof seedClient>;

  beforeAll(async () => {
    let listener: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
    server = createServer((req, res) => listener!(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Public media URLs point at this server, which the import may fetch from (a loopback address).
    t = await makeHerald({ PUBLIC_URL: base, OUTBOUND_PRIVATE_HOSTS: '127.0.0.1' }, { clock });
    listener = getRequestListener(t.herald.app.fetch);
    source = seedClient(t);
    target = seedClient(t, { name: 'Acme Franchise' });
    t.herald.services.labels.create({ name: 'Launch', color: '#336699' });
    t.herald.services.labels.create({ name: 'Pillar: recipes', color: '#993366' });
    const labelId = (name: string) => t.herald.repos.labels.byName(name)!.id;
    const upload = async (width: number) => {
      const form = new FormData();
      form.set('clientId', source.client.id);
      form.set('file', new Blob([new Uint8Array(await makeImage(width, width))]), `p${width}.jpg`);
      return (await json(await t.api('POST', '/media', form))).id as string;
    };
    const [a, b] = [await upload(1080), await upload(1200)];
    const create = (body: Record<string, unknown>) => t.herald.services.posts.create(body, { kind: 'system' });
    create({
      accountId: source.facebook.id,
      caption: 'Before the clocks change',
      mediaIds: [a, b],
      firstComment: 'Order at https://acme.example\nor call us',
      labels: [labelId('Launch'), labelId('Pillar: recipes')],
      scheduledAt: '2026-03-28T08:00:00.000Z',
      status: 'scheduled',
    });
    create({
      accountId: source.facebook.id,
      caption: '=cmd|\' /C calc\'!A0 and "quotes", commas\nand lines \u202Eבוקר טוב',
      firstComment: '@SUM(1)',
      scheduledAt: '2026-03-30T07:00:00.000Z',
      status: 'scheduled',
    });
    create({ accountId: source.instagram.id, surface: 'story', mediaIds: [b], status: 'draft' });
    create({ accountId: source.facebook.id, caption: '-a draft, no time', labels: [labelId('Launch')] });
  });
  afterAll(async () => {
    await t.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const exportOf = async (clientId: string) => {
    const res = await t.api('GET', `/posts.csv?clientId=${clientId}`);
    expect(res.status).toBe(200);
    return res.text();
  };
  const digest = async (url: string) =>
    createHash('sha256')
      .update(new Uint8Array(await (await fetch(url)).arrayBuffer()))
      .digest('hex');
  // What must survive, with media compared by their bytes (the copies are the other client's files).
  const comparable = async (rows: Row[]) =>
    Promise.all(
      rows.map(async (r) => ({
        network: r.network,
        account_name: r.account_name,
        time: r.time,
        caption: unguardCell(r.caption!),
        media: await Promise.all(r.media_urls!.split(/\s+/).filter(Boolean).map(digest)),
        first_comment: unguardCell(r.first_comment!),
        labels: r.labels,
        surface: r.surface,
        status: r.status,
      })),
    );
  type Key = { caption: string; surface?: string | undefined };
  const byCaption = (a: Key, b: Key) =>
    `${a.surface ?? ''}${a.caption}`.localeCompare(`${b.surface ?? ''}${b.caption}`);

  it('gives back the same captions, times, media, labels, first comments and surfaces', async () => {
    const first = await exportOf(source.client.id);
    const rows = parse(first, { columns: true }) as Row[];
    expect(rows).toHaveLength(4);

    const form = new FormData();
    form.set('clientId', target.client.id);
    form.set('file', new Blob([first]), 'acme-export.csv');
    const dry = await t.api('POST', '/imports', form);
    expect(dry.status).toBe(200);
    const checked = await json(dry);
    expect(checked.rows.filter((r: { ok: boolean }) => !r.ok)).toEqual([]);
    const commit = await t.api('POST', `/imports/${checked.id}/commit`);
    expect(commit.status).toBe(200);
    expect((await json(commit)).committed).toBe(true);

    const again = parse(await exportOf(target.client.id), { columns: true }) as Row[];
    expect(again.every((r) => r.account_id !== '' && !rows.some((o) => o.account_id === r.account_id))).toBe(true);
    const before = (await comparable(rows)).sort(byCaption);
    const after = (await comparable(again)).sort(byCaption);
    expect(after).toEqual(before);
    expect(before.find((r) => r.caption.startsWith('=cmd'))!.time).toBe('2026-03-30T09:00:00+02:00');
    expect(before.find((r) => r.caption.startsWith('Before'))!.media).toHaveLength(2);
  });
});
