// Every Page a Facebook login reaches (docs/platforms/meta.md#listing-pages): `/me/accounts` page by page, then the
// Pages a Business Manager owns or manages for clients, which `/me/accounts` may leave out.
import { PlatformError } from '../types.js';
import { record, text, type GraphClient } from './graph.js';

export interface PageRow {
  id: string;
  name: string;
  username: string | null;
  category: string | null;
  token: string | undefined;
  tasks: string[] | null;
  /** The Page's profile picture (`picture`), shown beside the account in Herald's pages. */
  picture: string | null;
  instagram: { id: string; username: string | null; name: string | null; picture: string | null } | null;
  via: 'accounts' | 'business';
}

/**
 * `/me/accounts`, then Business Manager's owned and client Pages, without duplicates
 * (docs/platforms/meta.md#listing-pages).
 */
export async function listPages(
  graph: GraphClient,
  userToken: string,
  options: { withInstagram: boolean; withBusiness: boolean; pageSize: number },
  warnings: string[],
): Promise<PageRow[]> {
  const { withInstagram, withBusiness } = options;
  // Field expansion fetches each Page's linked Instagram account in the same call
  // (docs/platforms/meta.md#instagram-through-facebook-login).
  const ig = withInstagram ? ',instagram_business_account{id,username,name,profile_picture_url}' : '';
  const limit = options.pageSize;
  const byId = new Map<string, PageRow>();
  // A Page can be reachable both ways; the first sighting wins.
  const add = (rows: Array<Record<string, unknown>>, via: PageRow['via']) => {
    for (const row of rows) {
      const id = text(row.id);
      if (!id || byId.has(id)) continue;
      const linked = record(row.instagram_business_account);
      const igId = text(linked?.id);
      byId.set(id, {
        id,
        name: text(row.name) ?? id,
        username: text(row.username) ?? null,
        category: text(row.category) ?? null,
        token: text(row.access_token),
        tasks: Array.isArray(row.tasks) ? row.tasks.map(String) : null,
        picture: text(record(record(row.picture)?.data)?.url) ?? null,
        instagram: igId
          ? {
              id: igId,
              username: text(linked?.username) ?? null,
              name: text(linked?.name) ?? null,
              picture: text(linked?.profile_picture_url) ?? null,
            }
          : null,
        via,
      });
    }
  };
  add(
    await graph.collect({
      path: '/me/accounts',
      token: userToken,
      surface: 'facebook',
      params: { fields: `id,name,username,category,picture,tasks,access_token${ig}`, limit },
    }),
    'accounts',
  );
  if (!withBusiness) {
    warnings.push(
      'Pages managed only through a Business Manager were not looked up: business_management was not granted.',
    );
    return [...byId.values()];
  }
  try {
    const businesses = await graph.collect({
      path: '/me/businesses',
      token: userToken,
      surface: 'facebook',
      params: { fields: 'id,name', limit },
    });
    for (const business of businesses) {
      const id = text(business.id);
      if (!id) continue;
      for (const edge of ['owned_pages', 'client_pages']) {
        // `tasks` exists only on the /me/accounts edge, so it is not asked for here.
        add(
          await graph.collect({
            path: `/${id}/${edge}`,
            token: userToken,
            surface: 'facebook',
            params: { fields: `id,name,username,category,picture,access_token${ig}`, limit },
          }),
          'business',
        );
      }
    }
  } catch (err) {
    if (!(err instanceof PlatformError) || err.kind === 'auth') throw err;
    warnings.push(`Pages managed through a Business Manager could not be listed: ${err.message}`);
  }
  return [...byId.values()];
}
