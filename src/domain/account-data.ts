// Reading what a connector stored on an account, the same way everywhere.

/** What the account's connector stored on it (its platformData), {} when unreadable. */
export function platformDataOf(account: { readonly platformData: string }): Record<string, unknown> {
  try {
    const data: unknown = JSON.parse(account.platformData);
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The platform data a permission check reads (`networks.missingCommentScopes`): the scopes some
 * connectors store in platformData, otherwise the account's scopes column, which every connector
 * fills. The engine and the editor read grants through this, so they never disagree.
 */
export function grantsOf(account: { readonly scopes: string; readonly platformData: string }): Record<string, unknown> {
  const data = platformDataOf(account);
  if (Array.isArray(data.scopes) || account.scopes === '') return data;
  return { ...data, scopes: account.scopes.split(',') };
}
