/**
 * The reproduction's printed tables (one per experiment) and its learning-curve
 * figure: the no-fine-tune table of round 1, the fine-tuning table (mean NLL at
 * 0/25/50/100 % of the budget, steps to reach the averaged MoE's final NLL),
 * and the per-domain NLL of each fine-tuning run at those points.
 */
import { formatMeanStd, formatTable, lineChartSvg, type ReproductionResult, type ResultRow } from '@paperkit/tensor-core';
import { DOMAINS } from './data.js';
import { REPORTED_FRACTIONS } from './fine-tune.js';
import { FT_ROWS, METHODS, TASK_VECTORS } from './methods.js';
import type { CurveRecord } from './run.js';

const cell = (row: ResultRow | undefined, metric: string, digits = 3): string => {
  const m = row?.metrics[metric];
  if (!m || m.values.length === 0) return '-';
  return formatMeanStd(Number(m.mean.toFixed(digits)), Number(m.std.toFixed(digits)), m.values.length);
};

export function noFineTuneTable(rows: ResultRow[]): string {
  const cols = ['nll', ...DOMAINS.map((d) => `nll_${d}`), 'acc', 'route_acc'];
  const body = Object.values(METHODS).map((name) => {
    const row = rows.find((r) => r.method === name);
    return [name, ...cols.map((c) => cell(row, c))];
  });
  const tv = rows.find((r) => r.method === TASK_VECTORS);
  if (tv) body.push([TASK_VECTORS, `cosine ${cell(tv, 'cosine')}`, `sign conflicts ${cell(tv, 'sign_conflict')}`, '', '', '', '']);
  return formatTable(['no fine-tuning', ...cols], body);
}

export function fineTuneTable(rows: ResultRow[], budget: number): string {
  const cols = REPORTED_FRACTIONS.map((f) => `nll@${f * 100}%`);
  const body = FT_ROWS.filter((n) => rows.some((r) => r.method === n)).map((name) => {
    const row = rows.find((r) => r.method === name)!;
    const reach = row.metrics.steps_to_avg;
    const seeds = row.metrics['nll@0%'].values.length;
    const reached = reach ? reach.values.length : 0;
    const steps = reached === 0 ? `not in ${budget}` : `${cell(row, 'steps_to_avg', 0)}${reached < seeds ? ` (${reached}/${seeds} seeds)` : ''}`;
    return [name, ...cols.map((c) => cell(row, c)), steps];
  });
  return formatTable([`fine-tuning (${budget} steps)`, ...cols, 'steps to avg-FT final'], body);
}

export function perDomainTable(rows: ResultRow[]): string {
  const body = FT_ROWS.filter((n) => rows.some((r) => r.method === n)).map((name) => {
    const row = rows.find((r) => r.method === name)!;
    return [name, ...REPORTED_FRACTIONS.map((f) => DOMAINS.map((d) => row.metrics[`${d}@${f * 100}%`].mean.toFixed(3)).join(' / '))];
  });
  return formatTable([`NLL ${DOMAINS.join(' / ')}`, ...REPORTED_FRACTIONS.map((f) => `@${f * 100}%`)], body);
}

/** All three tables. */
export function formatTables(result: Pick<ReproductionResult, 'rows' | 'details'>): string {
  const budget = Number((result.details?.sizes as { ftSteps?: number } | undefined)?.ftSteps ?? 0);
  const parts = [noFineTuneTable(result.rows)];
  if (result.rows.some((r) => FT_ROWS.includes(r.method))) parts.push(fineTuneTable(result.rows, budget), perDomainTable(result.rows));
  return parts.join('\n\n');
}

/** Learning curves: mean held-out NLL (mean over seeds) against fine-tuning steps, one line per run. */
export function learningCurveSvg(result: Pick<ReproductionResult, 'details' | 'quick' | 'package'>): Promise<string> {
  const perSeed = (result.details?.perSeed ?? []) as { curves?: Record<string, CurveRecord[]> }[];
  const series = FT_ROWS.filter((n) => perSeed[0]?.curves?.[n]).map((name) => {
    const curves = perSeed.map((s) => s.curves![name]);
    return { name, points: curves[0].map((p, i) => [p.step, curves.reduce((a, c) => a + c[i].nll, 0) / curves.length] as [number, number]) };
  });
  return lineChartSvg({ title: `${result.package}: MoE fine-tuning${result.quick ? ' (quick)' : ''}`, xLabel: 'fine-tuning steps', yLabel: 'held-out NLL (mean of domains, mean over seeds)', series });
}
