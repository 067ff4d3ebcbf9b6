import { Hono, type Context } from 'hono';
import type { ClientRow, MediaRow } from '../../../db/repos/index.js';
import { HeraldError, ValidationError } from '../../../domain/errors.js';
import { MediaItem, MediaLibraryPage, type LibraryItem } from '../../../../views/pages/media-library.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { STATUS_OF } from '../../errors.js';
import { readUpload } from '../../multipart.js';
import { formOf, pageContext, render, setFlash } from '../../render.js';
import { isHtmx, redirectTo } from '../../session.js';

const PAGE_SIZE = 48;
/** The plain form (no JavaScript) may send this many files at once; the page's script sends one per request. */
const MAX_FORM_FILES = 20;

export function mediaRoutes(deps: AppDeps) {
  const { services } = deps;
  const { media } = services;
  const app = new Hono<AppEnv>();

  function items(rows: readonly MediaRow[]): LibraryItem[] {
    const usage = media.usage(rows.map((r) => r.id));
    return rows.map((row) => {
      const key = row.thumbKey ?? row.posterKey ?? (row.mime.startsWith('image/') ? row.key : null);
      return { row, url: media.url(row.key), preview: key ? `/media/${key}` : null, uses: usage.get(row.id) ?? [] };
    });
  }

  function mediaOf(client: ClientRow, id: string): MediaRow {
    return media.get(id, { clientId: client.id });
  }

  app.get('/clients/:id/media', async (c) => {
    const client = services.clients.get(c.req.param('id'));
    const q = c.req.query('q') ?? '';
    const page = media.search(client.id, q, PAGE_SIZE, c.req.query('cursor'));
    // Files from before thumbnails existed get theirs now, in the background.
    media.backfill(page.data);
    const data = { client, items: items(page.data), q, next: page.nextCursor, ffmpeg: await media.ffmpegStatus() };
    return render(c, <MediaLibraryPage page={pageContext(c)} data={data} />);
  });

  /**
   * Upload: the page's script sends one file per request (Accept: application/json) and shows
   * its progress; a browser without JavaScript sends the whole multi-file form here.
   */
  app.post('/clients/:id/media', async (c) => {
    const client = services.clients.get(c.req.param('id'));
    const json = (c.req.header('accept') ?? '').includes('application/json');
    const back = `/clients/${client.id}/media`;
    const refuse = (err: HeraldError) => {
      if (json) return c.json({ error: { code: err.code, message: err.message } }, STATUS_OF[err.code]);
      setFlash(c, 'error', err.message);
      return redirectTo(c, back);
    };
    let upload: Awaited<ReturnType<typeof readUpload>>;
    try {
      upload = await readUpload(c.req.raw, media, deps.uploads, json ? 1 : MAX_FORM_FILES);
    } catch (err) {
      if (err instanceof HeraldError) return refuse(err);
      throw err;
    }
    if (!upload.files.length) return refuse(ValidationError.field('file', 'choose a file to upload'));
    const rows: MediaRow[] = [];
    for (const [i, f] of upload.files.entries()) {
      try {
        rows.push(media.commit(f.file, { clientId: client.id, originalName: f.fileName, actor: c.var.actor }));
      } catch (err) {
        for (const rest of upload.files.slice(i + 1)) media.discard(rest.file);
        throw err;
      }
    }
    // An image's thumbnail takes a moment: wait, so the grid shows it at once. A video's poster is not waited for.
    await Promise.all(rows.filter((r) => r.mime.startsWith('image/')).map((r) => media.derived(r.id)));
    if (json) {
      const row = rows[0]!;
      return c.json({ id: row.id, name: row.name, mime: row.mime }, 201);
    }
    setFlash(c, 'ok', rows.length === 1 ? `"${rows[0]!.name}" uploaded.` : `${rows.length} files uploaded.`);
    return redirectTo(c, back);
  });

  app.post('/clients/:id/media/:mediaId/delete', (c) => {
    const client = services.clients.get(c.req.param('id'));
    const row = mediaOf(client, c.req.param('mediaId'));
    try {
      media.delete(row.id, c.var.actor, { clientId: client.id });
      setFlash(c, 'ok', `"${row.name}" deleted.`);
    } catch (err) {
      if (!(err instanceof HeraldError) || err.code === 'not_found') throw err;
      setFlash(c, 'error', err.message);
    }
    return redirectTo(c, `/clients/${client.id}/media`);
  });

  /** Inline edit of the name and alt text: htmx swaps the tile; a plain form goes back to the page. */
  app.post('/clients/:id/media/:mediaId', async (c: Context<AppEnv>) => {
    const client = services.clients.get(c.req.param('id') ?? '');
    const row = mediaOf(client, c.req.param('mediaId') ?? '');
    const form = await formOf(c);
    const values = { name: form.name ?? '', altText: (form.altText ?? '').replace(/\r\n/g, '\n') };
    const inPlace = isHtmx(c) && c.req.header('hx-boosted') !== 'true';
    const csrf = pageContext(c).csrf;
    try {
      const updated = media.update(row.id, values, c.var.actor, { clientId: client.id });
      if (inPlace) return render(c, <MediaItem item={items([updated])[0]!} clientId={client.id} csrf={csrf} />);
      setFlash(c, 'ok', `"${updated.name}" saved.`);
      return redirectTo(c, `/clients/${client.id}/media`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      if (inPlace)
        return render(
          c,
          <MediaItem item={items([row])[0]!} clientId={client.id} csrf={csrf} errors={err.fields} values={values} />,
          422,
        );
      setFlash(
        c,
        'error',
        Object.entries(err.fields)
          .map(([k, v]) => `${k} ${v.join(', ')}`)
          .join('; '),
      );
      return redirectTo(c, `/clients/${client.id}/media`);
    }
  });

  return app;
}
