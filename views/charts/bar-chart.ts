import { esc, frame, INK, SERIES_COLOURS, shortNumber } from './svg.js';

export interface Bar {
  label: string;
  value: number;
  /** The text after the bar; the value by default. */
  note?: string;
}

const W = 480;
const ROW = 26;
const LABEL_W = 150;

/** Horizontal bars, one row each (rules, topics, networks); labels are cut at 22 characters. */
export function barChart(opts: { title: string; bars: readonly Bar[]; format?: (n: number) => string }): string {
  const { title, bars } = opts;
  const format = opts.format ?? shortNumber;
  const height = Math.max(1, bars.length) * ROW + 16;
  const desc = bars.length ? bars.map((b) => `${b.label}: ${b.note ?? format(b.value)}`).join('; ') : 'No data.';
  if (bars.length === 0) {
    return frame(
      { width: W, height: 48, title, desc, className: 'bar-chart' },
      `<text class="chart-empty" x="${W / 2}" y="28" text-anchor="middle" fill="${INK}" font-size="14">No data</text>`,
    );
  }
  const max = Math.max(0, ...bars.map((b) => b.value));
  const plotW = W - LABEL_W - 110;
  const parts = bars.map((b, i) => {
    const y = 8 + i * ROW;
    const w = max > 0 ? Math.max(b.value > 0 ? 2 : 0, (b.value / max) * plotW) : 0;
    const label = b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label;
    return (
      `<text class="chart-axis" x="${LABEL_W - 8}" y="${y + ROW / 2}" text-anchor="end" dominant-baseline="middle" ` +
      `fill="${INK}" font-size="12">${esc(label)}</text>` +
      `<rect class="chart-bar" x="${LABEL_W}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW - 8}" ` +
      `fill="${SERIES_COLOURS[0]}"/>` +
      `<text class="chart-value" x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + ROW / 2}" dominant-baseline="middle" ` +
      `fill="${INK}" font-size="12">${esc(b.note ?? format(b.value))}</text>`
    );
  });
  return frame({ width: W, height, title, desc, className: 'bar-chart' }, parts.join(''));
}
