// Pure formatting helpers for views: instants shown in a client's zone, sizes, relative times.

export { formatInZone, fromLocalInput, partsInZone, toLocalInput } from '../src/lib/zoned-time.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** "in 3 h", "5 min ago". */
export function relative(ms: number, now: number): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  const unit =
    abs < 90_000
      ? [Math.round(abs / 1000), 's']
      : abs < 5_400_000
        ? [Math.round(abs / 60_000), 'min']
        : abs < 172_800_000
          ? [Math.round(abs / 3_600_000), 'h']
          : [Math.round(abs / 86_400_000), 'days'];
  return diff >= 0 ? `in ${unit[0]} ${unit[1]}` : `${unit[0]} ${unit[1]} ago`;
}

export { humanStatus } from '../src/domain/post-status.js';
