import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A request as the receiver saw it, and whether its signature held. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  headers: IncomingMessage['headers'];
  raw: string;
  /** The verified payload (undefined when verification failed). */
  body: any;
  verified: boolean;
  /** Why standardwebhooks refused it. */
  error?: string;
  at: number;
}

/** What to answer next instead of 200: a status (with headers), or never answer. */
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string } | { hang: true };

/**
 * A webhook integration's endpoint: verifies every request with the `standardwebhooks` library
 * (what a receiver of Herald's webhooks would run), answers 401 to a bad signature, and records
 * what it accepted. Faults: scripted answers, hanging, holding every request open until released,
 * and going down and coming back on the same port.
 */
export class WebhookReceiver {
  /** Every request, verified or not, in order of arrival. */
  readonly received: ReceivedWebhook[] = [];
  /** Verified requests answered with 2xx: what the integration really got. */
  readonly accepted: ReceivedWebhook[] = [];
  private readonly script: ReceiverAnswer[] = [];
  private readonly held: ServerResponse[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  /** While set, every verified request is held open (answered by release()). */
  holding = false;
  /** Answered to every request once the script is empty. */
  fallback: ReceiverAnswer = { status: 200, body: 'ok' };
  port = 0;

  constructor(public secret = '') {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/herald`;
  }

  /** Answers in this order, then `fallback`. */
  answer(...answers: ReceiverAnswer[]): this {
    this.script.push(...answers);
    return this;
  }

  /** Requests held open right now. */
  get heldCount(): number {
    return this.held.filter((r) => !r.writableEnded && !r.destroyed).length;
  }

  /** Answers every held request with 200 and stops holding. */
  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) if (!res.destroyed && !res.writableEnded) res.end('ok');
  }

  /** Cuts every held request off without an answer (what a sender killed mid-request leaves behind). */
  dropHeld(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) res.socket?.destroy();
  }

  acceptedIds(): string[] {
    return this.accepted.map((r) => r.id);
  }

  /** Starts listening; after stop(), on the same port as before (the receiver "comes back"). */
  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Goes down: open connections are cut and the port is closed. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.held.length = 0;
    const server = this.server;
    this.server = null;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => String(req.headers[name] ?? '');
    const seen: ReceivedWebhook = {
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      headers: req.headers,
      raw,
      body: undefined,
      verified: false,
      at: Date.now(),
    };
    this.received.push(seen);
    try {
      seen.body = new Webhook(this.secret).verify(raw, {
        'webhook-id': header('webhook-id'),
        'webhook-timestamp': header('webhook-timestamp'),
        'webhook-signature': header('webhook-signature'),
      });
      seen.verified = true;
    } catch (err) {
      seen.error = (err as Error).message;
      res.writeHead(401, { 'content-type': 'text/plain' });
      return void res.end(`signature refused: ${seen.error}`);
    }
    if (this.holding) {
      this.held.push(res);
      res.once('finish', () => this.accepted.push(seen));
      return;
    }
    const answer = this.script.shift() ?? this.fallback;
    if ('hang' in answer) return;
    res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
    res.end(answer.body ?? '');
    if (answer.status >= 200 && answer.status < 300) this.accepted.push(seen);
  }
}
