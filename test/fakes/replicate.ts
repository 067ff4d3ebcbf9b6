import { randomBytes, randomInt } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, pipeline } from 'node:stream';
import sharp from 'sharp';
import { FakeServer, type RecordedRequest, type Reply } from './fake-server.js';

/**
 * A local Replicate predictions API (docs/platforms/replicate.md). Herald's real `replicate` client talks to it
 * with `baseUrl = fake.url + '/v1'`.
 *
 * Output files are served by a second listener (`deliveryUrl`), the way real outputs live on
 * `replicate.delivery` rather than on the API host (docs/platforms/replicate.md#output-retention); it
 * answers with raw bytes, which the JSON/text replies of FakeServer cannot carry.
 */

/** What a prediction ends as: `slow` succeeds too, but only after a long time in `processing`. */
export type Outcome = 'succeed' | 'fail' | 'slow' | 'cancel' | 'abort';

/** Hostile or odd output files, for the client's download guards. */
export type OutputTrap =
  /** The output URL answers 302 to `to` (default the cloud metadata address). */
  | { kind: 'redirect'; to?: string }
  /** The output URL keeps its image extension and `Content-Type: image/jpeg` but serves HTML. */
  | { kind: 'html' }
  /** The output URL names a host that is not the delivery host (default `localhost`); it serves a real image. */
  | { kind: 'foreign-host'; host?: string }
  /** A JPEG-looking file of `bytes` (default 64 MiB), with or without Content-Length. */
  | { kind: 'huge'; bytes?: number; declareLength?: boolean };

export interface Scenario {
  outcome: Outcome;
  /** Time in `starting` (cold boot); for `abort`, the time until it is aborted. Default 20 ms. */
  startingMs?: number;
  /** Time in `processing` before the outcome. Default 60 ms; 10 minutes for `slow`. */
  processingMs?: number;
  /** Also require this many GET polls before the outcome is reported. */
  polls?: number;
  /** The `error` of a failed prediction. */
  error?: string;
  output?: OutputTrap;
}

type Status = 'starting' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'aborted';
const TERMINAL: ReadonlySet<Status> = new Set(['succeeded', 'failed', 'canceled', 'aborted']);

/** A prediction as the fake keeps it; `json` is what the API would answer now. */
export interface StoredPrediction {
  id: string;
  model: string;
  version: string;
  input: Record<string, unknown>;
  scenario: Scenario;
  status: Status;
  output: string[] | null;
  error: string | null;
  logs: string;
  /** GET /v1/predictions/{id} calls so far. */
  polls: number;
  createdAt: number;
  startedAt?: number;
  completedAt?: number;
  deadline?: number;
  webhook?: string;
  webhookEventsFilter?: string[];
  /** The `Prefer` header the create call carried, if any. */
  prefer?: string;
  dataRemoved: boolean;
  seed: number;
}

