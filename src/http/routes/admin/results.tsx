import { Hono } from 'hono';
import { AgencyResultsPage, ClientResultsPage } from '../../../../views/pages/results.js';
import { ValidationError } from '../../../domain/errors.js';
import { dayInZone } from '../../../lib/zoned-time.js';
import { heldOf } from '../../client-reach.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { pageContext, render } from '../../render.js';
import { clientResultsBody } from '../../results-page.js';

/** `/results` (every client) and `/clients/:id/results` (one client): docs/results.md. */
export function resultsRoutes(deps: AppDeps) {
  const { services, clock } = deps;
  const app = new Hono<AppEnv>();

  app.get('/clients/:id/results', (c) => {
    const client = services.clients.get(c.req.param('id'));
    const { node, status } = clientResultsBody(c, deps, client, {
      action: `/clients/${client.id}/results`,
      admin: true,
    });
    return render(
      c,
      <ClientResultsPage page={pageContext(c)} client={client}>
        {node}
      </ClientResultsPage>,
      status,
    );
  });

  app.get('/results', (c) => {
    const input = { from: c.req.query('from'), to: c.req.query('to') };
    // The presets count in UTC here: each client's own days are counted in its zone by the service.
    const today = dayInZone(clock.now(), 'UTC');
    try {
      const agency = services.results.forAgency(input, heldOf(c));
      const first = agency.clients[0]?.period;
      return render(
        c,
        <AgencyResultsPage
          page={pageContext(c)}
          choice={{ from: first?.fromDay ?? input.from ?? '', to: first?.toDay ?? input.to ?? today, today }}
          rows={agency.clients}
          totals={agency.totals}
        />,
      );
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return render(
        c,
        <AgencyResultsPage
          page={pageContext(c)}
          choice={{ from: input.from ?? '', to: input.to ?? '', today, errors: err.fields }}
          rows={null}
          totals={null}
        />,
        422,
      );
    }
  });

  return app;
}
