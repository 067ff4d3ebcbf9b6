import type { CsvExport } from '../services/results-export-service.js';

/** A CSV export as a download, streamed piece by piece (each piece one bounded query). */
export function csvResponse(file: CsvExport): Response {
  const encoder = new TextEncoder();
  const it = file.chunks[Symbol.iterator]();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = it.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file.filename}"`,
      'cache-control': 'no-store',
    },
  });
}
