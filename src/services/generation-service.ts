import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { AccountRow, ClientRow, Repos, RuleWithAccounts } from '../db/repos/index.js';
import { describeActor, type Actor } from '../domain/actor.js';
import { ConflictError, NotFoundError, UnavailableError } from '../domain/errors.js';
import type { Platform } from '../domain/platform-limits.js';
import type { Networks } from '../platforms/registry.js';
import { EDITABLE_STATUSES, humanStatus } from '../domain/post-status.js';
import { composeCaption, reviewAnswer, type Draft, type DraftTarget } from '../ai/drafts.js';
import { GenerationError } from '../ai/errors.js';
import type { ReplicateImages } from '../ai/images.js';
import { buildPrompt } from '../ai/prompts.js';
import type { GroqWriter } from '../ai/text.js';
import { askForDraft, type AnswerReview } from './ai-draft.js';
import type { Clock } from '../lib/clock.js';
import { slotsBetween } from '../lib/cron.js';
import { FetchRefused, safeDownload } from '../lib/safe-fetch.js';
import type { Logger } from '../log.js';
import { formatInZone, partsInZone } from '../lib/zoned-time.js';
import { MAX_IMAGE_BYTES, type MediaService } from './media-service.js';
import { notices, type IdleReason, type Notices } from './notices.js';
import { learningService } from './learning-service.js';
import type { PostsService } from './posts-service.js';
import { authorize } from './access.js';

const DAY = 86_400_000;
/** Posts written per Groq request: one request writes a rule's week for an account. */
export const BATCH_SIZE = 7;
const ATTEMPTS = 3;

export interface GenerationDeps {
  config: Config;
  database: Database;
  networks: Networks;
  repos: Repos;
  clock: Clock;
  log: Logger;
  posts: PostsService;
  media: MediaService;
  writer: GroqWriter | null;
  images: ReplicateImages | null;
}

export interface GenerationCounts {
  created: number;
  failed: number;
  skippedAccounts: number;
  upToDate: number;
  requests: number;
  /** Untouched posts for slots their rule no longer has (its schedule, zone or accounts changed). */
  cancelled: number;
}

/** `<ruleId>|<accountId>|<slot ms>`: one post per rule, account and slot, however often generation runs. */
export function slotKey(ruleId: string, accountId: string, slot: number): string {
  return `${ruleId}|${accountId}|${slot}`;
}

/** `<ruleId>|<slot ms>`: the one group of a rule's posts for a slot (post_groups.slot_key). */
function groupSlotKey(ruleId: string, slot: number): string {
  return `${ruleId}|${slot}`;
}

function parseSlotKey(key: string): { accountId: string; slot: number } {
  const [, accountId = '', slot = ''] = key.split('|');
  return { accountId, slot: Number(slot) };
}

/**
 * The autopilot: keeps each active rule's slots filled `horizonDays` ahead with AI-written posts
 * (text by Groq, images by Replicate) that the platform will accept, each entering the client's
 * approval flow. Reruns create nothing twice: every post carries its slot key.
 */
export class ContentGenerator {
  private readonly notices: Notices;
  private readonly learning: ReturnType<typeof learningService>;

  constructor(private readonly deps: GenerationDeps) {
    this.notices = notices(deps);
    this.learning = learningService(deps);
  }

  /** Tells people a rule writes nothing (once a day per reason: see Notices.ruleIdle). */
  private idle(rule: RuleWithAccounts, reason: IdleReason): void {
    this.deps.database.immediate(() => this.notices.ruleIdle(rule, reason));
  }

  /** Why none of a rule's accounts can be written for, or null when one can. */
  private idleAccounts(rule: RuleWithAccounts, accounts: readonly AccountRow[]): IdleReason | null {
    if (accounts.length === 0)
      return { code: 'no_accounts', text: 'It has no accounts to write for: choose at least one in the rule.' };
    const reasons = accounts.map((a) => this.skipReason(rule, a));
    if (reasons.some((r) => r === null)) return null;
    if (accounts.every((a) => a.status === 'needs_reauth'))
      return {
        code: 'accounts_need_reconnecting',
        text: `Every account it writes for must be reconnected first (${accounts.map((a) => a.name).join(', ')}).`,
      };
    return { code: 'no_usable_account', text: `No account it writes for can take its posts: ${reasons.join('; ')}.` };
  }

  get enabled(): boolean {
    return this.deps.writer !== null;
  }

