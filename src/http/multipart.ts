import { Readable } from 'node:stream';
import busboy from 'busboy';
import { PayloadTooLargeError, UnsupportedMediaError, ValidationError } from '../domain/errors.js';
import type { MediaService, StagedFile } from '../services/media-service.js';
import { MAX_UPLOAD_BYTES } from '../services/media-service.js';

export interface UploadResult {
  /** The last value of each text field. */
  fields: Record<string, string>;
  /** Every value of each text field, for repeated ones (checkbox lists). */
  lists: Record<string, string[]>;
  file: StagedFile | null;
  fileName: string | null;
}

/**
 * Reads a multipart upload without holding the file in memory: the `file` part streams straight
 * into the media staging area (type sniffed, size capped), the small text fields are collected.
 * Fields may come before or after the file; the caller decides once everything has arrived.
 */
export async function readUpload(request: Request, media: MediaService): Promise<UploadResult> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) throw new UnsupportedMediaError('Upload with Content-Type: multipart/form-data and a "file" field.');
  if (!request.body) throw ValidationError.field('file', 'is required');
  return new Promise<UploadResult>((resolve, reject) => {
    const fields: Record<string, string> = {};
    const lists: Record<string, string[]> = {};
    let staging: Promise<StagedFile> | null = null;
    let fileName: string | null = null;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      reject(err);
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': type }, limits: { files: 1, fields: 20, fieldSize: 16_384, fileSize: MAX_UPLOAD_BYTES + 1 } });
    } catch {
      throw ValidationError.field('file', 'the multipart body is malformed');
    }
    parser.on('field', (name, value) => {
      fields[name] = value;
      (lists[name] ??= []).push(value);
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || staging) {
        stream.resume();
        return;
      }
      fileName = info.filename ?? null;
      staging = media.stage(stream);
      staging.catch((err: unknown) => {
        stream.resume();
        fail(err);
      });
      stream.on('limit', () => fail(new PayloadTooLargeError('The file is too large.')));
    });
    parser.on('filesLimit', () => undefined);
    parser.on('error', () => fail(ValidationError.field('file', 'the multipart body is malformed')));
    parser.on('close', () => {
      if (failed) {
        void staging?.then((s) => media.discard(s), () => undefined);
        return;
      }
      if (!staging) return resolve({ fields, lists, file: null, fileName });
      staging.then((file) => (failed ? media.discard(file) : resolve({ fields, lists, file, fileName })), fail);
    });
    Readable.fromWeb(request.body as import('node:stream/web').ReadableStream).on('error', fail).pipe(parser);
  });
}
