// REPLICA_URL: where Litestream streams the database. The schemes are the replica types Litestream
// 0.3.13 accepts in a replica `url:` (https://litestream.io/reference/config/#replica-settings).
export const REPLICA_SCHEMES = ['s3', 'gcs', 'abs', 'sftp', 'file'] as const;
export type ReplicaScheme = (typeof REPLICA_SCHEMES)[number];

export const REPLICA_URL_HELP =
  'must be a replica URL with one of the schemes s3, gcs, abs, sftp, file ' +
  '(e.g. s3://bucket/herald, file:///mnt/replica)';

/** The scheme of a replica URL, or null when it is not one Herald can hand to Litestream. */
export function replicaScheme(value: string): ReplicaScheme | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const scheme = url.protocol.replace(/:$/, '') as ReplicaScheme;
  if (!REPLICA_SCHEMES.includes(scheme)) return null;
  // file:///path has no host; every other type names its bucket, container or host there.
  if (scheme === 'file' ? url.pathname.length < 2 : !url.hostname) return null;
  return scheme;
}

/** The URL as pages and logs show it: a password or user in it is replaced by `***`. */
export function maskReplicaUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    if (url.username) url.username = '***';
    // Query strings can carry keys (e.g. an Azure SAS); the path alone identifies the replica.
    url.search = '';
    return url.toString();
  } catch {
    return '(not a URL)';
  }
}

/** A Go duration Litestream reads (`sync-interval: 1s`) turned into milliseconds, or null. */
export function durationMs(value: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}
