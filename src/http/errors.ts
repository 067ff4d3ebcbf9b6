import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HeraldError } from '../domain/errors.js';

export const STATUS_OF: Record<HeraldError['code'], ContentfulStatusCode> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
};

/** The JSON API's error body: `{"error": {"code", "message", "details"}}`. */
export function apiError(c: Context, status: ContentfulStatusCode, code: string, message: string, details?: unknown) {
  return c.json({ error: { code, message, ...(details !== undefined ? { details } : {}) } }, status);
}

export function apiErrorFrom(c: Context, err: unknown) {
  if (err instanceof HeraldError) return apiError(c, STATUS_OF[err.code], err.code, err.message, err.details);
  return apiError(c, 500, 'internal', 'Something went wrong on the server; it has been logged.');
}
