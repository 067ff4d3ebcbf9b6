import type { ContentGenerator } from '../services/generation-service.js';
import type { JobDefinition } from './scheduler.js';

/**
 * generate-content: every 10 minutes, and on request for one client (`clientId`), one rule
 * (`ruleId`) or to rewrite one post (`postId`). It runs in the leader only, so the Groq
 * requests-per-minute budget is one budget for the whole installation.
 */
export function generationJob(generator: ContentGenerator): JobDefinition {
  return {
    id: 'generate-content',
    title: 'Write posts for content rules',
    schedule: '0 */10 * * * *',
    leaderOnly: true,
    run: async ({ params, signal }): Promise<Record<string, number>> => {
      if (params.postId) {
        await generator.regenerate(params.postId, { kind: 'system', job: 'generate-content' });
        return { regenerated: 1 };
      }
      const counts: Record<string, number> = {
        ...(await generator.generateDue({ clientId: params.clientId, ruleId: params.ruleId }, signal)),
      };
      return counts;
    },
  };
}
