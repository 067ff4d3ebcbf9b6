import type { Context } from 'hono';
import type { AppDeps, AppEnv } from '../../context.js';
import { setFlash } from '../../render.js';

/**
 * The pages' "Generate now" and "Regenerate" buttons: queue a generate-content run for the
 * leader (`params` says what to write) and say so, or say why AI writing is off.
 */
export function requestWriting(
  c: Context<AppEnv>,
  deps: AppDeps,
  params: Record<string, string>,
  queued: string,
): void {
  if (!deps.generator.enabled) {
    setFlash(c, 'error', 'AI writing is off: set GROQ_API_KEY to use it.');
    return;
  }
  deps.scheduler.runNow('generate-content', params, c.var.actor);
  setFlash(c, 'ok', queued);
}