  /**
   * A light rewrite of a caption that goes out again (an evergreen copy): the same message, facts,
   * links and hashtags in different words, so the network does not see a duplicate. Throws a
   * GenerationError (or UnavailableError without AI) when no usable caption came back; the caller
   * then keeps the original words.
   */
  async lightRewrite(
    clientId: string,
    platform: Platform,
    caption: string,
  ): Promise<{ caption: string; model: string }> {
    const writer = this.deps.writer;
    if (!writer) throw new UnavailableError('AI writing is off: set GROQ_API_KEY.');
    const client = this.deps.repos.clients.get(clientId);
    const system =
      'You rewrite social media captions lightly. Keep the meaning, every fact, link, mention and hashtag, ' +
      'the language and about the length; change the wording and sentence order so it reads fresh. ' +
      'Answer with JSON: {"caption": "..."}.';
    const user =
      `Network: ${this.target(platform).label}.` +
      (client?.brandVoice ? `\nBrand voice: ${client.brandVoice}` : '') +
      `\nCaption to rewrite:\n${caption}`;
    const answer = await writer.complete(system, user, 1200);
    this.deps.repos.system.insertAiUsage({
      clientId,
      postId: null,
      kind: 'text',
      model: answer.model,
      promptTokens: answer.promptTokens,
      completionTokens: answer.completionTokens,
      createdAt: this.deps.clock.now(),
    });
    let rewritten: unknown;
    try {
      rewritten = (JSON.parse(answer.content) as { caption?: unknown }).caption;
    } catch {
      throw new GenerationError('the AI did not answer with JSON', false);
    }
    if (typeof rewritten !== 'string' || !rewritten.trim()) throw new GenerationError('the AI gave no caption', false);
    const problems = this.deps.networks.check(platform, rewritten, []);
    if (problems?.caption?.length) throw new GenerationError(problems.caption.join(' '), false);
    return { caption: rewritten.trim(), model: answer.model };
  }

  /** The models that wrote a post, as shown on it. */
  private modelsFor(withImage: boolean): string {
    const text = this.deps.writer!.model;
    return withImage && this.deps.images ? `${text} + ${this.deps.images.model}` : text;
  }

  /** Why this rule cannot write for this account, or null when it can. */
  skipReason(rule: Pick<RuleWithAccounts, 'media'>, account: AccountRow): string | null {
    const { networks } = this.deps;
    const platform = networks.platform(account.platform);
    if (account.status === 'disabled') return `${account.name} is disabled`;
    if (account.status === 'needs_reauth') return `${account.name} must be reconnected`;
    if (!platform) return `Herald does not publish to ${account.platform}`;
    if (platform.ai.needsImage && rule.media !== 'image')
      return `${platform.label} posts need an image: set the rule's media to "Generate an image"`;
    if (rule.media === 'image' && !this.deps.images) return 'images need REPLICATE_API_TOKEN';
    return networks.generationBlocked(account.platform);
  }

  /** The platform's habits and its own check, for the prompt and the review of drafts. */
  private target(platform: Platform): DraftTarget {
    const { networks } = this.deps;
    const descriptor = networks.platform(platform)!;
    return {
      label: descriptor.label,
      limits: descriptor.limits,
      ai: descriptor.ai,
      check: (caption, media) => networks.check(platform, caption, media),
    };
  }

