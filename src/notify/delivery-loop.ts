// The leader's at-least-once delivery of the outbox (docs/notifications.md#delivery):
//   1. fan-out: each new event becomes its deliveries, one per (event, channel, target), in one
//      transaction with the mark that it was fanned out (a crash between the two redoes both; the
//      unique index keeps the second pass from doubling anything);
//   2. send: due deliveries go out with their own concurrency and timeouts, off the publishing
//      path, each target holding at most its share of the slots (and resting a little after a
//      failure); a failure waits with exponential backoff and full jitter (at least the
//      receiver's Retry-After) and is given up 24 h after the delivery was made;
//   3. record: the answers of some 50 ms are written in one transaction.
// A delivery is only marked delivered after the receiver answered, so a kill -9 mid-send means it
// is sent again by the next leader, with the same event id for the receiver to de-duplicate.
import type { Database } from '../db/client.js';
import type { ChannelRow, DeliveryRow, EventRow, Repos } from '../db/repos/index.js';
import type { LeaderLease } from '../jobs/lease.js';
import { backoffMs } from '../lib/backoff.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../log.js';
import { emitEvent, toEventRecord } from '../services/events.js';
import type { Notifiers, Sender, SendResult } from './channel.js';

export interface DeliveryOptions {
  /** How often the leader looks for new events and due deliveries. */
  pollMs: number;
  /** Messages in flight at once, across all targets. */
  concurrency: number;
  /**
   * Messages in flight at once to one target: an endpoint that hangs until its timeout holds at
   * most this many slots, and the other targets share the rest meanwhile.
   */
  perTargetConcurrency: number;
  /** Events fanned out, and deliveries read, per transaction. */
  batchSize: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** A delivery still failing this long after it was made is given up. */
  maxAgeMs: number;
  /** A channel is paused after this many failures in a row, spread over at least pauseAfterMs. */
  pauseAfterFailures: number;
  pauseAfterMs: number;
  /** An upper bound on every sender's own timeout (tests shorten it). */
  maxSendMs: number;
  /**
   * While publishing is busy (a post in flight or due in a moment), delivery steps back to this
   * many messages in flight and fan-out batches of this size: publishing comes first.
   */
  quietConcurrency: number;
  quietBatchSize: number;
  random: () => number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  pollMs: 100,
  concurrency: 8,
  perTargetConcurrency: 4,
  batchSize: 50,
  backoffBaseMs: 10_000,
  backoffCapMs: 2 * 60 * 60_000,
  maxAgeMs: 24 * 60 * 60_000,
  pauseAfterFailures: 10,
  pauseAfterMs: 60 * 60_000,
  maxSendMs: 60_000,
  quietConcurrency: 1,
  quietBatchSize: 5,
  random: Math.random,
};

export interface DeliveryLoopDeps {
  readonly database: Database;
  readonly repos: Repos;
  readonly clock: Clock;
  readonly log: Logger;
  readonly lease: Pick<LeaderLease, 'isLeader'>;
  readonly notifiers: Notifiers;
  /**
   * Whether publishing is busy right now (a post in flight or due in a moment). Delivery shares the
   * process, its event loop and its commits with publishing; while this says yes it steps back.
   */
  readonly publishingBusy?: () => boolean;
}

/** The longest a failing target rests before its next try, unless its Retry-After says more. */
const MAX_REST_MS = 60_000;

/** The least time the write lock is left free between two of the loop's transactions. */
const WRITE_PAUSE_MS = 10;

/**
 * How long answers gather before they are written: every commit is an fsync that holds the event
 * loop (pages, publishing) for some milliseconds, so a busy loop commits some twenty times a second.
 */
const ANSWERS_WRITE_MS = 50;

/** Due deliveries read at once (see `ahead`), and how long what was read is trusted. */
const READ_AHEAD = 400;
const READ_FRESH_MS = 1_000;

/** The first bytes of an answer worth keeping in the log. */
export const RESPONSE_SNIPPET_BYTES = 512;

