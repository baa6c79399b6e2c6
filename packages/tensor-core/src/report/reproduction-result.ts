/**
 * The one JSON shape every package's `reproduce` writes, and `pnpm demo` reads
 * back to build the cross-package table of paper claims against measurements.
 */

import { OptionError } from '../errors.js';

/** A metric measured over seeds: `values[i]` is seed i; `std` is the sample std (n - 1), 0 for one seed. */
export interface MetricSummary {
  mean: number;
  std: number;
  values: number[];
}

/** One method or baseline, with every metric it was measured on. */
export interface ResultRow {
  method: string;
  metrics: Record<string, MetricSummary>;
}

export interface ReproductionResult {
  /** npm name, e.g. `@paperkit/lorkd`. */
  package: string;
  /** The paper's claim as the issue states the rule for `holds`. */
  claim: string;
  /** True for `--quick` (smoke-size) runs. */
  quick: boolean;
  /** The seeds that were run, in order. */
  seeds: number[];
  /** The tfjs backend that ran it (`wasm`, `tensorflow`, `cpu`, ... or `none` for pure JS). */
  backend: string;
  /** Wall-clock seconds of the whole reproduction. */
  seconds: number;
  rows: ResultRow[];
  /** Further experiments, one table each, printed after `rows` (e.g. a second dataset, a timing table). */
  tables?: { title: string; rows: ResultRow[] }[];
  /** Whether the claim held on the mean over seeds, by the rule in `claim`. */
  holds: boolean;
  /** One or two sentences: what was measured against what was claimed. */
  verdict: string;
  /** Free-form extras (per-seed details, steps used, sizes). */
  details?: Record<string, unknown>;
}

/** Mean and sample standard deviation of per-seed values. */
export function summarize(values: number[]): MetricSummary {
  const n = values.length;
  const mean = n === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), values: [...values] };
}

/**
 * Build rows from per-seed measurements: `perSeed[s][method][metric] = value`.
 * Methods and metrics keep the order in which they first appear.
 */
export function rowsFromSeeds(perSeed: Array<Record<string, Record<string, number>>>): ResultRow[] {
  const methods: string[] = [];
  const metricNames = new Map<string, string[]>();
  for (const seedResult of perSeed) {
    for (const [method, metrics] of Object.entries(seedResult)) {
      if (!metricNames.has(method)) {
        methods.push(method);
        metricNames.set(method, []);
      }
      const names = metricNames.get(method)!;
      for (const name of Object.keys(metrics)) if (!names.includes(name)) names.push(name);
    }
  }
  return methods.map((method) => ({
    method,
    metrics: Object.fromEntries(
      metricNames.get(method)!.map((name) => [
        name,
        summarize(perSeed.map((s) => s[method]?.[name]).filter((v): v is number => v !== undefined)),
      ]),
    ),
  }));
}

/** Look up a metric's mean; throws a clear error when the row or metric is missing. */
export function metricMean(result: Pick<ReproductionResult, 'rows'>, method: string, metric: string): number {
  const row = result.rows.find((r) => r.method === method);
  if (!row) throw new OptionError('method', `one of ${result.rows.map((r) => JSON.stringify(r.method)).join(', ')}`, method);
  const summary = row.metrics[metric];
  if (!summary) throw new OptionError(`metric of "${method}"`, `one of ${Object.keys(row.metrics).map((m) => JSON.stringify(m)).join(', ')}`, metric);
  return summary.mean;
}
