import { esc, frame, GRID, INK, SERIES_COLOURS, shortNumber, ticks } from './svg.js';

export interface LineSeries {
  label: string;
  /** One value per x label; null where nothing was reported (the line breaks there). */
  values: ReadonlyArray<number | null>;
}

const W = 640;
const H = 240;
const PAD = { left: 48, right: 28, top: 12, bottom: 52 };

/**
 * A line chart of one or more series over the same x labels (days). Empty data gives the frame
 * and a "no data" note; one point gives a dot. Pure: the same numbers give the same SVG.
 */
export function lineChart(opts: { title: string; xLabels: readonly string[]; series: readonly LineSeries[] }): string {
  const { title, xLabels } = opts;
  const series = opts.series.filter((s) => s.values.some((v) => v !== null));
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const summary = series
    .map((s) => {
      const known = s.values.filter((v): v is number => v !== null);
      return `${s.label}: from ${shortNumber(known[0]!)} to ${shortNumber(known[known.length - 1]!)}`;
    })
    .join('; ');
  const desc = all.length
    ? `${xLabels[0] ?? ''} to ${xLabels[xLabels.length - 1] ?? ''}. ${summary}.`
    : 'No data in this period.';
  if (all.length === 0) {
    return frame(
      { width: W, height: H, title, desc, className: 'line-chart' },
      `<text class="chart-empty" x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="${INK}" font-size="14">` +
        'No data in this period</text>',
    );
  }
  const scale = ticks(Math.min(0, ...all), Math.max(...all));
  const lo = scale[0]!;
  const hi = scale[scale.length - 1]! === lo ? lo + 1 : scale[scale.length - 1]!;
  const n = Math.max(xLabels.length, ...series.map((s) => s.values.length));
  const x = (i: number) => PAD.left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const y = (v: number) => PAD.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const parts: string[] = [];
  for (const t of scale) {
    const ty = y(t).toFixed(1);
    parts.push(
      `<line class="chart-grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${ty}" y2="${ty}" stroke="${GRID}"/>`,
      `<text class="chart-axis" x="${PAD.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle" ` +
        `fill="${INK}" font-size="11">${esc(shortNumber(t))}</text>`,
    );
  }
  // At most about six x labels, always the first and the last.
  const every = Math.max(1, Math.ceil(n / 6));
  xLabels.forEach((label, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    if (i !== n - 1 && n - 1 - i < every / 2) return;
    parts.push(
      `<text class="chart-axis" x="${x(i).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" ` +
        `fill="${INK}" font-size="11">${esc(label)}</text>`,
    );
  });
  series.forEach((s, si) => {
    const colour = SERIES_COLOURS[si % SERIES_COLOURS.length]!;
    let d = '';
    let pen = false;
    const dots: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
      // A lone point (no neighbour on either side) would be an invisible path: draw a dot.
      if (!pen && (s.values[i + 1] ?? null) === null)
        dots.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${colour}"/>`);
      pen = true;
    });
    parts.push(
      `<path class="chart-line chart-s${si % SERIES_COLOURS.length}" d="${d}" fill="none" stroke="${colour}" ` +
        `stroke-width="2"/>`,
      ...dots,
    );
    // The legend under the axis: a swatch and the series' name (the colour is never the only cue).
    const lx = PAD.left + si * 150;
    parts.push(
      `<rect x="${lx}" y="${H - 18}" width="12" height="4" fill="${colour}"/>`,
      `<text class="chart-legend" x="${lx + 16}" y="${H - 12}" fill="${INK}" font-size="11">${esc(s.label)}</text>`,
    );
  });
  return frame({ width: W, height: H, title, desc, className: 'line-chart' }, parts.join(''));
}