  /**
   * Fills every due slot of the active rules (optionally one client's or one rule's). Stops
   * between requests once `signal` aborts (this process stopping or losing the lead).
   */
  async generateDue(
    scope: { clientId?: string; ruleId?: string } = {},
    signal?: AbortSignal,
  ): Promise<GenerationCounts> {
    const counts: GenerationCounts = {
      created: 0,
      failed: 0,
      skippedAccounts: 0,
      upToDate: 0,
      requests: 0,
      cancelled: 0,
    };
    const { repos, clock } = this.deps;
    // Posts an earlier run wrote but could not announce (it was stopped half-way) are announced now.
    this.deps.posts.announceApprovals();
    const rules = repos.rules
      .listRunnable()
      .filter((r) => (!scope.clientId || r.clientId === scope.clientId) && (!scope.ruleId || r.id === scope.ruleId));
    if (!this.deps.writer) {
      for (const rule of rules)
        this.idle(rule, {
          code: 'ai_not_configured',
          text: 'AI writing is off on this server: set GROQ_API_KEY so content rules can write posts.',
        });
      return counts;
    }
    // What this run wrote for reviewers: announced at the end, one event per client.
    const awaiting: string[] = [];
    let current: RuleWithAccounts | null = null;
    try {
      for (const rule of rules) {
        current = rule;
        const tz = rule.timezone ?? rule.client.timezone;
        const now = clock.now();
        const horizonEnd = now + rule.horizonDays * DAY;
        const found = await slotsBetween(rule.cron, tz, new Date(now), new Date(horizonEnd), 500);
        const slots = found.map((d) => d.getTime());
        counts.cancelled += await this.cancelStaleSlots(rule, tz, now, horizonEnd, slots);
        const accounts = repos.accounts.getMany(rule.accountIds);
        const idle: IdleReason | null =
          slots.length === 0
            ? { code: 'no_slots', text: `Its schedule has no time in the next ${rule.horizonDays} days.` }
            : this.idleAccounts(rule, accounts);
        if (idle) this.idle(rule, idle);
        for (const account of accounts) {
          if (this.skipReason(rule, account)) {
            counts.skippedAccounts++;
            continue;
          }
          const existing = repos.posts.existingSlotKeys(slots.map((s) => slotKey(rule.id, account.id, s)));
          // A slot where the account already has a post (queued, or scheduled by hand) stays that post's:
          // one time never gets two posts of one account (docs/planning.md#queues).
          const held = new Set(repos.queue.takenBetween(account.id, now, horizonEnd).map((p) => p.scheduledAt));
          const missing = slots.filter((s) => !existing.has(slotKey(rule.id, account.id, s)) && !held.has(s));
          counts.upToDate += slots.length - missing.length;
          for (let i = 0; i < missing.length; i += BATCH_SIZE) {
            signal?.throwIfAborted();
            await this.writeBatch(rule, rule.client, tz, account, missing.slice(i, i + BATCH_SIZE), counts, awaiting);
          }
        }
        repos.rules.update(rule.id, { lastGeneratedAt: clock.now() });
      }
    } catch (err) {
      // A refused key or a retired model stops every rule; the one being written says why.
      if (current && err instanceof GenerationError && !err.retryable)
        this.idle(current, { code: 'ai_refused', text: `The AI service refused to write: ${err.message}` });
      throw err;
    } finally {
      if (awaiting.length) this.deps.posts.announceApprovals(awaiting);
    }
    return counts;
  }

  /**
   * After a rule's schedule, zone or accounts change, the posts it wrote for slots it no longer
   * has would stand beside the ones for its new slots. Those nobody has touched since they were
   * written (version 1) are cancelled; anything a person edited, approved or rejected stays.
   */
  private async cancelStaleSlots(
    rule: RuleWithAccounts,
    tz: string,
    now: number,
    horizonEnd: number,
    slots: readonly number[],
  ): Promise<number> {
    const written = this.deps.repos.posts
      .untouchedOfRule(rule.id, now)
      .map((p) => ({ id: p.id, ...parseSlotKey(p.slotKey) }));
    if (written.length === 0) return 0;
    // Posts beyond a shortened horizon are checked against the schedule that far out.
    const latest = Math.max(...written.map((p) => p.slot));
    const further =
      latest < horizonEnd ? null : await slotsBetween(rule.cron, tz, new Date(now), new Date(latest + 1), 5000);
    const valid = new Set(further ? further.map((d) => d.getTime()) : slots);
    const accounts = new Set(rule.accountIds);
    let cancelled = 0;
    for (const post of written) {
      if (accounts.has(post.accountId) && valid.has(post.slot)) continue;
      const why = accounts.has(post.accountId)
        ? 'its rule no longer has this time (the schedule or time zone changed)'
        : 'its rule no longer writes for this account';
      if (this.deps.posts.cancelUntouched(post.id, `Cancelled: ${why}.`)) cancelled++;
    }
    return cancelled;
  }

  private topicFor(rule: RuleWithAccounts, slot: number, tz: string): string {
    if (rule.topics.length === 0) return 'something the audience cares about, in line with the brand';
    // Rotates by the client's calendar day, so reruns and regenerations pick the same topic for a slot.
    const day = partsInZone(slot, tz);
    return rule.topics[Math.floor(Date.UTC(day.year, day.month - 1, day.day) / DAY) % rule.topics.length]!;
  }

