import { randomBytes } from 'node:crypto';
import busboy from 'busboy';
import type { RecordedRequest, Reply } from './fake-server.js';

/**
 * Graph API plumbing shared by the Meta fake: the error envelope, request parameters (query, JSON,
 * form and multipart bodies all carry the same parameters on Graph), `fields=` selection, cursor
 * paging and the "Meta fetches your media itself" check.
 */

export interface GraphErrorInit {
  message: string;
  code: number;
  subcode?: number;
  userTitle?: string;
  userMsg?: string;
  transient?: boolean;
  /** Extra response headers (rate-limit usage on throttling errors). */
  headers?: Record<string, string>;
}

/**
 * Codes Meta documents as temporary; they come back with is_transient and, for 1/2, HTTP 500
 * (docs/platforms/meta.md#graph-error-codes).
 */
const TRANSIENT_CODES = new Set([-2, -1, 1, 2, 4, 17, 32, 341, 613, 80001, 80002]);

export function fbtraceId(): string {
  return randomBytes(8)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'x');
}

/**
 * Thrown by handlers; becomes the Graph error envelope `{"error":{message,type:"OAuthException",code,...}}`
 * (docs/platforms/meta.md#the-error-envelope).
 */
export class GraphError extends Error {
  constructor(readonly init: GraphErrorInit) {
    super(init.message);
  }

  reply(): Reply {
    const { message, code, subcode, userTitle, userMsg } = this.init;
    const error: Record<string, unknown> = { message, type: 'OAuthException', code };
    if (subcode !== undefined) error.error_subcode = subcode;
    if (userTitle !== undefined) error.error_user_title = userTitle;
    if (userMsg !== undefined) error.error_user_msg = userMsg;
    error.is_transient = this.init.transient ?? TRANSIENT_CODES.has(code);
    error.fbtrace_id = fbtraceId();
    // Graph answers 400 for nearly everything; the "unknown"/"service" codes 1 and 2 come as 500.
    return { status: code === 1 || code === 2 ? 500 : 400, json: { error }, headers: this.init.headers };
  }
}

export function graphError(
  code: number,
  message: string,
  extra: Omit<GraphErrorInit, 'code' | 'message'> = {},
): GraphError {
  return new GraphError({ code, message, ...extra });
}

/** The generic "no such node" answer (code 100, subcode 33). */
export function noSuchObject(id: string, verb: 'get' | 'post' = 'get'): GraphError {
  return graphError(
    100,
    `Unsupported ${verb} request. Object with ID '${id}' does not exist, ` +
      'cannot be loaded due to missing permissions, or does not support this operation. ' +
      'Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api',
    { subcode: 33 },
  );
}

export function missingParam(name: string): GraphError {
  return graphError(100, `(#100) The parameter ${name} is required`);
}

// ---------------------------------------------------------------------------------------------
// Parameters

export interface UploadedFile {
  data: Buffer;
  mimeType: string;
  filename: string;
}

/** Every parameter of a Graph call: query string, then body (JSON, form or multipart fields). */
export interface GraphParams {
  values: Record<string, unknown>;
  files: Map<string, UploadedFile>;
}

async function parseMultipart(contentType: string, raw: Buffer): Promise<GraphParams> {
  const values: Record<string, unknown> = {};
  const files = new Map<string, UploadedFile>();
  await new Promise<void>((resolve, reject) => {
    const parser = busboy({ headers: { 'content-type': contentType } });
    parser.on('field', (name, value) => (values[name] = value));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () =>
        files.set(name, { data: Buffer.concat(chunks), mimeType: info.mimeType, filename: info.filename ?? '' }),
      );
    });
    parser.on('close', () => resolve());
    parser.on('error', reject);
    parser.end(raw);
  });
  return { values, files };
}

export async function readParams(req: RecordedRequest): Promise<GraphParams> {
  const values: Record<string, unknown> = { ...req.query };
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const parsed = await parseMultipart(type, req.raw);
    return { values: { ...values, ...parsed.values }, files: parsed.files };
  }
  if (req.body && !Buffer.isBuffer(req.body) && typeof req.body === 'object') {
    if ('__invalidJson' in req.body) throw graphError(100, '(#100) Request body is not valid JSON');
    Object.assign(values, req.body);
  }
  return { values, files: new Map() };
}

