/**
 * The URL of a file under public/, carrying its content hash as `?v=<hash>`.
 *
 * A version query rather than a hashed file name: the file keeps its name, so the URL still maps
 * straight onto public/ with no build step renaming anything, and a page rendered before a deploy
 * still loads its assets by the old URL (answered with the current file and `no-cache`) instead of
 * a 404 for a name that no longer exists.
 *
 * The hashes are taken once when the server starts (src/http/static-assets.ts) and handed here, so
 * views stay pure: they only look a name up. A name with no hash (a file missing at start-up) is
 * written without one, which the server answers with `no-cache`.
 */
let versions: ReadonlyMap<string, string> = new Map();

export function useAssetVersions(map: ReadonlyMap<string, string>): void {
  versions = map;
}

/** `asset('app.css')` → `/static/app.css?v=1a2b3c4d5e6f`. */
export function asset(path: string): string {
  const hash = versions.get(path);
  return hash ? `/static/${path}?v=${hash}` : `/static/${path}`;
}
