/**
 * `@paperkit/reprogramming-distill/reproduce`: spec section 5 as one reproduction.
 * `reproduction.run({quick, seeds, flags, log})` runs every seed and judges the claim; it
 * writes nothing (the CLI's `reproduce` prints the table and writes JSON/SVG).
 */
import { OptionError, initBackend, rowsFromSeeds, type ReproductionResult, type ResultRow } from '@paperkit/tensor-core';
import { REPRODUCE_FLAGS, definition, type ReproduceFlagValues } from './definition.js';

export { definition, REPRODUCE_FLAGS, type ReproduceFlagValues };
export { CLAIM, SPEC_PROTOTYPE, METHODS, FULL_CONFIG, QUICK_CONFIG, runSeed, decide } from './run.js';

export interface RunOptions {
  quick?: boolean;
  seeds?: number;
  flags?: Partial<ReproduceFlagValues>;
  log?: (line: string) => void;
}

function resolveFlags(given: Partial<ReproduceFlagValues> = {}): ReproduceFlagValues {
  const out = { n: REPRODUCE_FLAGS.n.default, restarts: REPRODUCE_FLAGS.restarts.default };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const spec = REPRODUCE_FLAGS[key as keyof ReproduceFlagValues];
    if (!spec) throw new OptionError(`--${key}`, 'one of --n, --restarts', 'an unknown flag');
    if (!Number.isInteger(value) || (value as number) < spec.min) throw new OptionError(`--${key}`, `an integer >= ${spec.min}`, value);
    out[key as keyof ReproduceFlagValues] = value as number;
  }
  return out;
}

export const reproduction = {
  definition,
  async run(options: RunOptions = {}): Promise<ReproductionResult & { tables?: Array<{ title: string; rows: ResultRow[] }> }> {
    const quick = options.quick ?? false;
    const count = options.seeds ?? (quick ? definition.seeds.quick : definition.seeds.full);
    if (!Number.isInteger(count) || count < 1) throw new OptionError('seeds', 'an integer >= 1', count);
    const flags = resolveFlags(options.flags);
    const log = options.log ?? ((line: string) => console.log(line));
    const started = performance.now();
    const backend = (await initBackend({ quiet: true })).name;
    const seeds = Array.from({ length: count }, (_, i) => i);
    const metrics: Array<Record<string, Record<string, number>>> = [];
    const tables = new Map<string, Array<Record<string, Record<string, number>>>>();
    const details: Record<string, unknown>[] = [];
    for (const seed of seeds) {
      if (count > 1) log(`seed ${seed + 1}/${count}`);
      const outcome = await definition.runSeed({ seed, quick, flags, log });
      metrics.push(outcome.metrics);
      for (const [title, table] of Object.entries(outcome.tables ?? {})) tables.set(title, [...(tables.get(title) ?? []), table]);
      details.push(outcome.details);
    }
    const rows = rowsFromSeeds(metrics);
    const extra = [...tables].map(([title, perSeed]) => ({ title, rows: rowsFromSeeds(perSeed) }));
    const find = (method: string, name: string) => {
      const summary = rows.find((r) => r.method === method)?.metrics[name];
      if (!summary) throw new OptionError('decide', `a row "${method}" with metric "${name}"`, rows.map((r) => r.method));
      return summary;
    };
    const decision = definition.decide({
      quick, seeds,
      metric: (m, n) => find(m, n).mean,
      values: (m, n) => [...find(m, n).values],
      tables: Object.fromEntries(extra.map((t) => [t.title, t.rows])),
    });
    return {
      package: definition.package,
      claim: definition.claim,
      quick,
      seeds,
      backend,
      seconds: (performance.now() - started) / 1000,
      rows,
      ...(extra.length > 0 ? { tables: extra } : {}),
      holds: decision.holds,
      verdict: decision.verdict,
      details: { perSeed: details, flags, ...decision.details },
    };
  },
};
