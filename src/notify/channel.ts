// The one small interface every way of telling people implements (email, Slack, Discord, Teams,
// signed webhooks), and the one that decides who hears of an event. The delivery loop
// (delivery-loop.ts) knows nothing about any vendor; vendor text lives in each sender's file.
import type { Config } from '../config.js';
import type { EventRow, Repos } from '../db/repos/index.js';
import type { EventRecord } from '../domain/events.js';
import type { Clock } from '../lib/clock.js';
import type { SecretBox } from '../lib/crypto.js';
import type { Logger } from '../log.js';

/** One delivery a router asks for: the same (event, channel, target) is only ever created once. */
export interface DeliveryPlan {
  /** The sender that carries it: 'email', or a channel kind ('webhook', 'slack', …). */
  readonly channel: string;
  /** Whom: a notify_channels id, or an email target ('admin:<id>', 'contact:<clientId>:<email>'). */
  readonly target: string;
  /** Deliveries of one target with the same bundle go out as one message (a digest, a batch). */
  readonly bundle?: string | null;
  /** When to send it (now, the digest hour, the end of a batching window). */
  readonly dueAt: number;
}

/**
 * Decides who hears of an event. Runs on the leader inside the fan-out transaction, so it must
 * be synchronous and read only the database.
 */
export interface Router {
  readonly name: string;
  route(event: EventRow, now: number): DeliveryPlan[];
}

/** What a receiver answered. `ok` means it has the message; anything else is retried. */
export interface SendResult {
  readonly ok: boolean;
  /** Delivered as far as we are concerned, yet nothing was sent (a reminder whose posts were all approved). */
  readonly skipped?: string;
  readonly status?: number;
  /** The first bytes of the answer, for the delivery log. */
  readonly body?: string;
  readonly error?: string;
  /** The receiver's Retry-After, in ms. */
  readonly retryAfterMs?: number;
  /** Retrying cannot help (a 410 Gone, an address the target may not use): give up now. */
  readonly permanent?: boolean;
}

export interface SendContext {
  readonly signal: AbortSignal;
  /** The ids of the deliveries this message carries (one, or a bundle's). */
  readonly deliveryIds: readonly string[];
  /** 1 for the first try. */
  readonly attempt: number;
}

/** Carries messages of one channel kind. */
export interface Sender {
  readonly channel: string;
  /** Targets are rows of notify_channels (paused when they keep failing); email targets are people. */
  readonly pausable: boolean;
  /** Per message; an answer later than this counts as a failure (and is retried). */
  readonly timeoutMs: number;
  /** Sends one message about `events` (several for a bundle) to `target`. Never throws. */
  send(target: string, events: readonly EventRecord[], context: SendContext): Promise<SendResult>;
  /** Lets go of what it keeps open between messages (pooled connections), when the server stops. */
  close?(): void;
}

/** What senders and routers may reach. */
export interface NotifyDeps {
  readonly config: Config;
  readonly repos: Repos;
  readonly clock: Clock;
  readonly log: Logger;
  readonly box: SecretBox;
}

/** The senders and routers the server runs (notify/registry.ts builds them). */
export interface Notifiers {
  readonly senders: readonly Sender[];
  readonly routers: readonly Router[];
}
