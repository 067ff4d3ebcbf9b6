import { esc, frame, INK } from './svg.js';

export interface HeatCell {
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
  hour: number;
  posts: number;
  rate: number | null;
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const CELL = 22;
const LEFT = 40;
const TOP = 20;

/** The fill of a cell: light to dark blue with the rate; cells without posts stay blank. */
function shade(rate: number, max: number): string {
  const t = max > 0 ? Math.min(1, rate / max) : 0;
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(231, 24)},${mix(245, 100)},${mix(255, 171)})`;
}

/**
 * Weekday × hour: how engaging posts at each hour were (mean engagement rate), in the zone the
 * caller names. Each cell's <title> gives its numbers, so the colour is never the only cue.
 */
export function heatmap(opts: { title: string; zone: string; cells: readonly HeatCell[] }): string {
  const { title, zone, cells } = opts;
  const width = LEFT + 24 * CELL + 8;
  const height = TOP + 7 * CELL + 24;
  const rated = cells.filter((c) => c.rate !== null && c.posts > 0);
  const max = Math.max(0, ...rated.map((c) => c.rate!));
  const best = [...rated].sort((a, b) => b.rate! - a.rate!)[0];
  const pct = (r: number) => `${(r * 100).toFixed(1)}%`;
  const desc = best
    ? `Engagement rate by weekday and hour (${zone}); the best slot is ${DAYS[best.weekday - 1]} ` +
      `${String(best.hour).padStart(2, '0')}:00 with ${pct(best.rate!)} over ${best.posts} posts.`
    : `No measured posts in this period (${zone}).`;
  const parts: string[] = [];
  for (let h = 0; h < 24; h += 3)
    parts.push(
      `<text class="chart-axis" x="${LEFT + h * CELL + CELL / 2}" y="${TOP - 6}" text-anchor="middle" fill="${INK}" ` +
        `font-size="10">${String(h).padStart(2, '0')}</text>`,
    );
  DAYS.forEach((day, d) => {
    parts.push(
      `<text class="chart-axis" x="${LEFT - 6}" y="${TOP + d * CELL + CELL / 2}" text-anchor="end" ` +
        `dominant-baseline="middle" fill="${INK}" font-size="11">${day}</text>`,
    );
  });
  const byKey = new Map(cells.map((c) => [c.weekday * 24 + c.hour, c]));
  for (let d = 1; d <= 7; d++)
    for (let h = 0; h < 24; h++) {
      const c = byKey.get(d * 24 + h);
      const x = LEFT + h * CELL;
      const y = TOP + (d - 1) * CELL;
      const fill = c && c.rate !== null && c.posts > 0 ? shade(c.rate, max) : '#f8f9fa';
      const label = c
        ? `${DAYS[d - 1]} ${String(h).padStart(2, '0')}:00: ${c.posts} posts` +
          (c.rate !== null ? `, ${pct(c.rate)} engagement` : ', not measured')
        : null;
      parts.push(
        `<rect class="heat-cell" x="${x + 1}" y="${y + 1}" width="${CELL - 2}" height="${CELL - 2}" fill="${fill}"` +
          (label ? `><title>${esc(label)}</title></rect>` : '/>'),
      );
    }
  parts.push(
    `<text class="chart-legend" x="${LEFT}" y="${height - 6}" fill="${INK}" font-size="11">` +
      `Hours in ${esc(zone)}; darker = higher engagement rate${max > 0 ? ` (up to ${pct(max)})` : ''}</text>`,
  );
  return frame({ width, height, title, desc, className: 'heatmap' }, parts.join(''));
}
