/**
 * A stand-in for tensor-core's `defineReproduction` (being added on main): the same
 * definition shape (runSeed per seed, decide on the rows), so switching to the shared runner
 * is a one-line import change. Writes nothing; the CLI prints and saves.
 */
import { OptionError, initBackend, rowsFromSeeds, type ResultRow, type ReproductionResult } from '@paperkit/tensor-core';

export interface SeedContext {
  seed: number;
  quick: boolean;
  log: (line: string) => void;
}

export interface SeedOutcome {
  metrics: Record<string, Record<string, number>>;
  details?: Record<string, unknown>;
}

export interface DecideContext {
  rows: ResultRow[];
  quick: boolean;
  seeds: number[];
  details: Record<string, unknown>[];
  metric(method: string, name: string): number;
  values(method: string, name: string): number[];
}

export interface ReproductionDefinition {
  package: string;
  claim: string;
  seeds: { full: number; quick: number };
  runSeed(ctx: SeedContext): Promise<SeedOutcome>;
  decide(ctx: DecideContext): { holds: boolean; verdict: string; details?: Record<string, unknown> };
  plot?: { metrics?: string[] };
}

export interface Reproduction {
  readonly definition: ReproductionDefinition;
  run(options?: { quick?: boolean; seeds?: number; log?: (line: string) => void }): Promise<ReproductionResult>;
}

export function defineReproduction(definition: ReproductionDefinition): Reproduction {
  return {
    definition,
    async run(options = {}) {
      const quick = options.quick ?? false;
      const count = options.seeds ?? (quick ? definition.seeds.quick : definition.seeds.full);
      if (!Number.isInteger(count) || count < 1) throw new OptionError('seeds', 'an integer >= 1', count);
      const log = options.log ?? ((line: string) => console.log(line));
      const started = performance.now();
      const backend = (await initBackend({ quiet: true })).name;
      const seeds = Array.from({ length: count }, (_, i) => i);
      const metrics: SeedOutcome['metrics'][] = [];
      const details: Record<string, unknown>[] = [];
      for (const seed of seeds) {
        if (count > 1) log(`seed ${seed + 1}/${count}`);
        const outcome = await definition.runSeed({ seed, quick, log });
        metrics.push(outcome.metrics);
        details.push(outcome.details ?? {});
      }
      const rows = rowsFromSeeds(metrics);
      const find = (method: string, name: string) => {
        const summary = rows.find((r) => r.method === method)?.metrics[name];
        if (!summary) throw new OptionError('decide', `a measured metric "${name}" of "${method}"`, 'missing');
        return summary;
      };
      const decision = definition.decide({
        rows, quick, seeds, details,
        metric: (m, n) => find(m, n).mean,
        values: (m, n) => [...find(m, n).values],
      });
      return {
        package: definition.package,
        claim: definition.claim,
        quick,
        seeds,
        backend,
        seconds: (performance.now() - started) / 1000,
        rows,
        holds: decision.holds,
        verdict: decision.verdict,
        details: { perSeed: details, ...(decision.details ?? {}) },
      };
    },
  };
}
