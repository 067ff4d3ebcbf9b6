import type { Database } from '../client.js';

/** One line of a post's publishing history as the export writes it: no request bodies, no attempt ids. */
export interface LogExportRow {
  readonly id: number;
  readonly createdAt: number;
  readonly postId: string;
  readonly platform: string;
  readonly accountName: string;
  readonly step: string;
  readonly level: string;
  readonly message: string;
  readonly code: string | null;
}

/** A client's publishing history, oldest first, a page at a time (keyset on the log id). */
export function postLogsExportRepo({ stmt }: Database) {
  const PAGE = `
    SELECT l.id AS id, l.created_at AS createdAt, l.post_id AS postId, a.platform AS platform,
           a.name AS accountName, l.step AS step, l.level AS level, l.message AS message, l.code AS code
      FROM post_logs l
      JOIN posts p ON p.id = l.post_id
      JOIN accounts a ON a.id = p.account_id
     WHERE p.client_id = ? AND l.id > ?
     ORDER BY l.id
     LIMIT ?`;
  return {
    /** The lines after log id `afterId` (0 for the first page). */
    page(clientId: string, afterId: number, limit: number): LogExportRow[] {
      return stmt(PAGE).all(clientId, afterId, limit) as LogExportRow[];
    },
  };
}