export function str(p: GraphParams, name: string): string | undefined {
  const v = p.values[name];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function requireStr(p: GraphParams, name: string): string {
  const v = str(p, name);
  if (v === undefined || v === '') throw missingParam(name);
  return v;
}

/** Graph booleans arrive as JSON booleans or as "true"/"false"/"1"/"0" strings. */
export function bool(p: GraphParams, name: string, fallback: boolean): boolean {
  const v = p.values[name];
  if (v === undefined || v === null || v === '') return fallback;
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  if (v === false || v === 'false' || v === '0' || v === 0) return false;
  throw graphError(100, `(#100) Param ${name} must be a boolean`);
}

/**
 * A list parameter such as `attached_media`: a JSON array (JSON body), a JSON string (form body),
 * or PHP-style `attached_media[0]=...` keys (form body, as Mixpost sends it).
 */
export function list(p: GraphParams, name: string): unknown[] | undefined {
  const direct = p.values[name];
  const decode = (v: unknown): unknown => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      throw graphError(100, `(#100) Param ${name} must be an array`);
    }
  };
  if (direct !== undefined) {
    const value = decode(direct);
    if (!Array.isArray(value)) throw graphError(100, `(#100) Param ${name} must be an array`);
    return value;
  }
  const indexed = Object.keys(p.values)
    .map((k) => ({ k, m: new RegExp(`^${name}\\[(\\d+)\\]$`).exec(k) }))
    .filter((e): e is { k: string; m: RegExpExecArray } => e.m !== null)
    .sort((a, b) => Number(a.m[1]) - Number(b.m[1]));
  return indexed.length ? indexed.map((e) => decode(p.values[e.k])) : undefined;
}

// ---------------------------------------------------------------------------------------------
// fields=

export interface FieldSpec {
  name: string;
  /** Text inside `{...}` for nested selections such as `instagram_business_account{id,username}`. */
  sub?: string;
}

/** Splits `id,name,picture.type(large),instagram_business_account{id,username}` at top-level commas. */
export function parseFields(text: string): FieldSpec[] {
  const out: FieldSpec[] = [];
  let depth = 0;
  let start = 0;
  const push = (part: string): void => {
    const trimmed = part.trim();
    if (!trimmed) return;
    const m = /^([A-Za-z0-9_]+)(.*)$/s.exec(trimmed);
    if (!m) throw graphError(100, `(#100) Syntax error in fields: ${trimmed}`);
    const brace = /\{(.*)\}/s.exec(m[2] ?? '');
    out.push(brace ? { name: m[1]!, sub: brace[1] } : { name: m[1]! });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      push(text.slice(start, i));
      start = i + 1;
    }
  }
  push(text.slice(start));
  return out;
}

export type FieldGetters = Record<string, (sub?: string) => unknown>;

/**
 * Answers only the requested fields (always with `id`, as Graph does). Asking for a field the node
 * type does not have is an error on Graph, so it is one here too: a typo never passes silently.
 */
export function selectFields(
  nodeType: string,
  getters: FieldGetters,
  fields: string | undefined,
  defaults: string[],
): Record<string, unknown> {
  const specs: FieldSpec[] = fields ? parseFields(fields) : defaults.map((name) => ({ name }));
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const get = getters[spec.name];
    if (!get)
      throw graphError(100, `(#100) Tried accessing nonexisting field (${spec.name}) on node type (${nodeType})`);
    const value = get(spec.sub);
    if (value !== undefined) out[spec.name] = value;
  }
  if (!('id' in out) && getters.id) out.id = getters.id();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paging

