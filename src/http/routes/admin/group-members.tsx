import { Hono } from 'hono';
import { GroupMembersPage } from '../../../../views/pages/group-members.js';
import { GroupCard } from '../../../../views/components/group-card.js';
import { pipelineQuery } from '../../../../views/pages/pipeline.js';
import { NotFoundError } from '../../../domain/errors.js';
import { inScope } from '../../../services/list-scope.js';
import { scopeOf } from '../../client-reach.js';
import type { AppDeps, AppEnv } from '../../context.js';
import { pageContext, render } from '../../render.js';
import { isHtmx } from '../../session.js';
import { groupCard } from './group-cards.js';
import { filtersOf, listFilterOf, zoneOf } from './pipeline.js';

/**
 * A post group's members. htmx swaps a pipeline card for itself opened (`open=1`) or closed; any
 * other request gets a page of the group's members. The pipeline's filters in the query string dim
 * the members that do not match them, as the card does.
 */
export function groupMembersRoutes(deps: AppDeps) {
  const { repos } = deps;
  return new Hono<AppEnv>().get('/groups/:id/members', (c) => {
    const params = new URL(c.req.url).searchParams;
    const filters = filtersOf((k) => params.getAll(k));
    const found = groupCard(repos, c.req.param('id'), listFilterOf(filters, zoneOf(repos, filters.clientId)));
    if (!found || !inScope(scopeOf(c), found.card.group.clientId)) throw new NotFoundError('The post group');
    const query = pipelineQuery(filters);
    if (isHtmx(c))
      return render(
        c,
        <GroupCard card={found.card} labels={found.labels} open={params.get('open') === '1'} query={query} />,
      );
    return render(c, <GroupMembersPage page={pageContext(c)} card={found.card} labels={found.labels} />);
  });
}
