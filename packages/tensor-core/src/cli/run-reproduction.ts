/**
 * Run a reproduction the way `reproduce` does, from code: every seed, then the
 * table and verdict on `log`, the JSON and the SVG written atomically when asked.
 */
import type { ReproductionResult } from '../report/reproduction-result.js';
import type { FlagSpecs, Reproduction, RunReproductionOptions } from '../report/define-reproduction.js';
import { finishReproduction } from '../report/reproduce-cli.js';

export interface RunAndWriteOptions<F extends FlagSpecs> extends RunReproductionOptions<F> {
  json?: string;
  plot?: string;
}

export async function runReproduction<F extends FlagSpecs>(reproduction: Reproduction<F>, options: RunAndWriteOptions<F> = {}): Promise<ReproductionResult> {
  const { json, plot, ...run } = options;
  const result = await reproduction.run(run);
  const def = reproduction.definition;
  const svg = typeof def.plot === 'function' && plot ? await def.plot(result) : undefined;
  await finishReproduction(result, { json, plot }, { log: options.log, svg, plotMetrics: typeof def.plot === 'object' ? def.plot.metrics : undefined });
  return result;
}
