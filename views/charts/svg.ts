// Shared pieces of the server-rendered charts: escaping, number labels and the frame every
// chart has (a <title>, a <desc> and an aria-label, so a screen reader reads what the chart
// shows). Charts are strings of SVG so that the same markup goes into pages and, through sharp,
// into the monthly report's PNG images. No style attributes: the CSP forbids inline styles, so
// colours come from classes in public/app.css and presentation attributes as their fallback.

/** Escapes text for SVG element content and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A short axis label: 1.2k, 3.4M. */
export function shortNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (abs >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(n < 1 ? 2 : 1);
}

/** Round tick values from min to max (about `count` of them), the scale a person would draw. */
export function ticks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (max === min) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  if (out[out.length - 1]! < max) out.push(+(out[out.length - 1]! + step).toPrecision(12));
  return out;
}

/** The outer <svg> with its accessible name and description. */
export function frame(
  opts: { width: number; height: number; title: string; desc: string; className: string },
  body: string,
): string {
  const { width, height, title, desc, className } = opts;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `class="chart ${className}" role="img" aria-label="${esc(title)}">` +
    `<title>${esc(title)}</title><desc>${esc(desc)}</desc>` +
    `<rect class="chart-bg" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>` +
    `${body}</svg>`
  );
}

/** The colours of the series, in order (classes chart-s0… in app.css carry the same). */
export const SERIES_COLOURS = ['#1f6feb', '#d9480f', '#2f9e44', '#9c36b5', '#e67700', '#0c8599', '#5f3dc4', '#c2255c'];

export const INK = '#495057';
export const GRID = '#dee2e6';
