import type { Database } from '../client.js';

/** A post a person approved after changing the AI's caption. */
export interface EditedApprovalRow {
  postId: string;
  aiCaption: string;
  caption: string;
  approvedAt: number;
}

/** A rejection with the reviewer's words, from the event written with it (the post may have been rewritten since). */
export interface RejectionRow {
  postId: string;
  comment: string;
  createdAt: number;
}

export function learningRepo({ stmt }: Database) {
  return {
    /** A client's rejections with a comment since `since`, newest first. */
    rejections(clientId: string, since: number, limit: number): RejectionRow[] {
      return stmt(
        `SELECT json_extract(data, '$.postId') AS postId, json_extract(data, '$.comment') AS comment,
                created_at AS createdAt
           FROM events
          WHERE client_id = ? AND type = 'post.rejected' AND created_at >= ?
            AND coalesce(json_extract(data, '$.comment'), '') != ''
          ORDER BY seq DESC LIMIT ?`,
      ).all(clientId, since, limit) as RejectionRow[];
    },
    /** AI posts a person approved (not "no approval needed") with a caption unlike the AI's, newest first. */
    editedApprovals(clientId: string, since: number, limit: number): EditedApprovalRow[] {
      return stmt(
        `SELECT id AS postId, ai_caption AS aiCaption, caption, approved_at AS approvedAt
           FROM posts
          WHERE client_id = ? AND ai_caption IS NOT NULL AND caption != ai_caption
            AND approved_at >= ? AND approved_by IS NOT NULL AND approved_by != 'no approval needed'
          ORDER BY approved_at DESC LIMIT ?`,
      ).all(clientId, since, limit) as EditedApprovalRow[];
    },
  };
}