export interface FileFetch {
  method: string;
  path: string;
  host: string;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface FakeReplicateOptions {
  /** The only token accepted in `Authorization: Bearer <token>`. */
  token?: string;
  /** Official models served on `/v1/models/{owner}/{name}/predictions`. */
  models?: string[];
  /** Version id → model name for `/v1/predictions` (any 64-hex version is accepted). */
  versions?: Record<string, string>;
  defaultScenario?: Scenario;
  /** Longest a `Prefer: wait` request is held (real: up to 60 s; keep small in tests). */
  maxHoldMs?: number;
}

/** flux-schnell output sizes per aspect ratio (replicate/cog-flux predict.py). */
export const FLUX_SIZES: Record<string, [number, number]> = {
  '1:1': [1024, 1024],
  '16:9': [1344, 768],
  '21:9': [1536, 640],
  '3:2': [1216, 832],
  '2:3': [832, 1216],
  '4:5': [896, 1088],
  '5:4': [1088, 896],
  '3:4': [896, 1152],
  '4:3': [1152, 896],
  '9:16': [768, 1344],
  '9:21': [640, 1536],
};
const FORMATS = ['webp', 'jpg', 'png'] as const;
type Format = (typeof FORMATS)[number];

const CREATE_PATH = /^\/v1\/(models\/[^/]+\/[^/]+\/)?predictions$/;
const MODEL_CREATE = /^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/;
const ONE = /^\/v1\/predictions\/([^/]+)$/;
const CANCEL = /^\/v1\/predictions\/([^/]+)\/cancel$/;
const FILE = /^\/delivery\/([^/]+)\/out-(\d+)\.(\w+)$/;
export const METADATA_URL = 'http://169.254.169.254/latest/meta-data/';

/**
 * Replicate's problem-details style error body (docs/platforms/replicate.md#rate-limits-and-errors;
 * exact shape unverified).
 */
function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Reply {
  return { status, json: { title, detail, status, ...extra } };
}

/** Ids look like Replicate's: 26 lowercase base-32 characters. */
function predictionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from(randomBytes(26), (b) => alphabet[b % 32]).join('');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * `Cancel-After` durations: Go-style `30s`, `1m`, `1h30m`, `500ms`
 * (docs/platforms/replicate.md#prediction-lifecycle).
 */
function parseDuration(text: string): number | null {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

/**
 * Whole-second hold a `Prefer` header asks for, or null (docs/platforms/replicate.md#predictions:
 * `wait` is 60 s, `wait=N` is 1–60).
 */
function preferWaitSeconds(prefer: string | undefined): number | null {
  const m = prefer?.match(/(?:^|[;,\s])wait(?:=(\d+))?(?:$|[;,\s])/);
  if (!m) return null;
  return Math.min(60, Math.max(1, m[1] === undefined ? 60 : Number(m[1])));
}

export class FakeReplicate extends FakeServer {
  token: string;
  models: string[];
  versions: Record<string, string>;
  defaultScenario: Scenario;
  maxHoldMs: number;
  /** Every prediction created, in order. */
  readonly predictions: StoredPrediction[] = [];
  /** Every request to the delivery host (output files and the metadata trap). */
  readonly fileFetches: FileFetch[] = [];
  /** Base URL of the output-file host. */
  deliveryUrl = '';

  private readonly scenarios: Scenario[] = [];
  private readonly imageCache = new Map<string, Promise<Buffer>>();
  private delivery: Server | null = null;

  constructor(options: FakeReplicateOptions = {}) {
    super('replicate');
    this.token = options.token ?? 'r8_test_token';
    this.models = options.models ?? ['black-forest-labs/flux-schnell'];
    this.versions = options.versions ?? {};
    this.defaultScenario = options.defaultScenario ?? { outcome: 'succeed' };
    this.maxHoldMs = options.maxHoldMs ?? 5_000;
    this.route(
      'POST',
      MODEL_CREATE,
      this.authed((req) => this.create(req)),
    );
    this.route(
      'POST',
      /^\/v1\/predictions$/,
      this.authed((req) => this.create(req)),
    );
    this.route(
      'GET',
      /^\/v1\/predictions$/,
      this.authed(() => this.list()),
    );
    this.route(
      'GET',
      ONE,
      this.authed((req) => this.get(req)),
    );
    this.route(
      'POST',
      CANCEL,
      this.authed((req) => this.cancel(req)),
    );
  }

  override async start(): Promise<string> {
    const url = await super.start();
    this.delivery = createServer((req, res) => void this.serveFile(req, res));
    await new Promise<void>((resolve) => this.delivery!.listen(0, '127.0.0.1', resolve));
    this.deliveryUrl = `http://127.0.0.1:${(this.delivery.address() as AddressInfo).port}`;
    return url;
  }

  override async stop(): Promise<void> {
    this.delivery?.closeAllConnections();
    await new Promise<void>((resolve) => (this.delivery ? this.delivery.close(() => resolve()) : resolve()));
    await super.stop();
  }

  // ---- controls ----

  /** Scenarios for the next predictions, in order; later ones use `defaultScenario`. */
  nextScenarios(...scenarios: Scenario[]): this {
    this.scenarios.push(...scenarios);
    return this;
  }

  /**
   * Answer the next `n` create calls (or all API calls) 429 with the documented body
   * (docs/platforms/replicate.md#rate-limits-and-errors).
   */
  throttle(n: number, options: { retryAfterSeconds?: number; on?: 'create' | 'any' } = {}): this {
    const seconds = options.retryAfterSeconds ?? 30;
    return this.inject({
      ...(options.on === 'any' ? { path: /^\/v1\// } : { method: 'POST', path: CREATE_PATH }),
      times: n,
      fault: {
        kind: 'status',
        status: 429,
        body: { detail: `Request was throttled. Your rate limit resets in ~${seconds}s.` },
        headers: { 'retry-after': String(seconds) },
      },
    });
  }

  /**
   * What happens after the 1 h retention window (docs/platforms/replicate.md#output-retention): output
   * files 404, `data_removed: true`.
   */
  removeData(id: string): void {
    const p = this.mustFind(id);
    p.dataRemoved = true;
  }

  // ---- inspection ----

  prediction(id: string): StoredPrediction | undefined {
    return this.predictions.find((p) => p.id === id);
  }

  pollCount(id: string): number {
    return this.mustFind(id).polls;
  }

  /** The prediction as the API would answer it now. */
  view(id: string): Record<string, unknown> {
    const p = this.mustFind(id);
    this.advance(p);
    return this.json(p);
  }

  /** A URL on the delivery host that records being fetched and answers a canary body. */
  get trapUrl(): string {
    return `${this.deliveryUrl}/trap/latest/meta-data/`;
  }

  /** Fetches of one prediction's output files. */
  fetchesOf(id: string): FileFetch[] {
    return this.fileFetches.filter((f) => f.path.startsWith(`/delivery/${id}/`));
  }

  // ---- API ----

  private authed(
    handler: (req: RecordedRequest) => Reply | Promise<Reply>,
  ): (req: RecordedRequest) => Reply | Promise<Reply> {
    return (req) =>
      req.headers.authorization === `Bearer ${this.token}`
        ? handler(req)
        : problem(401, 'Unauthenticated', 'You did not pass a valid authentication token');
  }

  private mustFind(id: string): StoredPrediction {
    const p = this.prediction(id);
    if (!p) throw new Error(`replicate fake: no prediction ${id}`);
    return p;
  }

  private async create(req: RecordedRequest): Promise<Reply> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    let model: string;
    let version: string;
    const official = req.path.match(MODEL_CREATE);
    if (official) {
      model = `${official[1]}/${official[2]}`;
      version = 'hidden';
      if (!this.models.includes(model))
        return problem(404, 'Model not found', `The requested model ${model} could not be found.`);
    } else {
      version = typeof body.version === 'string' ? body.version : '';
      if (!/^[0-9a-f]{64}$/.test(version)) {
        return problem(
          422,
          'Invalid version or not permitted',
          "The specified version does not exist (or perhaps you don't have permission to use it?)",
        );
      }
      model = this.versions[version] ?? 'community/model';
    }
    const input = body.input;
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      return problem(422, 'Input validation failed', '- input: input is required\n', {
        invalid_fields: [{ type: 'required', field: 'input', description: 'input is required' }],
      });
    }
    const invalid = this.validateInput(input as Record<string, unknown>);
    if (invalid) return invalid;

    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const cancelAfter = header('cancel-after');
    let deadline: number | undefined;
    if (cancelAfter !== undefined) {
      const ms = parseDuration(cancelAfter);
      if (ms === null)
        return problem(400, 'Invalid Cancel-After header', `Could not parse duration ${JSON.stringify(cancelAfter)}`);
      deadline = Date.now() + ms;
    }

    const p: StoredPrediction = {
      id: predictionId(),
      model,
      version,
      input: input as Record<string, unknown>,
      scenario: this.scenarios.shift() ?? this.defaultScenario,
      status: 'starting',
      output: null,
      error: null,
      logs: '',
      polls: 0,
      createdAt: Date.now(),
      deadline,
      webhook: typeof body.webhook === 'string' ? body.webhook : undefined,
      webhookEventsFilter: Array.isArray(body.webhook_events_filter)
        ? (body.webhook_events_filter as string[])
        : undefined,
      prefer: header('prefer'),
      dataRemoved: false,
      seed:
        typeof (input as { seed?: unknown }).seed === 'number' ? (input as { seed: number }).seed : randomInt(65_536),
    };
    this.predictions.push(p);

    // Sync mode (docs/platforms/replicate.md#predictions): hold the request until the prediction is
    // done or the wait runs out, then answer whatever state it reached.
    const wait = preferWaitSeconds(p.prefer);
    if (wait !== null) {
      const until = Date.now() + Math.min(wait * 1000, this.maxHoldMs);
      for (;;) {
        this.advance(p);
        if (TERMINAL.has(p.status) || Date.now() >= until) break;
        await sleep(Math.min(10, until - Date.now()));
      }
    }
    this.advance(p);
    return { status: 201, json: this.json(p) };
  }

  /**
   * flux-schnell input checks (docs/platforms/replicate.md#flux-schnell-input), answered as Replicate's
   * 422 with `invalid_fields`.
   */
  private validateInput(input: Record<string, unknown>): Reply | null {
    const issues: Array<{ type: string; field: string; description: string }> = [];
    if (typeof input.prompt !== 'string' || input.prompt.trim() === '')
      issues.push({ type: 'required', field: 'input.prompt', description: 'prompt is required' });
    if (input.aspect_ratio !== undefined && !(String(input.aspect_ratio) in FLUX_SIZES)) {
      issues.push({
        type: 'enum',
        field: 'input.aspect_ratio',
        description: `aspect_ratio must be one of: ${Object.keys(FLUX_SIZES).join(', ')}`,
      });
    }
    if (input.output_format !== undefined && !FORMATS.includes(input.output_format as Format)) {
      issues.push({
        type: 'enum',
        field: 'input.output_format',
        description: 'output_format must be one of: webp, jpg, png',
      });
    }
    const n = input.num_outputs;
    if (n !== undefined && !(Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 4)) {
      issues.push({ type: 'range', field: 'input.num_outputs', description: 'num_outputs must be between 1 and 4' });
    }
    if (input.megapixels !== undefined && !['1', '0.25'].includes(String(input.megapixels))) {
      issues.push({ type: 'enum', field: 'input.megapixels', description: 'megapixels must be one of: 1, 0.25' });
    }
    if (issues.length === 0) return null;
    return problem(422, 'Input validation failed', issues.map((i) => `- ${i.field}: ${i.description}\n`).join(''), {
      invalid_fields: issues,
    });
  }

  private get(req: RecordedRequest): Reply {
    const p = this.prediction(req.path.match(ONE)![1]!);
    if (!p) return problem(404, 'Not found', 'The requested prediction could not be found.');
    p.polls++;
    this.advance(p);
    return { json: this.json(p) };
  }

  private cancel(req: RecordedRequest): Reply {
    const p = this.prediction(req.path.match(CANCEL)![1]!);
    if (!p) return problem(404, 'Not found', 'The requested prediction could not be found.');
    this.advance(p);
    if (!TERMINAL.has(p.status)) this.finish(p, 'canceled', Date.now());
    return { json: this.json(p) };
  }

  private list(): Reply {
    const results = [...this.predictions].reverse().map((p) => {
      this.advance(p);
      return this.json(p);
    });
    return { json: { next: null, previous: null, results } };
  }

  // ---- lifecycle ----

  /**
   * Move a prediction along its scenario up to now (Cancel-After deadline included:
   * docs/platforms/replicate.md#prediction-lifecycle).
   */
  private advance(p: StoredPrediction): void {
    if (TERMINAL.has(p.status)) return;
    const s = p.scenario;
    const now = Date.now();
    const cutoff = p.deadline === undefined ? now : Math.min(now, p.deadline);
    const startAt = p.createdAt + (s.startingMs ?? 20);
    const endAt = startAt + (s.processingMs ?? (s.outcome === 'slow' ? 600_000 : 60));
    if (p.status === 'starting' && cutoff >= startAt) {
      if (s.outcome === 'abort') {
        this.finish(p, 'aborted', startAt);
        return;
      }
      p.status = 'processing';
      p.startedAt = startAt;
      p.logs = `Using seed: ${p.seed}\n`;
    }
    if (p.status === 'processing' && cutoff >= endAt && p.polls >= (s.polls ?? 0)) {
      const at = s.polls === undefined ? endAt : now;
      const end: Record<Outcome, Status> = {
        succeed: 'succeeded',
        slow: 'succeeded',
        fail: 'failed',
        cancel: 'canceled',
        abort: 'aborted',
      };
      this.finish(p, end[s.outcome], at);
      return;
    }
    // Cancel-After: not started by the deadline → aborted; running → canceled.
    if (p.deadline !== undefined && now >= p.deadline)
      this.finish(p, p.status === 'starting' ? 'aborted' : 'canceled', p.deadline);
  }

  private finish(p: StoredPrediction, status: Status, at: number): void {
    p.status = status;
    p.completedAt = at;
    if (status === 'succeeded') {
      const n = (p.input.num_outputs as number | undefined) ?? 1;
      p.output = Array.from({ length: n }, (_, i) => this.outputUrl(p, i));
      p.logs += `Total safe images: ${n} out of ${n}\n`;
    } else if (status === 'failed') {
      p.error =
        p.scenario.error ??
        'All generated images contained NSFW content. Try running it again with a different prompt.';
      p.logs += `${p.error}\n`;
    }
  }

  private format(p: StoredPrediction): Format {
    return (p.input.output_format as Format | undefined) ?? 'webp';
  }

  private outputUrl(p: StoredPrediction, i: number): string {
    const path = `/delivery/${p.id}/out-${i}.${this.format(p)}`;
    const trap = p.scenario.output;
    if (trap?.kind === 'foreign-host')
      return `http://${trap.host ?? 'localhost'}:${new URL(this.deliveryUrl).port}${path}`;
    return `${this.deliveryUrl}${path}`;
  }

  /** The prediction object (docs/platforms/replicate.md#predictions). */
  private json(p: StoredPrediction): Record<string, unknown> {
    const started = p.startedAt;
    const done = p.completedAt;
    const base = `${this.url}/v1/predictions/${p.id}`;
    return {
      id: p.id,
      model: p.model,
      version: p.version,
      input: p.input,
      logs: p.dataRemoved ? '' : p.logs,
      output: p.dataRemoved ? null : p.output,
      data_removed: p.dataRemoved,
      error: p.error,
      status: p.status,
      source: 'api',
      created_at: iso(p.createdAt),
      ...(started !== undefined ? { started_at: iso(started) } : {}),
      ...(done !== undefined ? { completed_at: iso(done) } : {}),
      ...(p.deadline !== undefined ? { deadline: iso(p.deadline) } : {}),
      ...(p.webhook ? { webhook: p.webhook } : {}),
      ...(p.webhookEventsFilter ? { webhook_events_filter: p.webhookEventsFilter } : {}),
      ...(done !== undefined
        ? {
            metrics: {
              ...(started !== undefined ? { predict_time: (done - started) / 1000 } : {}),
              total_time: (done - p.createdAt) / 1000,
            },
          }
        : {}),
      urls: { get: base, cancel: `${base}/cancel` },
    };
  }

  // ---- delivery host ----

  private image(p: StoredPrediction, index: number): Promise<Buffer> {
    const key = `${p.id}/${index}`;
    let bytes = this.imageCache.get(key);
    if (!bytes) {
      let [w, h] = FLUX_SIZES[String(p.input.aspect_ratio ?? '1:1')] ?? [1024, 1024];
      if (String(p.input.megapixels) === '0.25') [w, h] = [Math.round(w / 32) * 16, Math.round(h / 32) * 16];
      const img = sharp({ create: { width: w, height: h, channels: 3, background: '#777' } });
      const format = this.format(p);
      bytes = (format === 'jpg' ? img.jpeg() : format === 'png' ? img.png() : img.webp()).toBuffer();
      this.imageCache.set(key, bytes);
    }
    return bytes;
  }

  private async serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://delivery').pathname;
    this.fileFetches.push({
      method: req.method ?? 'GET',
      path,
      host: req.headers.host ?? '',
      headers: req.headers,
      at: Date.now(),
    });
    if (path.startsWith('/trap/')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('ami-id\ninstance-id\niam/\n');
    }
    const m = path.match(FILE);
    const p = m ? this.prediction(m[1]!) : undefined;
    const index = Number(m?.[2]);
    if (!p || p.dataRemoved || !p.output || index >= p.output.length || m?.[3] !== this.format(p)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('Not found');
    }
    const trap = p.scenario.output;
    if (trap?.kind === 'redirect') {
      res.writeHead(302, { location: trap.to ?? METADATA_URL });
      return void res.end();
    }
    if (trap?.kind === 'html') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      return void res.end(
        '<!doctype html><html><head><title>Login</title></head><body><form>Sign in</form></body></html>',
      );
    }
    if (trap?.kind === 'huge') return this.serveHuge(res, trap.bytes ?? 64 * 1024 * 1024, trap.declareLength ?? true);
    const bytes = await this.image(p, index);
    const type = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' }[this.format(p)];
    res.writeHead(200, { 'content-type': type, 'content-length': String(bytes.length) });
    res.end(bytes);
  }

  /** A JPEG start-of-image marker followed by filler, streamed so memory stays flat. */
  private serveHuge(res: ServerResponse, total: number, declareLength: boolean): void {
    res.writeHead(200, { 'content-type': 'image/jpeg', ...(declareLength ? { 'content-length': String(total) } : {}) });
    const chunk = Buffer.alloc(64 * 1024, 0x42);
    async function* body(): AsyncGenerator<Buffer> {
      let sent = 0;
      const head = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
      yield head;
      sent += head.length;
      while (sent < total) {
        const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += part.length;
        yield part;
      }
    }
    pipeline(Readable.from(body()), res, () => undefined);
  }
}