  /** Writes up to BATCH_SIZE posts in one request, asking again (with the problems) for the bad ones. */
  private async writeBatch(
    rule: RuleWithAccounts,
    client: ClientRow,
    tz: string,
    account: AccountRow,
    slots: number[],
    counts: GenerationCounts,
    awaiting: string[],
  ): Promise<void> {
    const writer = this.deps.writer!;
    const withImage = rule.media === 'image';
    const drafts: Array<Draft | null> = slots.map(() => null);
    let problems: string[] = [];
    let prompt = '';
    // Nothing is stored before the loop ends: the recent captions stay the same across tries.
    const recent = this.deps.repos.posts.recentCaptions(client.id, 10);
    // What worked and what did not, the same for every try of this batch (and recorded on each post).
    const examples = this.learning.examplesFor(client.id);
    const given = { good: examples.good.map((p) => p.postId), poor: examples.poor.map((p) => p.postId) };
    const guidance = this.deps.repos.clients.get(client.id)?.guidance ?? client.guidance;
    const topics = slots.map((slot) => this.topicFor(rule, slot, tz));
    const snippets = this.deps.repos.snippets.forAi(client.id);
    // A rule writing for several accounts writes one idea per slot: the slot's posts form one group.
    const groupKey = (slot: number) => (rule.accountIds.length >= 2 ? groupSlotKey(rule.id, slot) : undefined);
    for (let attempt = 1; attempt <= ATTEMPTS && drafts.some((d) => d === null); attempt++) {
      const pending = drafts.map((d, i) => (d === null ? i : -1)).filter((i) => i >= 0);
      const built = buildPrompt({
        client,
        rule,
        platform: this.target(account.platform),
        slots: pending.map((i) => ({ when: formatInZone(slots[i]!, tz), topic: topics[i]! })),
        recent,
        feedback: problems.join(' ') || null,
        examples,
        guidance,
        snippets,
      });
      prompt = built.user;
      const answer = await writer.complete(built.system, built.user, 700 * pending.length);
      counts.requests++;
      this.deps.repos.system.insertAiUsage({
        clientId: client.id,
        postId: null,
        kind: 'text',
        model: answer.model,
        promptTokens: answer.promptTokens,
        completionTokens: answer.completionTokens,
        createdAt: this.deps.clock.now(),
      });
      const review = reviewAnswer(answer.content, pending.length, this.target(account.platform), withImage);
      pending.forEach((index, k) => {
        drafts[index] = review.drafts[k] ?? null;
      });
      problems = review.problems;
    }
    for (const [i, slot] of slots.entries()) {
      const draft = drafts[i] ?? null;
      const key = slotKey(rule.id, account.id, slot);
      if (!draft) {
        const reason = `AI writing failed after ${ATTEMPTS} tries: ${problems.join(' ') || 'no usable answer'}`;
        if (
          this.deps.posts.insertGenerated({
            clientId: client.id,
            accountId: account.id,
            ruleId: rule.id,
            slotKey: key,
            groupSlotKey: groupKey(slot),
            scheduledAt: slot,
            caption: '',
            mediaIds: [],
            status: 'draft',
            aiPrompt: prompt,
            aiModel: writer.model,
            topic: topics[i]!,
            aiCaption: null,
            aiExamples: given,
            lastError: reason,
            note: `${reason} Use "Regenerate" to try again.`,
          })
        )
          counts.failed++;
        continue;
      }
      const { mediaIds, problem } = withImage
        ? await this.image(client.id, account.platform, draft)
        : { mediaIds: [], problem: null };
      const status = problem ? 'draft' : client.approvalMode === 'none' ? 'scheduled' : 'pending_approval';
      const caption = composeCaption(draft, this.target(account.platform));
      const inserted = this.deps.posts.insertGenerated({
        clientId: client.id,
        accountId: account.id,
        ruleId: rule.id,
        slotKey: key,
        groupSlotKey: groupKey(slot),
        scheduledAt: slot,
        caption,
        mediaIds,
        status,
        aiPrompt: draft.imagePrompt ? `${prompt}\n\nImage: ${draft.imagePrompt}` : prompt,
        aiModel: this.modelsFor(withImage),
        topic: topics[i]!,
        aiCaption: caption,
        aiExamples: given,
        lastError: problem,
        note:
          `Written by AI (${writer.model}) for rule "${rule.name}"` +
          (problem
            ? `; ${problem}`
            : status === 'pending_approval'
              ? `; waiting for ${client.approvalMode === 'client' ? 'the client' : 'an admin'} to approve`
              : '') +
          '.',
      });
      if (inserted?.status === 'pending_approval') awaiting.push(inserted.id);
      if (inserted) counts[problem ? 'failed' : 'created']++;
      // Another run filled this slot meanwhile: its image is nobody's.
      else for (const id of mediaIds) this.deps.media.delete(id);
    }
  }