export class DeliveryLoop {
  readonly options: DeliveryOptions;
  private readonly senders = new Map<string, Sender>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly inFlightByTarget = new Map<string, number>();
  /** Answers waiting to be written, and the write queued for them. */
  private readonly answers: Array<{ rows: readonly DeliveryRow[]; result: SendResult; channel?: ChannelRow }> = [];
  /** Targets that just failed, and until when their deliveries wait (see rest()). */
  private readonly resting = new Map<string, { until: number }>();
  private readonly targetFailures = new Map<string, number>();
  /** Deliveries answered but not yet written: still pending in the table, and not to be sent again. */
  private readonly recording = new Set<string>();
  private flushing: NodeJS.Timeout | null = null;
  /**
   * Due deliveries read ahead, oldest due first, and their events: a slot that comes free takes the
   * next from here instead of querying again. The query leaves out the targets that already have
   * enough here, and SQLite finds the others' rows only by stepping over that backlog, so a slow
   * target with thousands waiting would make every query as long as its queue. Read afresh at
   * least every second, so a change made meanwhile (a redelivery, a due retry) is seen soon; a
   * pause or removal is checked before each send anyway.
   */
  private ahead: DeliveryRow[] = [];
  private readonly aheadEvents = new Map<string, EventRow>();
  /** The last read found everything due then (for the targets it asked about): reading again finds no more. */
  private aheadComplete = false;
  private aheadReadAt = Number.NEGATIVE_INFINITY;
  /** The next fan-out batch of a burst, after a pause. */
  private nextBatch: NodeJS.Timeout | null = null;
  /** A pass queued for the next turn of the event loop (more to fan out, or a slot came free). */
  private again: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly deps: DeliveryLoopDeps,
    options: Partial<DeliveryOptions> = {},
  ) {
    this.options = { ...DEFAULT_DELIVERY_OPTIONS, ...options };
    for (const sender of deps.notifiers.senders) {
      if (this.senders.has(sender.channel)) throw new Error(`two senders for channel ${sender.channel}`);
      this.senders.set(sender.channel, sender);
    }
  }

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.kick(false), this.options.pollMs);
    this.timer.unref();
  }

  /** No new sends; waits for those in flight up to `graceMs`, then cuts them off (they stay pending). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.again) clearImmediate(this.again);
    if (this.nextBatch) clearTimeout(this.nextBatch);
    this.again = null;
    this.nextBatch = null;
    const all = Promise.allSettled([...this.inFlight.values()]);
    const timeout = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([all, timeout]);
    this.abort.abort(new Error('server stopping'));
    await all;
    this.flush();
    for (const sender of this.senders.values()) sender.close?.();
  }

  /** Runs a pass now (after an event, from a test), reading due deliveries afresh; harmless while one is running. */
  kick(fresh = true): void {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      if (fresh || performance.now() - this.aheadReadAt > READ_FRESH_MS) this.ahead = [];
      this.tick();
    } catch (err) {
      this.deps.log.error({ err }, 'notification delivery pass failed');
    } finally {
      this.ticking = false;
    }
  }

  /** Resolves when nothing is in flight and no pass is queued (tests, the benchmark). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
      else if (this.again || this.nextBatch || this.flushing) await new Promise((resolve) => setTimeout(resolve, 5));
      else return;
    }
  }

  /** Messages in flight at once now: fewer while publishing is busy. */
  private concurrency(): number {
    return this.deps.publishingBusy?.() ? this.options.quietConcurrency : this.options.concurrency;
  }

  /** Events fanned out per transaction now: fewer while publishing is busy, so each holds the loop less. */
  private batchSize(): number {
    return this.deps.publishingBusy?.() ? this.options.quietBatchSize : this.options.batchSize;
  }

  /** One more pass on the next turn of the event loop; several requests for one come to one pass. */
  private soon(): void {
    if (this.stopped || this.again) return;
    this.again = setImmediate(() => {
      this.again = null;
      this.kick(false);
    });
  }

  private tick(): void {
    if (!this.deps.lease.isLeader()) return;
    // One batch per pass: a burst of events is fanned out in short transactions, with the event
    // loop free in between (pages, the publishing engine) and the write lock too: another process
    // on the file (a follower serving the API, the CLI) waits for it with SQLite's busy handler,
    // which sleeps and retries, and would never find it free between back-to-back transactions.
    const started = performance.now();
    const size = this.batchSize();
    const fanned = this.fanOut(1, size);
    // New deliveries: the next read may find some.
    if (fanned > 0) this.aheadComplete = false;
    if (fanned === size && !this.nextBatch) {
      const pause = Math.max(WRITE_PAUSE_MS, performance.now() - started);
      this.nextBatch = setTimeout(() => {
        this.nextBatch = null;
        this.kick(false);
      }, pause);
    }
    this.sendDue();
  }

  /** Turns new events into their deliveries, `maxBatches` transactions of `batchSize` events at most. */
  fanOut(maxBatches = Number.POSITIVE_INFINITY, size = this.options.batchSize): number {
    const { database, repos, clock, notifiers } = this.deps;
    let total = 0;
    // Polled ten times a second: the write lock is only taken when there is something to write.
    if (repos.events.unfanned(1).length === 0) return 0;
    for (let batches = 1; ; batches++) {
      const count = database.immediate(() => {
        const batch = repos.events.unfanned(size);
        const now = clock.now();
        for (const event of batch) {
          for (const router of notifiers.routers) {
            for (const plan of this.plansOf(router.name, () => router.route(event, now))) {
              repos.notify.insertDelivery({
                id: newId('dlv', now),
                eventId: event.id,
                channel: plan.channel,
                target: plan.target,
                bundle: plan.bundle ?? null,
                status: 'pending',
                attempts: 0,
                dueAt: plan.dueAt,
                expiresAt: Math.max(plan.dueAt, now) + this.options.maxAgeMs,
                lastAttemptAt: null,
                responseStatus: null,
                responseBody: null,
                lastError: null,
                deliveredAt: null,
                createdAt: now,
              });
            }
          }
          repos.events.markFannedOut(event.id, now);
        }
        return batch.length;
      });
      total += count;
      if (count < size || batches >= maxBatches) return total;
    }
  }

  /** A router that throws must not hold up the outbox: its share of this event is logged and skipped. */
  private plansOf(router: string, route: () => ReturnType<Notifiers['routers'][number]['route']>) {
    try {
      return route();
    } catch (err) {
      this.deps.log.error({ err, router }, 'a notification router failed; its deliveries for this event are skipped');
      return [];
    }
  }

  private sendDue(): void {
    const concurrency = this.concurrency();
    if (this.stopped || this.inFlight.size >= concurrency) return;
    const now = this.deps.clock.now();
    for (const [target, rest] of this.resting) if (rest.until <= now) this.resting.delete(target);
    if (this.ahead.length === 0) this.aheadComplete = false;
    this.launchAhead();
    // Slots still free and nothing here for them: read more, unless the last read found all there was.
    if (this.inFlight.size < concurrency && !this.aheadComplete) {
      this.readAhead(now);
      this.launchAhead();
    }
  }

  /** Reads the next due deliveries (and their events), leaving out resting targets and those with enough here. */
  private readAhead(now: number): void {
    const { repos } = this.deps;
    const { perTargetConcurrency, batchSize } = this.options;
    const queued = new Map<string, number>();
    for (const row of this.ahead) queued.set(row.target, (queued.get(row.target) ?? 0) + 1);
    const skip = [...this.resting.keys()];
    for (const [target, n] of queued) if (n >= perTargetConcurrency * 4) skip.push(target);
    const known = new Set(this.ahead.map((r) => r.id));
    const limit = Math.max(batchSize, READ_AHEAD);
    const rows = repos.notify.due(now, limit, skip);
    this.aheadReadAt = performance.now();
    this.aheadComplete = rows.length < limit;
    const fresh = rows.filter((r) => !known.has(r.id) && !this.recording.has(r.id));
    this.ahead = [...this.ahead, ...fresh].sort((a, b) => a.dueAt - b.dueAt);
    const needed = new Set(this.ahead.map((r) => r.eventId));
    for (const id of this.aheadEvents.keys()) if (!needed.has(id)) this.aheadEvents.delete(id);
    const wanted = [...needed].filter((id) => !this.aheadEvents.has(id));
    for (const event of repos.events.getMany(wanted)) this.aheadEvents.set(event.id, event);
  }

  /** Starts what it can from the rows read ahead, oldest due first, each target within its share. */
  private launchAhead(): void {
    const { perTargetConcurrency } = this.options;
    const concurrency = this.concurrency();
    const kept: DeliveryRow[] = [];
    for (const row of this.ahead) {
      if (this.recording.has(row.id) || this.inFlight.has(row.id)) continue;
      const full = (this.inFlightByTarget.get(row.target) ?? 0) >= perTargetConcurrency;
      if (this.inFlight.size >= concurrency || full || this.resting.has(row.target) || !this.launch(row))
        kept.push(row);
    }
    this.ahead = kept;
    if (kept.length === 0) this.aheadEvents.clear();
  }

  /** Sends one delivery (or its bundle) unless it is already on its way or its target is at its limit. */
  private launch(delivery: DeliveryRow): boolean {
    const key = groupKey(delivery);
    const target = delivery.target;
    const busy = this.inFlightByTarget.get(target) ?? 0;
    if (this.inFlight.has(key) || this.recording.has(delivery.id) || busy >= this.options.perTargetConcurrency)
      return false;
    this.inFlightByTarget.set(target, busy + 1);
    // A bundle goes as one message: its other rows read ahead are in it.
    if (delivery.bundle) this.ahead = this.ahead.filter((r) => r === delivery || groupKey(r) !== key);
    const run = this.deliver(delivery).finally(() => {
      this.inFlight.delete(key);
      const left = (this.inFlightByTarget.get(target) ?? 1) - 1;
      if (left > 0) this.inFlightByTarget.set(target, left);
      else this.inFlightByTarget.delete(target);
      // The slot is free: look for more at once rather than at the next poll.
      this.soon();
    });
    this.inFlight.set(key, run);
    return true;
  }

  private async deliver(first: DeliveryRow): Promise<void> {
    const { repos, clock, log } = this.deps;
    const sender = this.senders.get(first.channel);
    if (!sender)
      return this.finish([first], { ok: false, permanent: true, error: `no sender for channel ${first.channel}` });
    let channel: ChannelRow | undefined;
    if (sender.pausable) {
      channel = repos.notify.getChannel(first.target);
      if (!channel) return this.cancel([first], 'the channel was removed');
      if (channel.status === 'paused') {
        repos.notify.parkTarget(first.target);
        return;
      }
    }
    const rows = first.bundle
      ? repos.notify
          .pendingInBundle(first.channel, first.target, first.bundle, clock.now())
          .filter((row) => !this.recording.has(row.id))
      : [first];
    if (rows.length === 0) return;
    const events = rows
      .map((row) => this.aheadEvents.get(row.eventId) ?? repos.events.get(row.eventId))
      .filter((e): e is EventRow => e !== undefined)
      .map(toEventRecord);
    const attempt = Math.max(...rows.map((r) => r.attempts)) + 1;
    const signal = AbortSignal.any([
      this.abort.signal,
      AbortSignal.timeout(Math.min(sender.timeoutMs, this.options.maxSendMs)),
    ]);
    let result: SendResult;
    try {
      result = await sender.send(first.target, events, {
        signal,
        attempt,
        deliveryIds: rows.map((r) => r.id),
      });
    } catch (err) {
      // Senders should not throw; if one does, the message is treated like any other failure.
      result = { ok: false, error: (err as Error).message };
    }
    // Cut off by a shutdown: not the receiver's fault; left pending, the next leader sends it at once.
    if (!result.ok && this.abort.signal.aborted) return;
    if (!result.ok && !result.permanent)
      log.warn(
        { channel: first.channel, target: first.target, status: result.status, error: result.error, attempt },
        'notification delivery failed; will retry',
      );
    this.finish(rows, result, channel);
  }

  private cancel(rows: readonly DeliveryRow[], reason: string): void {
    this.deps.repos.notify.updateDeliveries(
      rows.map((r) => r.id),
      { status: 'cancelled', lastError: reason, lastAttemptAt: this.deps.clock.now() },
    );
  }

  /**
   * Records an answer. Its slot is free at once; until the answer is committed the delivery is
   * marked as being recorded, so it is not picked up again. The answers of some 50 ms are written in one
   * transaction: with synchronous=FULL each commit is an fsync of several milliseconds, during
   * which the event loop (pages, the publishing engine) waits, so one commit per answer would
   * cap delivery at a few hundred a second, take that time from publishing, and leave the write
   * lock almost never free for another process.
   */
  private finish(rows: readonly DeliveryRow[], result: SendResult, channel?: ChannelRow): void {
    for (const row of rows) this.recording.add(row.id);
    // At once, not when written: the target's other deliveries must not go out meanwhile.
    const target = rows[0]!.target;
    if (result.ok) this.targetFailures.delete(target);
    else this.rest(target, this.deps.clock.now(), result);
    this.answers.push(channel ? { rows, result, channel } : { rows, result });
    this.flushing ??= setTimeout(() => this.flush(), ANSWERS_WRITE_MS);
  }

  private flush(): void {
    if (this.flushing) clearTimeout(this.flushing);
    this.flushing = null;
    const batch = this.answers.splice(0);
    if (batch.length === 0) return;
    try {
      this.deps.database.immediate(() => this.recordAll(batch));
    } catch (err) {
      // Nothing was recorded: the deliveries stay pending and go again (at least once).
      this.deps.log.error({ err, answers: batch.length }, 'could not record notification answers');
    }
    for (const { rows } of batch) for (const row of rows) this.recording.delete(row.id);
    this.soon();
  }

  /**
   * Writes the answers in order. Successes that leave the same answer (a burst of "200 ok") are
   * written by one statement, and a channel's success once; a failure first writes the successes of
   * its channel before it, so its count of failures in a row starts from them.
   */
  private recordAll(batch: ReadonlyArray<{ rows: readonly DeliveryRow[]; result: SendResult; channel?: ChannelRow }>) {
    const { repos, clock } = this.deps;
    const now = clock.now();
    const delivered = new Map<string, { ids: string[]; patch: Partial<DeliveryRow> }>();
    const succeeded = new Set<string>();
    const writeSuccess = (channelId: string) => {
      if (!succeeded.delete(channelId)) return;
      repos.notify.updateChannel(channelId, { consecutiveFailures: 0, failingSince: null, lastSuccessAt: now });
    };
    for (const { rows, result, channel } of batch) {
      if (!result.ok) {
        if (channel) writeSuccess(channel.id);
        this.record(rows, result, now, channel);
        continue;
      }
      const patch: Partial<DeliveryRow> = {
        ...answerOf(result, now),
        status: result.skipped ? 'cancelled' : 'delivered',
        attempts: Math.max(...rows.map((r) => r.attempts)) + 1,
        deliveredAt: result.skipped ? null : now,
        lastError: result.skipped ?? null,
      };
      const key = JSON.stringify(patch);
      const group = delivered.get(key) ?? { ids: [], patch };
      group.ids.push(...rows.map((r) => r.id));
      delivered.set(key, group);
      if (channel) succeeded.add(channel.id);
    }
    for (const { ids, patch } of delivered.values())
      for (let i = 0; i < ids.length; i += 500) repos.notify.updateDeliveries(ids.slice(i, i + 500), patch);
    for (const channelId of [...succeeded]) writeSuccess(channelId);
  }

  /** Writes a failure for every delivery the message carried, and what it means for the channel. */
  private record(rows: readonly DeliveryRow[], result: SendResult, now: number, channel?: ChannelRow): void {
    const { repos } = this.deps;
    const answer = answerOf(result, now);
    for (const row of rows) {
      const attempts = row.attempts + 1;
      const wait = backoffMs(attempts, {
        baseMs: this.options.backoffBaseMs,
        capMs: this.options.backoffCapMs,
        retryAfterMs: result.retryAfterMs,
        random: this.options.random,
      });
      const giveUp = result.permanent === true || now + wait > row.expiresAt;
      repos.notify.updateDeliveries([row.id], {
        ...answer,
        attempts,
        status: giveUp ? 'failed' : 'pending',
        dueAt: giveUp ? row.dueAt : now + wait,
        lastError: result.error ?? (result.status ? `HTTP ${result.status}` : 'no answer'),
      });
    }
    if (channel) this.countFailure(channel, now);
  }

  /**
   * A target that just failed rests: its other due deliveries wait too (a receiver that is down
   * is tried by one message at a time, with a backoff of its own, instead of by every message in
   * its queue), and the slots go to the targets that answer. The first success ends it. It is
   * short (a minute at most, unless the receiver's Retry-After asks for more): "send a test" after
   * fixing a receiver should not wait long.
   */
  private rest(target: string, now: number, result: SendResult): void {
    if (result.permanent) return;
    const failures = (this.targetFailures.get(target) ?? 0) + 1;
    this.targetFailures.set(target, failures);
    const wait = backoffMs(failures, {
      baseMs: this.options.backoffBaseMs,
      capMs: Math.min(this.options.backoffCapMs, MAX_REST_MS),
      random: this.options.random,
    });
    this.resting.set(target, { until: now + Math.max(wait, result.retryAfterMs ?? 0) });
  }

  /** One more failure in a row; a channel that keeps failing is paused, and the admins told once. */
  private countFailure(channel: ChannelRow, now: number): void {
    const { repos } = this.deps;
    const current = repos.notify.getChannel(channel.id);
    if (!current) return;
    const failures = current.consecutiveFailures + 1;
    const since = current.failingSince ?? now;
    const pause =
      current.status === 'active' &&
      failures >= this.options.pauseAfterFailures &&
      now - since >= this.options.pauseAfterMs;
    repos.notify.updateChannel(channel.id, {
      consecutiveFailures: failures,
      failingSince: since,
      lastFailureAt: now,
      ...(pause
        ? {
            status: 'paused' as const,
            pausedReason: `${failures} deliveries in a row failed since ${new Date(since).toISOString()}`,
            updatedAt: now,
          }
        : {}),
    });
    if (!pause) return;
    repos.notify.parkTarget(channel.id);
    // Parked, it needs no rest; resumed, it is tried at once.
    this.resting.delete(channel.id);
    this.targetFailures.delete(channel.id);
    emitEvent(this.deps, 'channel.paused', channel.clientId, {
      title: `Notifications to “${channel.name}” are paused`,
      text:
        `Herald stopped sending to this ${channel.kind} channel after ${failures} failed deliveries in a row. ` +
        'Fix the receiver, then resume it in Settings → Notifications; what it missed is sent then.',
      channelId: channel.id,
      kind: channel.kind,
      name: channel.name,
      failures,
    });
  }
}

function answerOf(result: SendResult, now: number) {
  return {
    lastAttemptAt: now,
    responseStatus: result.status ?? null,
    responseBody: result.body?.slice(0, RESPONSE_SNIPPET_BYTES) ?? null,
  };
}

/** Deliveries that go out together share a key; a bundle is one message. */
function groupKey(delivery: DeliveryRow): string {
  return delivery.bundle ? `${delivery.channel}|${delivery.target}|${delivery.bundle}` : delivery.id;
}
