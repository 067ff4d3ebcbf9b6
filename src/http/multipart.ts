import { Readable } from 'node:stream';
import busboy from 'busboy';
import { PayloadTooLargeError, RequestTimeoutError, UnsupportedMediaError, ValidationError } from '../domain/errors.js';
import type { MediaService, StagedFile } from '../services/media-service.js';
import { MAX_UPLOAD_BYTES } from '../services/media-service.js';

/** How long an upload may send nothing before it is given up (a phone that lost its network). */
export const UPLOAD_IDLE_TIMEOUT_MS = 60_000;

export interface UploadOptions {
  /** Silence allowed between two pieces of the body; the whole upload may take as long as it needs. */
  readonly idleTimeoutMs?: number;
}

export interface UploadResult {
  /** The last value of each text field. */
  fields: Record<string, string>;
  /** Every value of each text field, for repeated ones (checkbox lists). */
  lists: Record<string, string[]>;
  file: StagedFile | null;
  fileName: string | null;
  /** Every file sent (up to `maxFiles`), in order; `file` is the first. */
  files: Array<{ file: StagedFile; fileName: string | null }>;
}

/**
 * Reads a multipart upload without holding the file in memory: the `file` part streams straight
 * into the media staging area (type sniffed, size capped), the small text fields are collected.
 * Fields may come before or after the file; the caller decides once everything has arrived.
 *
 * A client that disconnects, or stops sending for `idleTimeoutMs`, tears the whole chain down at
 * once: parser, file stream and the staged file (its descriptor closed, the file deleted).
 * Nothing else would end them: a body that never finishes leaves a parser waiting forever.
 */
/**
 * The start every multipart reader shares: the content type checked, busboy set up with the
 * caller's limits (a malformed header is bad input, not a crash) and the request body as a stream.
 */
export function openMultipart(request: Request, limits: busboy.Limits): { parser: busboy.Busboy; source: Readable } {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data'))
    throw new UnsupportedMediaError('Upload with Content-Type: multipart/form-data and a "file" field.');
  if (!request.body) throw ValidationError.field('file', 'is required');
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { 'content-type': type }, limits });
  } catch {
    throw ValidationError.field('file', 'the multipart body is malformed');
  }
  return { parser, source: Readable.fromWeb(request.body as import('node:stream/web').ReadableStream) };
}

export async function readUpload(
  request: Request,
  media: MediaService,
  options: UploadOptions = {},
  /** Several `file` parts (a multi-file form): each is staged in turn, under the same caps. */
  maxFiles = 1,
): Promise<UploadResult> {
  const { parser, source } = openMultipart(request, {
    files: maxFiles,
    fields: 20,
    fieldSize: 16_384,
    fileSize: MAX_UPLOAD_BYTES + 1,
  });
  const idleTimeoutMs = options.idleTimeoutMs ?? UPLOAD_IDLE_TIMEOUT_MS;
  return new Promise<UploadResult>((resolve, reject) => {
    const fields: Record<string, string> = {};
    const lists: Record<string, string[]> = {};
    const stagings: Array<{ staging: Promise<StagedFile>; fileName: string | null }> = [];
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    const settle = () => {
      settled = true;
      clearTimeout(idle);
      request.signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settle();
      reject(err);
    };
    const succeed = (result: UploadResult) => {
      if (settled) {
        for (const f of result.files) media.discard(f.file);
        return;
      }
      settle();
      resolve(result);
    };
    /**
     * Stops parsing for good. Destroying the parser destroys the file part it is feeding, which
     * ends the staging loop with an error; staging then closes its file and deletes it.
     */
    const stop = (err: Error) => {
      fail(err);
      source.unpipe(parser);
      parser.destroy(err);
    };
    // The client is gone: nobody will read an answer, so the connection goes too.
    function onAbort() {
      stop(new ValidationError({ file: ['the upload was interrupted'] }));
      source.destroy();
    }
    // The client is silent but connected: it still gets its 408; the server closes the
    // connection once the answer is out and the rest of the body does not come.
    const armIdle = () => {
      clearTimeout(idle);
      if (settled) return;
      idle = setTimeout(() => {
        const seconds = Math.round(idleTimeoutMs / 1000);
        stop(new RequestTimeoutError(`The upload sent nothing for ${seconds} s and was stopped.`));
      }, idleTimeoutMs);
    };

    parser.on('field', (name, value) => {
      fields[name] = value;
      (lists[name] ??= []).push(value);
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || stagings.length >= maxFiles) {
        stream.resume();
        return;
      }
      const staging = media.stage(stream);
      stagings.push({ staging, fileName: info.filename ?? null });
      staging.catch((err: unknown) => {
        // Refused (type or size): the rest of the part is read and dropped, nothing is written.
        stream.resume();
        fail(err);
      });
      stream.on('limit', () => fail(new PayloadTooLargeError('The file is too large.')));
    });
    parser.on('filesLimit', () => undefined);
    parser.on('error', () => fail(ValidationError.field('file', 'the multipart body is malformed')));
    parser.on('close', () => {
      clearTimeout(idle);
      const discardAll = () => {
        for (const { staging } of stagings)
          void staging.then(
            (s) => media.discard(s),
            () => undefined,
          );
      };
      if (settled) return discardAll();
      Promise.all(stagings.map((s) => s.staging)).then(
        (staged) => {
          const files = staged.map((file, i) => ({ file, fileName: stagings[i]!.fileName }));
          succeed({ fields, lists, file: files[0]?.file ?? null, fileName: files[0]?.fileName ?? null, files });
        },
        (err: unknown) => {
          discardAll();
          fail(err);
        },
      );
    });

    if (request.signal.aborted) return onAbort();
    request.signal.addEventListener('abort', onAbort, { once: true });
    armIdle();
    source.on('data', armIdle);
    // Paused means Herald is behind (the disk), not the client: that silence is not the client's.
    source.on('pause', () => clearTimeout(idle));
    source.on('resume', armIdle);
    source.on('error', onAbort).pipe(parser);
  });
}
