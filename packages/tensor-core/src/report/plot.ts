/**
 * SVG charts rendered headless with vega-lite (no canvas, no browser). vega is
 * loaded lazily so that importing tensor-core stays cheap.
 */
import type { ReproductionResult } from './reproduction-result.js';

export interface ChartSeries {
  name: string;
  points: Array<[number, number]>;
}

type VegaLiteSpec = Record<string, unknown>;

async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Line chart of one or more series against a shared x axis. */
export function lineChartSvg(opts: { title: string; xLabel: string; yLabel: string; series: ChartSeries[]; logX?: boolean }): Promise<string> {
  const values = opts.series.flatMap((s) => s.points.map(([x, y]) => ({ series: s.name, x, y })));
  return renderSvg({
    title: opts.title,
    width: 480,
    height: 280,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xLabel, scale: opts.logX ? { type: 'log' } : {} },
      y: { field: 'y', type: 'quantitative', title: opts.yLabel },
      color: { field: 'series', type: 'nominal', title: null },
    },
  });
}

/** Bar chart of labelled values with optional ± error bars. */
export function barChartSvg(opts: { title: string; yLabel: string; bars: Array<{ label: string; value: number; error?: number; group?: string }> }): Promise<string> {
  const values = opts.bars.map((b) => ({
    label: b.label,
    group: b.group ?? '',
    value: b.value,
    lo: b.value - (b.error ?? 0),
    hi: b.value + (b.error ?? 0),
  }));
  const layer = barLayers(opts.yLabel);
  const grouped = opts.bars.some((b) => b.group);
  return renderSvg(
    grouped
      ? { title: opts.title, data: { values }, facet: { column: { field: 'group', type: 'nominal', title: null } }, spec: { width: 160, height: 240, layer }, resolve: { scale: { y: 'independent' } } }
      : { title: opts.title, data: { values }, width: Math.max(160, 48 * values.length), height: 260, layer },
  );
}

function barLayers(yLabel: string): unknown[] {
  return [
    { mark: 'bar', encoding: { x: { field: 'label', type: 'nominal', title: null, sort: null }, y: { field: 'value', type: 'quantitative', title: yLabel } } },
    {
      mark: { type: 'rule', color: 'black' },
      encoding: { x: { field: 'label', type: 'nominal', sort: null }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    },
  ];
}

/**
 * The standard figure of a reproduction: one panel per metric, one bar per
 * method (mean over seeds, error bar = std).
 */
export function resultToSvg(result: Pick<ReproductionResult, 'rows' | 'package' | 'quick'>, opts: { metrics?: string[] } = {}): Promise<string> {
  const names = opts.metrics ?? [...new Set(result.rows.flatMap((r) => Object.keys(r.metrics)))];
  const bars = result.rows.flatMap((row) =>
    names.filter((n) => row.metrics[n]).map((n) => ({ label: row.method, group: n, value: row.metrics[n].mean, error: row.metrics[n].std })),
  );
  return barChartSvg({ title: `${result.package}${result.quick ? ' (quick)' : ''}`, yLabel: 'mean over seeds', bars });
}