  /**
   * Generates, downloads (allowed hosts only) and stores the image; a failure leaves the post a draft with
   * the reason.
   */
  private async image(
    clientId: string,
    platform: Platform,
    draft: Draft,
  ): Promise<{ mediaIds: string[]; problem: string | null }> {
    const images = this.deps.images!;
    try {
      const url = await images.generate(
        draft.imagePrompt || draft.caption.slice(0, 300),
        this.deps.networks.platform(platform)?.ai.image.aspect ?? '1:1',
      );
      const download = await safeDownload(url, {
        allowedHosts: this.deps.config.mediaFetchHosts,
        maxBytes: MAX_IMAGE_BYTES,
        timeoutMs: 60_000,
      });
      const row = await this.deps.media.ingest([download.bytes], {
        clientId,
        source: 'ai',
        altText: draft.altText,
        originalName: null,
      });
      this.deps.repos.system.insertAiUsage({
        clientId,
        postId: null,
        kind: 'image',
        model: images.model,
        promptTokens: 0,
        completionTokens: 0,
        createdAt: this.deps.clock.now(),
      });
      return { mediaIds: [row.id], problem: null };
    } catch (err) {
      if (err instanceof GenerationError && !err.retryable) throw err;
      const reason =
        err instanceof FetchRefused
          ? `the image download was refused (${err.message})`
          : `the image could not be made (${(err as Error).message})`;
      this.deps.log.warn({ clientId, err: (err as Error).message }, 'image generation failed');
      return { mediaIds: [], problem: `Written without an image: ${reason}. Use "Regenerate" to try again.` };
    }
  }

  /** Rewrites one AI post for its slot, taking the reviewer's comment into account. */
  async regenerate(postId: string, actor: Actor): Promise<void> {
    if (!this.deps.writer) throw new UnavailableError('AI writing is off: set GROQ_API_KEY.');
    const { repos } = this.deps;
    const post = this.deps.posts.get(postId);
    authorize(actor, 'content.write', post.clientId);
    if (!post.ruleId || post.scheduledAt === null)
      throw new ConflictError('Only posts written from a content rule can be regenerated.');
    // Checked again when storing, but first here: a post that cannot change is not worth a request.
    if (!EDITABLE_STATUSES.has(post.status))
      throw new ConflictError(`A ${humanStatus(post.status)} post cannot be rewritten.`);
    const rule = repos.rules.get(post.ruleId);
    if (!rule) throw new NotFoundError('The rule that wrote this post');
    const client = repos.clients.get(post.clientId)!;
    const account = repos.accounts.get(post.accountId)!;
    const writer = this.deps.writer;
    const tz = rule.timezone ?? client.timezone;
    const topic = this.topicFor(rule, post.scheduledAt, tz);
    const examples = this.learning.examplesFor(client.id);
    const built = buildPrompt({
      client,
      rule,
      platform: this.target(account.platform),
      slots: [{ when: formatInZone(post.scheduledAt, tz), topic }],
      recent: repos.posts.recentCaptions(client.id, 10),
      feedback: post.reviewComment,
      examples,
      guidance: client.guidance,
      snippets: repos.snippets.forAi(client.id),
    });
    const { value: draft, problems } = await askForDraft(this.deps, writer, built, {
      attempts: ATTEMPTS,
      clientId: client.id,
      postId,
      review: (content): AnswerReview<Draft> => {
        const review = reviewAnswer(content, 1, this.target(account.platform), rule.media === 'image');
        const first = review.drafts[0];
        return first ? { value: first } : { problems: review.problems };
      },
    });
    if (!draft) {
      this.deps.posts.log(postId, {
        step: 'regenerate',
        level: 'error',
        message: `AI writing failed after ${ATTEMPTS} tries: ${problems.join(' ')} (${describeActor(actor)})`,
      });
      throw new GenerationError(`AI writing failed after ${ATTEMPTS} tries: ${problems.join(' ')}`, true);
    }
    const { mediaIds, problem } =
      rule.media === 'image' ? await this.image(client.id, account.platform, draft) : { mediaIds: [], problem: null };
    const caption = composeCaption(draft, this.target(account.platform));
    this.deps.posts.applyRegenerated(postId, actor, {
      caption,
      topic,
      aiCaption: caption,
      aiExamples: { good: examples.good.map((p) => p.postId), poor: examples.poor.map((p) => p.postId) },
      mediaIds,
      aiPrompt: draft.imagePrompt ? `${built.user}\n\nImage: ${draft.imagePrompt}` : built.user,
      aiModel: this.modelsFor(rule.media === 'image'),
      lastError: problem,
      approvalMode: client.approvalMode,
    });
  }
}
