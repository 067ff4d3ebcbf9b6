// The server-rendered SVG charts: pure functions of numbers. Scales, empty data, one point,
// escaping, and the accessible name every chart carries.
import { describe, expect, it } from 'vitest';
import { barChart } from '../../views/charts/bar-chart.js';
import { heatmap } from '../../views/charts/heatmap.js';
import { lineChart } from '../../views/charts/line-chart.js';
import { shortNumber, ticks } from '../../views/charts/svg.js';

const numbers = (svg: string, attr: string) =>
  [...svg.matchAll(new RegExp(`${attr}="(-?[\\d.]+)"`, 'g'))].map((m) => Number(m[1]));

describe('chart scales', () => {
  it('picks round ticks that cover the data', () => {
    expect(ticks(0, 97)).toEqual([0, 50, 100]);
    expect(ticks(0, 80)).toEqual([0, 20, 40, 60, 80]);
    expect(ticks(0, 0.07)).toEqual([0, 0.02, 0.04, 0.06, 0.08]);
    expect(ticks(0, 1000)[0]).toBe(0);
    expect(ticks(0, 1000).at(-1)).toBeGreaterThanOrEqual(1000);
    expect(ticks(5, 5)).toEqual([5]);
    expect(shortNumber(1234)).toBe('1.2k');
    expect(shortNumber(25_000)).toBe('25k');
    expect(shortNumber(3_400_000)).toBe('3.4M');
  });

  it('draws the highest value at the top of the plot and zero at its bottom', () => {
    const svg = lineChart({ title: 'Followers', xLabels: ['a', 'b'], series: [{ label: 'FB', values: [0, 100] }] });
    const path = /<path class="chart-line[^"]*" d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)"/.exec(svg)!;
    const [x0, y0, x1, y1] = path.slice(1).map(Number);
    expect(x1).toBeGreaterThan(x0!);
    expect(y1).toBeLessThan(y0!); // SVG's y grows downwards: 100 is above 0.
    expect(y1).toBe(12); // The top padding: 100 is the scale's maximum.
    expect(svg).toContain('>100</text>');
  });
});

describe('line chart', () => {
  it('says there is no data instead of drawing an empty axis', () => {
    const svg = lineChart({ title: 'Views', xLabels: ['11-01'], series: [{ label: 'FB', values: [null] }] });
    expect(svg).toContain('No data in this period');
    expect(svg).not.toContain('<path');
    expect(svg).toContain('<title>Views</title>');
    expect(svg).toContain('<desc>No data in this period.</desc>');
  });

  it('draws one point as a dot', () => {
    const svg = lineChart({ title: 'Views', xLabels: ['11-01'], series: [{ label: 'FB', values: [42] }] });
    expect(svg).toMatch(/<circle cx="[\d.]+" cy="[\d.]+" r="3"/);
    expect(svg).toContain('FB: from 42 to 42');
  });

  it('breaks the line at days without numbers', () => {
    const svg = lineChart({
      title: 'Views',
      xLabels: ['1', '2', '3', '4', '5'],
      series: [{ label: 'FB', values: [1, 2, null, 4, 5] }],
    });
    const d = /d="([^"]+)"/.exec(svg)![1]!;
    expect(d.match(/M/g)).toHaveLength(2);
  });

  it('escapes labels and titles, and carries an accessible name without inline style or script', () => {
    const svg = lineChart({
      title: 'Reach <b>&</b> "views"',
      xLabels: ['<script>'],
      series: [{ label: 'A&B <img onerror=x>', values: [3] }],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('A&amp;B &lt;img onerror=x&gt;');
    expect(svg).toContain('aria-label="Reach &lt;b&gt;&amp;&lt;/b&gt; &quot;views&quot;"');
    expect(svg).toContain('role="img"');
    expect(svg).not.toMatch(/style=|<style|<script/);
  });
});

describe('bar chart', () => {
  it('scales bars to the largest value and keeps a zero bar empty', () => {
    const svg = barChart({
      title: 'By rule',
      bars: [
        { label: 'Tips', value: 10 },
        { label: 'News', value: 5 },
        { label: 'Quiet', value: 0 },
      ],
    });
    const widths = numbers(svg, 'width').slice(2); // After the <svg> and its background.
    expect(widths[1]).toBeCloseTo(widths[0]! / 2, 1);
    expect(widths[2]).toBe(0);
    expect(svg).toContain('<desc>Tips: 10; News: 5; Quiet: 0</desc>');
  });

  it('has an empty state and escapes long labels after cutting them', () => {
    expect(barChart({ title: 'By topic', bars: [] })).toContain('No data');
    const svg = barChart({ title: 'By topic', bars: [{ label: `<${'x'.repeat(40)}>`, value: 1 }] });
    expect(svg).toContain('&lt;xxxxxxxxxxxxxxxxxxxx…');
    expect(svg).not.toMatch(/<x/);
  });
});

describe('heatmap', () => {
  it('names the zone, shades cells by rate, and titles each cell with its numbers', () => {
    const svg = heatmap({
      title: 'Engagement',
      zone: 'Europe/Berlin',
      cells: [
        { weekday: 1, hour: 9, posts: 2, rate: 0.1 },
        { weekday: 3, hour: 18, posts: 1, rate: 0.05 },
      ],
    });
    expect(svg).toContain('Hours in Europe/Berlin');
    expect(svg).toContain('<title>Mon 09:00: 2 posts, 10.0% engagement</title>');
    expect(svg).toContain('best slot is Mon 09:00 with 10.0% over 2 posts');
    // 7 × 24 cells, the strongest the darkest.
    expect(svg.match(/class="heat-cell"/g)).toHaveLength(168);
    expect(svg).toContain('fill="rgb(24,100,171)"');
  });

  it('draws an empty week when nothing is measured', () => {
    const svg = heatmap({ title: 'Engagement', zone: 'UTC', cells: [] });
    expect(svg).toContain('No measured posts in this period (UTC).');
    expect(svg).not.toContain('rgb(');
  });
});
