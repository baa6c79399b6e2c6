/**
 * The reproduction as a definition in the shape of tensor-core's defineReproduction:
 * what one seed measures (run.ts `runSeed`) and how the rule judges the rows
 * (run.ts `decide`).
 */
import { CLAIM, PACKAGE, decide, runSeed, type DecideInput } from './run.js';

export const REPRODUCE_FLAGS = {
  n: { type: 'integer' as const, default: 200, min: 8, description: 'labelled downstream examples n_train (spec: 100 or 200)' },
  restarts: { type: 'integer' as const, default: 3, min: 1, description: 'training restarts per seed for the CKA-vs-MSE spread (quick: 1)' },
};

export interface ReproduceFlagValues {
  n: number;
  restarts: number;
}

export const definition = {
  package: PACKAGE,
  claim: CLAIM,
  seeds: { full: 5, quick: 1 },
  flags: REPRODUCE_FLAGS,
  async runSeed(ctx: { seed: number; quick: boolean; flags: ReproduceFlagValues; log: (line: string) => void }) {
    const restarts = ctx.quick ? 1 : ctx.flags.restarts;
    return runSeed(ctx.seed, ctx.quick, { n: ctx.flags.n, restarts }, ctx.log);
  },
  decide(ctx: DecideInput) {
    return decide(ctx);
  },
  plot: { metrics: ['test acc'] },
};
