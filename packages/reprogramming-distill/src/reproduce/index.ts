/**
 * `@paperkit/reprogramming-distill/reproduce`: spec section 5 as one defineReproduction.
 * What one seed measures is run.ts `runSeed`; the rule is run.ts `decide`.
 * `reproduction.run({quick, seeds, flags, log})` writes nothing; the CLI's `reproduce`
 * prints the tables and writes the JSON and SVG.
 */
import { defineReproduction } from '@paperkit/tensor-core';
import { CLAIM, PACKAGE, decide, runSeed } from './run.js';

export { CLAIM, SPEC_PROTOTYPE, METHODS, FULL_CONFIG, QUICK_CONFIG, RESTART_TABLE, runSeed, decide, prepareSeedWorld } from './run.js';

export const reproduction = defineReproduction({
  package: PACKAGE,
  claim: CLAIM,
  seeds: { full: 5, quick: 1 },
  flags: {
    n: { type: 'integer', default: 200, min: 8, description: 'labelled downstream examples n_train (spec: 100 or 200)' },
    restarts: { type: 'integer', default: 3, min: 1, description: 'training restarts per seed for the CKA-vs-MSE run-to-run spread (quick: 1)' },
  },
  async runSeed({ seed, quick, flags, log }) {
    return runSeed(seed, quick, { n: flags.n, restarts: quick ? 1 : flags.restarts }, log);
  },
  decide: (ctx) => decide(ctx),
  plot: { metrics: ['test acc'] },
});
