/**
 * A minimal stand-in for tensor-core's coming `defineReproduction` (guide, "SHAPE"): the same
 * runSeed / decide split, so that wiring into the shared runner is a one-line change once it
 * lands on main. Browser-safe: it writes no files (the CLI does, via finishReproduction).
 */
import { initBackend, rowsFromSeeds, type ReproductionResult, type ResultRow } from '@paperkit/tensor-core';

export type Metrics = Record<string, Record<string, number>>;
export type Flags = Record<string, string | number | boolean>;

export interface ReproductionSpec<D> {
  package: string;
  claim: string;
  seeds: { full: number; quick: number };
  flags?: Record<string, { type: 'string' | 'number' | 'boolean'; default: string | number | boolean; description: string }>;
  runSeed(ctx: { seed: number; quick: boolean; flags: Flags; log: (line: string) => void }): Promise<{ metrics: Metrics; details?: D }>;
  decide(ctx: { rows: ResultRow[]; quick: boolean; seeds: number[]; details: D[]; metric: (method: string, name: string) => number }): { holds: boolean; verdict: string; details?: Record<string, unknown> };
  plot?: { metrics: string[] };
}

export interface Reproduction<D> extends ReproductionSpec<D> {
  run(opts?: { quick?: boolean; seeds?: number; flags?: Flags; log?: (line: string) => void }): Promise<ReproductionResult>;
}

export function defineReproduction<D>(spec: ReproductionSpec<D>): Reproduction<D> {
  return {
    ...spec,
    async run(opts = {}) {
      const quick = opts.quick ?? false;
      const count = opts.seeds ?? (quick ? spec.seeds.quick : spec.seeds.full);
      const log = opts.log ?? (() => {});
      const flags: Flags = Object.fromEntries(Object.entries(spec.flags ?? {}).map(([k, f]) => [k, f.default]));
      Object.assign(flags, opts.flags ?? {});
      const backend = await initBackend({ quiet: true });
      const started = performance.now();
      const seeds = Array.from({ length: count }, (_, i) => i);
      const perSeed: Metrics[] = [];
      const details: D[] = [];
      for (const seed of seeds) {
        const r = await spec.runSeed({ seed, quick, flags, log });
        perSeed.push(r.metrics);
        details.push(r.details as D);
      }
      const rows = rowsFromSeeds(perSeed);
      const metric = (method: string, name: string) => {
        const m = rows.find((r) => r.method === method)?.metrics[name];
        if (!m) throw new Error(`no metric "${name}" for method "${method}"`);
        return m.mean;
      };
      const decision = spec.decide({ rows, quick, seeds, details, metric });
      return {
        package: spec.package, claim: spec.claim, quick, seeds, backend: backend.name,
        seconds: (performance.now() - started) / 1000, rows, holds: decision.holds, verdict: decision.verdict,
        details: { flags, ...decision.details, perSeed: details },
      };
    },
  };
}
