import { Hono } from 'hono';
import { ConflictError } from '../../../domain/errors.js';
import { describeCron } from '../../../lib/cron-describe.js';
import { nextSlots } from '../../../lib/cron.js';
import { GuidanceCard, type SuggestionView } from '../../../../views/components/learning.js';
import { AdminLayout } from '../../../../views/layouts/admin.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { submitForm } from '../../forms.js';
import { formFields, pageContext, render, setFlash } from '../../render.js';
import { redirectTo } from '../../session.js';

const BEFORE_AFTER = 5;

/** What the rule page shows of a rule's suggested schedule, with its next slots now and with it applied. */
export function suggestionView(deps: AppDeps, ruleId: string): SuggestionView {
  const s = deps.services.learning.suggestionFor(ruleId);
  const after = new Date(deps.clock.now());
  const slots = (cron: string) => nextSlots(cron, s.timezone, BEFORE_AFTER, after).map((d) => d.getTime());
  return {
    ruleId,
    timezone: s.timezone,
    description: s.description,
    currentDescription: describeCron(s.current),
    evidence: s.evidence,
    same: s.same,
    applicable: s.applicable,
    perAccount: s.perAccount,
    before: slots(s.current),
    after: slots(s.cron),
  };
}

/** Learning: applying a rule's suggested schedule, and an admin's own words for a client's AI guidance. */
export function learningRoutes(deps: AppDeps) {
  const { services } = deps;
  const app = new Hono<AppEnv>();

  app.post('/rules/:id/suggested-schedule', (c) => {
    const rule = services.rules.get(c.req.param('id'));
    try {
      const applied = services.learning.applySuggestion(rule.id, c.var.actor);
      setFlash(c, 'ok', `Schedule changed to ${applied.description} (${applied.timezone}).`);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      setFlash(c, 'error', err.message);
    }
    return redirectTo(c, `/rules/${rule.id}/edit`);
  });

  app.post('/clients/:id/guidance', async (c) => {
    const client = services.clients.get(c.req.param('id'));
    const text = (await formFields(c)).one('guidance');
    return submitForm(
      c,
      () => {
        services.learning.setGuidance(client.id, text, c.var.actor);
        setFlash(c, 'ok', 'Guidance saved.');
        return redirectTo(c, `/clients/${client.id}#guidance`);
      },
      (errors, _message, status) => {
        const page = pageContext(c);
        return render(
          c,
          <AdminLayout title={`AI guidance for ${client.name}`} page={page} active="clients">
            <p>
              <a href={`/clients/${client.id}`}>← {client.name}</a>
            </p>
            <GuidanceCard
              clientId={client.id}
              guidance={text}
              updatedAt={client.guidanceUpdatedAt}
              timezone={client.timezone}
              csrf={page.csrf}
              errors={errors}
            />
          </AdminLayout>,
          status as 422,
        );
      },
    );
  });

  return app;
}
