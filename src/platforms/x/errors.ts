// X's answers turned into PlatformErrors with plain words (docs/platforms/x.md#errors). v2 errors
// are problem documents (`type`, `title`, `detail`); older ones are `{errors:[{code,message}]}`.
import { PlatformError, type PlatformErrorKind } from '../types.js';

export interface XProblem {
  readonly type?: string;
  readonly title?: string;
  readonly detail?: string;
  readonly status?: number;
}

const MINUTE = 60_000;
/** The 15-minute window, when a 429 carries no reset header (docs/platforms/x.md#rate-limits). */
export const DEFAULT_WINDOW_MS = 15 * MINUTE;

/** The first problem of an answer, whichever of X's shapes it has. */
export function problemOf(body: unknown): XProblem | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (typeof b.detail === 'string' || typeof b.title === 'string' || typeof b.type === 'string') return b as XProblem;
  const first = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined) : undefined;
  if (first)
    return {
      title: typeof first.title === 'string' ? first.title : undefined,
      detail: String(first.detail ?? first.message ?? ''),
      type: typeof first.type === 'string' ? first.type : undefined,
    };
  return null;
}

function sentence(t: string): string {
  const s = t.trim();
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** The refusal X gives a text it already has from this account (docs/platforms/x.md#duplicate-content). */
export function isDuplicate(problem: XProblem | null): boolean {
  return /duplicate content/i.test(problem?.detail ?? '');
}

export interface XErrorContext {
  readonly status: number;
  /** Until x-rate-limit-reset (or the 24-hour headers), when the answer gave one. */
  readonly retryAfterMs?: number;
  /** The app's own budget (24-hour app headers at 0, or a usage cap) rather than this user's. */
  readonly appWide?: boolean;
}

export function mapXError(problem: XProblem | null, context: XErrorContext): PlatformError {
  const kindOf = (problem?.type ?? '').split('/').pop() ?? '';
  const words = problem?.detail || problem?.title || `HTTP ${context.status}`;
  const tag = `x:${kindOf && kindOf !== 'about:blank' ? kindOf : context.status}`;
  const make = (kind: PlatformErrorKind, message: string, options: PlatformError['options'] = {}) =>
    new PlatformError(kind, sentence(message), tag, options);

  if (isDuplicate(problem))
    return make(
      'permanent',
      'X refused the post because this account already posted the same text; change the wording to post it again',
    );
  if (kindOf === 'usage-capped')
    return make('rate_limited', `X says the app’s usage cap is used up (${words}); posting resumes when it resets`, {
      retryAfterMs: context.retryAfterMs ?? 24 * 60 * MINUTE,
      scope: 'platform',
    });
  if (context.status === 429 || kindOf === 'rate-limit-exceeded')
    return make('rate_limited', `X asked Herald to slow down (${words})`, {
      retryAfterMs: context.retryAfterMs ?? DEFAULT_WINDOW_MS,
      scope: context.appWide ? 'platform' : 'account',
    });
  if (context.status === 401)
    return make('auth', `X no longer accepts Herald’s access (${words}); the account must be connected again`);
  if (/user-suspended|Unsupported Authentication/i.test(`${kindOf} ${words}`))
    return make('auth', `X refused the account (${words}); the account must be connected again`);
  if (context.status >= 500) return make('transient', `X had a temporary problem (${words}); it will be tried again`);
  if (/invalid URL/i.test(words)) return make('permanent', 'X refused the post: it contains a link X does not accept');
  if (context.status === 403)
    return make('permanent', `X refused the post (${words}); check the text and media, or the app’s access level`);
  return make('permanent', `X refused the request: ${words}`);
}
