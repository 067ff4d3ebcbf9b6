import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake saw it (bodies parsed from JSON, form or multipart-free form data). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The query string as sent, before decoding (Rest.li syntax is judged on it). */
  rawQuery: string;
  /** Every value of each query parameter, for parameters a vendor repeats (`uris=a&uris=b`). */
  queryAll: Record<string, string[]>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON or form body; raw Buffer for anything else (uploads). */
  body: any;
  raw: Buffer;
  at: number;
}

/**
 * What to do instead of (or around) the normal answer:
 * - `status`: answer this status/body/headers without running the handler (nothing happens);
 * - `reset`: destroy the connection before doing anything (nothing happens);
 * - `hang`: never answer (the client's timeout decides; nothing happens);
 * - `lose-response`: run the handler (the effect happens) and destroy the connection instead of answering;
 * - `delay`: answer normally after `ms`.
 */
export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'lose-response' }
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  method?: string;
  /** Matched against the path without query string. */
  path: RegExp;
  fault: Fault;
  /** How many matching requests it applies to (default 1). */
  times?: number;
}

/** A handler answers with status, JSON (or text) body and headers; it may throw HttpReply. */
export interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
  /** Raw bytes (a file), sent with the headers' Content-Type. */
  raw?: Buffer;
  headers?: Record<string, string>;
  redirect?: string;
}

export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  path: RegExp;
  handler: Handler;
}

function parseBody(req: IncomingMessage, raw: Buffer): any {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (raw.length === 0) return {};
  if (type.includes('application/json')) {
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      return { __invalidJson: raw.toString('utf8') };
    }
  }
  if (type.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  return raw;
}

/**
 * A small HTTP server on 127.0.0.1 that records every request and can inject faults. The vendor
 * fakes (Meta, TikTok, Groq, Replicate) are built on it.
 */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly faults: Array<FaultRule & { left: number }> = [];
  private server: Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();
  url = '';

  constructor(private readonly name: string) {}

  route(method: string, path: RegExp, handler: Handler): this {
    this.routes.push({ method, path, handler });
    return this;
  }

  /** Queue a fault for the next `times` matching requests. */
  inject(rule: FaultRule): this {
    this.faults.push({ ...rule, left: rule.times ?? 1 });
    return this;
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests to a path (and method), in order. */
  calls(path: RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => path.test(r.path) && (!method || r.method === method));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private takeFault(method: string, path: string): Fault | null {
    const rule = this.faults.find((f) => f.left > 0 && f.path.test(path) && (!f.method || f.method === method));
    if (!rule) return null;
    rule.left--;
    if (rule.left === 0) this.faults.splice(this.faults.indexOf(rule), 1);
    return rule.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      rawQuery: url.search.slice(1),
      queryAll: [...url.searchParams.keys()].reduce<Record<string, string[]>>(
        (all, k) => Object.assign(all, { [k]: url.searchParams.getAll(k) }),
        {},
      ),
      headers: req.headers,
      body: parseBody(req, raw),
      raw,
      at: Date.now(),
    };
    this.requests.push(recorded);
    const fault = this.takeFault(recorded.method, recorded.path);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'status')
      return this.send(res, { status: fault.status, json: fault.body, headers: fault.headers });
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    const route = this.routes.find((r) => r.method === recorded.method && r.path.test(recorded.path));
    let reply: Reply;
    try {
      reply = route
        ? await route.handler(recorded)
        : { status: 404, json: { error: `${this.name} fake: no route ${recorded.method} ${recorded.path}` } };
    } catch (err) {
      reply = { status: 500, json: { error: `${this.name} fake crashed: ${(err as Error).message}` } };
    }
    if (fault?.kind === 'lose-response') return void req.socket.destroy();
    this.send(res, reply);
  }

  private send(res: ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.redirect) {
      res.writeHead(reply.status ?? 302, { ...headers, location: reply.redirect });
      return void res.end();
    }
    if (reply.raw !== undefined) {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/octet-stream', ...headers });
      return void res.end(reply.raw);
    }
    if (reply.text !== undefined) {
      res.writeHead(reply.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...headers });
      return void res.end(reply.text);
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...headers });
    res.end(reply.json === undefined ? '' : JSON.stringify(reply.json));
  }
}
