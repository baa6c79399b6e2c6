/**
 * @paperkit/moe-merge/reproduce: spec section 5 plus the MoE fine-tuning stage
 * of issue 19, as one tensor-core reproduction (what `moe-merge reproduce` and
 * `pnpm demo` run). Per seed (run.ts): train base and experts, merge through
 * the CLI code path, evaluate the written files without fine-tuning (the main
 * table), then fine-tune the merged MoEs (the fine-tuning tables and the
 * learning-curve SVG). `holds` follows the fine-tuning rule (decide.ts); the
 * no-fine-tune rule is reported beside it.
 */
import { defineReproduction } from '@paperkit/tensor-core';
import { decideBoth } from './decide.js';
import { CLAIM, FT_TABLE } from './methods.js';
import { learningCurveSvg } from './learning-curve.js';
import { resolveSizes, runSeed, SPEC_SIZES, type ReproduceSizes } from './run.js';

function sizesFor(quick: boolean, specSteps: boolean): ReproduceSizes {
  return resolveSizes(quick, specSteps ? { baseSteps: SPEC_SIZES.baseSteps, expertSteps: SPEC_SIZES.expertSteps } : {});
}

export const reproduction = defineReproduction({
  package: '@paperkit/moe-merge',
  claim: CLAIM,
  seeds: { full: 3, quick: 1 },
  flags: {
    specSteps: { type: 'boolean', description: "the spec's full step counts (base 1500, experts 600) instead of the default 400 / 150" },
  },
  async runSeed({ seed, quick, flags, log }) {
    const sizes = sizesFor(quick, flags.specSteps);
    if (seed === 0) {
      log(`moe-merge reproduce: base ${sizes.baseSteps} steps, experts ${sizes.expertSteps} steps each (spec: 1500 / 600), MoE fine-tuning ${sizes.ftSteps} steps (Adam lr ${sizes.ftLr}, batch ${sizes.batchSize}), ${sizes.testPerDomain} test sequences/domain (${Math.min(sizes.ftTestPerDomain, sizes.testPerDomain)} for the curves)`);
    }
    return runSeed(seed, sizes, log);
  },
  decide({ rows, tables, quick, flags }) {
    const sizes = sizesFor(quick, flags.specSteps);
    const d = decideBoth(rows, tables[FT_TABLE]);
    return {
      holds: d.holds,
      verdict: d.verdict,
      details: { ...d.details, sizes, stepsUsed: { base: sizes.baseSteps, expertEach: sizes.expertSteps, fineTune: sizes.ftSteps, spec: { base: 1500, expertEach: 600 } } },
    };
  },
  plot: (result) => learningCurveSvg(result),
});

export { CLAIM, FT, FT_ROWS, FT_TABLE, METHODS } from './methods.js';
export { DEFAULT_SIZES, QUICK_SIZES, SPEC_SIZES, type ReproduceSizes } from './run.js';
