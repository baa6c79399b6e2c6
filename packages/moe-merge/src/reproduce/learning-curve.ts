/**
 * The reproduction's figure: the fine-tuning learning curves, mean held-out
 * NLL (mean over domains and seeds) against steps, one line per start point
 * and mode, from the per-seed curves kept in the result's details.
 */
import { lineChartSvg, type ReproductionResult } from '@paperkit/tensor-core';
import { FT_ROWS } from './methods.js';
import type { CurveRecord } from './run.js';

/** Learning curves: mean held-out NLL (mean over seeds) against fine-tuning steps, one line per run. */
export function learningCurveSvg(result: Pick<ReproductionResult, 'details' | 'quick' | 'package'>): Promise<string> {
  const perSeed = (result.details?.perSeed ?? []) as { curves?: Record<string, CurveRecord[]> }[];
  const series = FT_ROWS.filter((n) => perSeed[0]?.curves?.[n]).map((name) => {
    const curves = perSeed.map((s) => s.curves![name]);
    return { name, points: curves[0].map((p, i) => [p.step, curves.reduce((a, c) => a + c[i].nll, 0) / curves.length] as [number, number]) };
  });
  return lineChartSvg({ title: `${result.package}: MoE fine-tuning${result.quick ? ' (quick)' : ''}`, xLabel: 'fine-tuning steps', yLabel: 'held-out NLL (mean of domains, mean over seeds)', series });
}
