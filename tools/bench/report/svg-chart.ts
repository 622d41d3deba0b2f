/**
 * A small grouped bar chart as standalone SVG: enough for the benchmark report without a charting
 * dependency. Deterministic output (same data, same bytes) so regenerated charts diff cleanly.
 */

export interface BarGroup {
  label: string;
  /** One value per series, in series order. */
  values: number[];
}

export interface BarChart {
  title: string;
  /** Unit shown on the axis and on each bar, e.g. 'ms' or 'req/s'. */
  unit: string;
  series: string[];
  groups: BarGroup[];
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { top: 48, right: 20, bottom: 64, left: 64 };
const COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2'];

const PLOT = { width: WIDTH - MARGIN.left - MARGIN.right, height: HEIGHT - MARGIN.top - MARGIN.bottom, bottom: HEIGHT - MARGIN.bottom };

/** A grouped bar chart as a standalone SVG; deterministic (same chart, same bytes). */
export function renderBarChart(chart: BarChart): string {
  assertChartData(chart);
  const max = niceMax(Math.max(...chart.groups.flatMap((g) => g.values)));
  const y = (value: number): number => PLOT.bottom - (value / max) * PLOT.height;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(chart.title)}</text>`,
    ...gridLines(max, y),
    `<text transform="translate(16 ${MARGIN.top + PLOT.height / 2}) rotate(-90)" text-anchor="middle" fill="#555">${escapeXml(chart.unit)}</text>`,
    ...bars(chart, y),
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}" stroke="#333"/>`,
    ...legend(chart.series),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function assertChartData(chart: BarChart): void {
  if (chart.groups.length === 0 || chart.series.length === 0) throw new Error(`chart "${chart.title}": no data`);
  for (const group of chart.groups) {
    if (group.values.length !== chart.series.length)
      throw new Error(`chart "${chart.title}": group "${group.label}" has ${group.values.length} values for ${chart.series.length} series`);
    if (group.values.some((v) => !Number.isFinite(v) || v < 0))
      throw new Error(`chart "${chart.title}": group "${group.label}" has a value that is not a number >= 0`);
  }
}

/** Five horizontal grid lines from 0 to max, labelled on the left. */
function gridLines(max: number, y: (value: number) => number): string[] {
  return [0, 1, 2, 3, 4].flatMap((i) => {
    const value = (max * i) / 4;
    const lineY = fixed(y(value));
    return [
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${lineY}" y2="${lineY}" stroke="#e0e0e0"/>`,
      `<text x="${MARGIN.left - 6}" y="${fixed(y(value) + 4)}" text-anchor="end" fill="#555">${formatNumber(value)}</text>`,
    ];
  });
}

/** One bar per value, side by side per group, each with its value above and a tooltip. */
function bars(chart: BarChart, y: (value: number) => number): string[] {
  const groupWidth = PLOT.width / chart.groups.length;
  const barWidth = Math.min(56, (groupWidth * 0.8) / chart.series.length);
  return chart.groups.flatMap((group, groupIndex) => {
    const groupLeft = MARGIN.left + groupIndex * groupWidth;
    const barsLeft = groupLeft + (groupWidth - barWidth * chart.series.length) / 2;
    const groupBars = group.values.flatMap((value, seriesIndex) => {
      const x = barsLeft + seriesIndex * barWidth;
      const top = y(value);
      return [
        `<rect x="${fixed(x + 2)}" y="${fixed(top)}" width="${fixed(barWidth - 4)}" height="${fixed(PLOT.bottom - top)}" fill="${COLOURS[seriesIndex % COLOURS.length]}">` +
          `<title>${escapeXml(`${group.label}, ${chart.series[seriesIndex]}: ${formatNumber(value)} ${chart.unit}`)}</title></rect>`,
        `<text x="${fixed(x + barWidth / 2)}" y="${fixed(top - 4)}" text-anchor="middle" font-size="11">${formatNumber(value)}</text>`,
      ];
    });
    const label = `<text x="${fixed(groupLeft + groupWidth / 2)}" y="${PLOT.bottom + 18}" text-anchor="middle">${escapeXml(group.label)}</text>`;
    return [...groupBars, label];
  });
}

/** A colour key under the plot, only when there is more than one series. */
function legend(series: readonly string[]): string[] {
  if (series.length < 2) return [];
  let legendX = MARGIN.left;
  const legendY = HEIGHT - 18;
  return series.flatMap((name, index) => {
    const parts = [
      `<rect x="${legendX}" y="${legendY - 10}" width="12" height="12" fill="${COLOURS[index % COLOURS.length]}"/>`,
      `<text x="${legendX + 16}" y="${legendY}">${escapeXml(name)}</text>`,
    ];
    legendX += 28 + name.length * 7;
    return parts;
  });
}

/** The next "round" axis maximum at or above value (1, 2, 2.5, 5 × a power of ten). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function formatNumber(value: number): string {
  if (value >= 100) return String(Math.round(value));
  return String(Math.round(value * 10) / 10);
}

function fixed(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
