import { ValidationError } from '../domain/errors.js';
import { fileTooLarge, MAX_IMPORT_BYTES } from '../domain/post-csv-read.js';
import { openMultipart } from './multipart.js';

/** A CSV upload, held in memory: the file is capped, so a larger one is refused as it arrives. */
export interface CsvUpload {
  fields: Record<string, string>;
  fileName: string;
  bytes: Buffer | null;
}

/** Reads a multipart form with a `file` part of at most MAX_IMPORT_BYTES and a few small fields. */
export async function readCsvUpload(request: Request): Promise<CsvUpload> {
  const { parser, source } = openMultipart(request, {
    files: 1,
    fields: 10,
    fieldSize: 4096,
    fileSize: MAX_IMPORT_BYTES,
  });
  return new Promise<CsvUpload>((resolve, reject) => {
    const result: CsvUpload = { fields: {}, fileName: '', bytes: null };
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      source.unpipe(parser);
      source.resume();
      reject(err);
    };
    parser.on('field', (name, value) => {
      result.fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') return void stream.resume();
      const chunks: Buffer[] = [];
      result.fileName = info.filename ?? '';
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(fileTooLarge()));
      stream.on('end', () => {
        result.bytes = Buffer.concat(chunks);
      });
    });
    parser.on('error', () => fail(ValidationError.field('file', 'the multipart body is malformed')));
    parser.on('close', () => {
      if (!failed) resolve(result);
    });
    source.on('error', (err) => fail(err));
    source.pipe(parser);
  });
}