function encodeCursor(index: number): string {
  return Buffer.from(`cursor:${index}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^cursor:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw graphError(100, '(#100) Invalid cursor');
  return Number(m[1]);
}

/**
 * Cursor paging as Graph does it: `paging.cursors.{before,after}` plus absolute `next`/`previous`
 * URLs that repeat the original query (access_token included) — clients follow `paging.next` until
 * it is absent (docs/platforms/meta.md#listing-pages).
 */
export function paginate<T>(
  items: T[],
  query: Record<string, string>,
  selfUrl: string,
  defaultLimit = 25,
): { data: T[]; paging?: unknown } {
  const limit = Math.min(Math.max(Number(query.limit ?? defaultLimit) || defaultLimit, 1), 100);
  let start = 0;
  let end = items.length;
  if (query.after) start = decodeCursor(query.after) + 1;
  if (query.before) {
    end = decodeCursor(query.before);
    start = Math.max(0, end - limit);
  }
  const page = items.slice(start, Math.min(end, start + limit));
  if (page.length === 0) return { data: [] };
  const first = start;
  const last = start + page.length - 1;
  const link = (cursor: Record<string, string>): string => {
    const q = new URLSearchParams({ ...query });
    q.delete('after');
    q.delete('before');
    for (const [k, v] of Object.entries(cursor)) q.set(k, v);
    return `${selfUrl}?${q.toString()}`;
  };
  const paging: Record<string, unknown> = { cursors: { before: encodeCursor(first), after: encodeCursor(last) } };
  if (last < items.length - 1) paging.next = link({ limit: String(limit), after: encodeCursor(last) });
  if (first > 0) paging.previous = link({ limit: String(limit), before: encodeCursor(first) });
  return { data: page, paging };
}

// ---------------------------------------------------------------------------------------------
// Media fetching

export interface FetchedMedia {
  url: string;
  /** HTTP status, 0 when the connection failed. */
  status: number;
  contentType: string;
  bytes: Buffer;
  /** Why the fetch is unusable, or null when it was a plain 200. */
  problem: string | null;
}

/**
 * Meta downloads `url`/`file_url`/`image_url`/`video_url` itself at request time: public, no auth,
 * no redirects (docs/platforms/meta.md#containers). Redirects are not followed: a 3xx is a failure.
 */
export async function fetchMedia(url: string, timeoutMs: number): Promise<FetchedMedia> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const bytes = Buffer.from(await res.arrayBuffer());
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const problem =
      res.status >= 300 && res.status < 400
        ? `redirected (${res.status})`
        : res.status !== 200
          ? `HTTP ${res.status}`
          : null;
    return { url, status: res.status, contentType, bytes, problem };
  } catch (err) {
    return {
      url,
      status: 0,
      contentType: '',
      bytes: Buffer.alloc(0),
      problem: `unreachable: ${(err as Error).message}`,
    };
  }
}

/** True for bytes that are really a JPEG (a .jpg that is an HTML page is not). */
export function isJpeg(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** ISO base media (MP4/MOV): a `ftyp` box first. */
export function isIsoVideo(bytes: Buffer): boolean {
  return bytes.length >= 12 && bytes.toString('latin1', 4, 8) === 'ftyp';
}

/** Graph's time format, e.g. `2026-05-01T12:00:00+0000`. */
export function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

// ---------------------------------------------------------------------------------------------
// Video facts (Reels and Stories checks, docs/platforms/meta-surfaces.md)

export interface Mp4Facts {
  durationMs: number | null;
  width: number | null;
  height: number | null;
  fps: number | null;
}

/**
 * What Meta reads from an MP4's header before accepting a Reel or Story: duration (mvhd), frame
 * size (tkhd) and frame rate (mdhd timescale with the stts sample table). A plain walk over an
 * in-memory file; Herald's own reader is not used, so the fake checks it independently.
 */
export function mp4Facts(bytes: Buffer): Mp4Facts {
  const facts: Mp4Facts = { durationMs: null, width: null, height: null, fps: null };
  let timescale = 0;
  const walk = (start: number, end: number, path: string): void => {
    let at = start;
    while (at + 8 <= end) {
      const size = bytes.readUInt32BE(at);
      const type = bytes.toString('latin1', at + 4, at + 8);
      if (size < 8 || at + size > end) return;
      const body = bytes.subarray(at + 8, at + size);
      const here = `${path}/${type}`;
      if (
        ['/moov', '/moov/trak', '/moov/trak/mdia', '/moov/trak/mdia/minf', '/moov/trak/mdia/minf/stbl'].includes(here)
      )
        walk(at + 8, at + size, here);
      else if (here === '/moov/mvhd' && body[0] === 0)
        facts.durationMs = Math.round((body.readUInt32BE(16) / body.readUInt32BE(12)) * 1000);
      else if (here === '/moov/trak/tkhd' && body[0] === 0 && facts.width === null && body.readUInt32BE(76) > 0) {
        facts.width = Math.round(body.readUInt32BE(76) / 65536);
        facts.height = Math.round(body.readUInt32BE(80) / 65536);
      } else if (here === '/moov/trak/mdia/mdhd' && body[0] === 0) timescale = body.readUInt32BE(12);
      else if (here === '/moov/trak/mdia/minf/stbl/stts' && facts.fps === null && timescale > 0) {
        let samples = 0;
        let ticks = 0;
        for (let i = 0; i < body.readUInt32BE(4); i++) {
          samples += body.readUInt32BE(8 + i * 8);
          ticks += body.readUInt32BE(8 + i * 8) * body.readUInt32BE(12 + i * 8);
        }
        if (ticks > 0) facts.fps = (samples * timescale) / ticks;
      }
      at += size;
    }
  };
  walk(0, bytes.length, '');
  return facts;
}
