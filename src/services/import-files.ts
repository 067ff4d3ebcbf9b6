// The import's two slow steps, each kept from holding the event loop: reading the CSV in chunks
// (csv-parse's stream) and downloading the media its rows name (a few at a time).
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { HeraldError, ValidationError } from '../domain/errors.js';
import { MAX_IMPORT_ROWS, tooManyRows } from '../domain/post-csv-read.js';
import { FetchRefused, safeDownload } from '../lib/safe-fetch.js';
import type { ServiceDeps } from './deps.js';
import type { MediaService } from './media-service.js';

const MEDIA_MAX_BYTES = 100 * 1024 * 1024;
const MEDIA_TIMEOUT_MS = 30_000;
const MEDIA_CONCURRENCY = 4;
const PARSE_CHUNK_BYTES = 64 * 1024;

/** Each record with the line it starts on in the file (a quoted newline spans lines). */
export async function readCsvRecords(text: string): Promise<Array<{ line: number; cells: string[] }>> {
  const bytes = Buffer.from(text, 'utf8');
  const chunks = function* () {
    for (let i = 0; i < bytes.length; i += PARSE_CHUNK_BYTES) yield bytes.subarray(i, i + PARSE_CHUNK_BYTES);
  };
  const parser = Readable.from(chunks()).pipe(
    parse({ relax_column_count: true, skip_empty_lines: true, info: true, max_record_size: 1024 * 1024 }),
  );
  const out: Array<{ line: number; cells: string[] }> = [];
  // The line a record starts on, counted here: csv-parse counts a CRLF inside quotes as two lines.
  let cursor = 0;
  let line = 1;
  let previousEnd = 0;
  const isBreak = (b: number | undefined) => b === 0x0a || b === 0x0d;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      let start = previousEnd;
      while (start < bytes.length && isBreak(bytes[start])) start++;
      for (; cursor < start; cursor++)
        if (bytes[cursor] === 0x0a || (bytes[cursor] === 0x0d && bytes[cursor + 1] !== 0x0a)) line++;
      out.push({ line, cells: record });
      previousEnd = info.bytes;
      if (out.length > MAX_IMPORT_ROWS + 1) {
        parser.destroy();
        throw tooManyRows();
      }
    }
  } catch (err) {
    if (err instanceof HeraldError) throw err;
    const message = `The file is not valid CSV: ${(err as Error).message}`;
    throw new ValidationError({ file: [message] }, message);
  }
  return out;
}

/**
 * Downloads each URL once through the outbound safety rules (public addresses only unless
 * OUTBOUND_PRIVATE_HOSTS lists the host) and keeps it as the client's media, checked as an upload.
 * Returns each URL's media id, or why it was not kept.
 */
export async function downloadImportMedia(
  { config, log }: ServiceDeps,
  media: MediaService,
  clientId: string,
  urls: readonly string[],
): Promise<Map<string, string | Error>> {
  const done = new Map<string, string | Error>();
  const queueOfUrls = [...urls];
  const worker = async () => {
    for (let url = queueOfUrls.shift(); url !== undefined; url = queueOfUrls.shift()) {
      try {
        const file = await safeDownload(url, {
          allowedHosts: config.outboundPrivateHosts,
          anyPublicHost: true,
          maxBytes: MEDIA_MAX_BYTES,
          timeoutMs: MEDIA_TIMEOUT_MS,
        });
        const name = basename(new URL(file.url).pathname) || 'imported';
        const row = await media.ingest([file.bytes], { clientId, originalName: `import · ${name}` });
        done.set(url, row.id);
      } catch (err) {
        if (!(err instanceof FetchRefused || err instanceof HeraldError)) throw err;
        log.info({ url, reason: err.message }, 'imported media not kept');
        done.set(url, err);
      }
    }
  };
  await Promise.all(Array.from({ length: MEDIA_CONCURRENCY }, worker));
  return done;
}
