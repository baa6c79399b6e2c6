/**
 * The MoE fine-tuning stage of the reproduction (issue 19; MergeME compares
 * shared-layer merges after MoE fine-tuning, spec section 3, Tab. 1, Fig. 10).
 * Every start point is fine-tuned on the union of the experts' training data
 * for the same step budget with the same Adam, learning rate and sequence of
 * batches, either router only (the gate rows G_l) or in full (every weight,
 * experts included). Held-out NLL per domain is measured at fixed fractions of
 * the budget; "steps to reach" interpolates the curve linearly to the first
 * crossing of a target NLL.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, makeOptimizer } from '@paperkit/tensor-core';
import type { CausalLM } from '../lm-eval.js';
import type { MixtralModel } from '../mixtral-forward.js';
import type { PerplexityRoutedMoE } from '../perplexity-routed-moe.js';
import { evaluateDomains, type Metrics } from './evaluate.js';
import { trainLM } from './train.js';

/** Fractions of the budget at which the held-out NLL is measured (each evaluation costs about as much as 6 training steps). */
export const CURVE_FRACTIONS = [0, 0.25, 0.5, 1] as const;
/** The fractions reported in the table. */
export const REPORTED_FRACTIONS = [0, 0.25, 0.5, 1] as const;

export interface CurvePoint {
  step: number;
  /** nll, nll_<domain>, acc (and route_acc for a routed model). */
  metrics: Metrics;
}

export interface FineTuneOptions {
  steps: number;
  lr: number;
  batch: number;
  vocab: number;
  /** Seed of the batch sequence (the same for every start point of a seed). */
  batchSeed: string;
  /** First evaluated target position. */
  evalFrom: number;
}

/** Fine-tune `variables` of `model` on `pool`; the held-out metrics at every CURVE_FRACTIONS point. */
export async function fineTuneCurve(
  model: CausalLM | MixtralModel | PerplexityRoutedMoE,
  variables: tf.Variable[],
  pool: Int32Array,
  test: tf.Tensor2D[],
  o: FineTuneOptions,
): Promise<CurvePoint[]> {
  const optimizer = makeOptimizer({ name: 'adam', lr: o.lr });
  const rng = createRng(o.batchSeed);
  const curve: CurvePoint[] = [];
  let done = 0;
  try {
    for (const f of CURVE_FRACTIONS) {
      const target = Math.round(f * o.steps);
      if (target > done) {
        done += await trainLM(model, pool, { steps: target - done, variables, optimizer, batch: o.batch, vocab: o.vocab, rng });
      }
      curve.push({ step: done, metrics: evaluateDomains(model, test, o.evalFrom) });
    }
  } finally {
    optimizer.dispose();
  }
  return curve;
}

/**
 * Steps until the mean NLL first reaches `target`, interpolating linearly
 * between measured points; undefined when it never does within the budget.
 */
export function stepsToReach(curve: CurvePoint[], target: number): number | undefined {
  for (let i = 0; i < curve.length; i++) {
    const y = curve[i].metrics.nll;
    if (y > target) continue;
    if (i === 0) return curve[0].step;
    const a = curve[i - 1];
    const t = (a.metrics.nll - target) / (a.metrics.nll - y);
    return a.step + t * (curve[i].step - a.step);
  }
  return undefined;
}

/** The point measured at a fraction of the budget. */
export function atFraction(curve: CurvePoint[], fraction: number): CurvePoint {
  const i = CURVE_FRACTIONS.indexOf(fraction as (typeof CURVE_FRACTIONS)[number]);
  if (i < 0 || !curve[i]) throw new Error(`no curve point at ${fraction}`);
  return curve[i];
}

/** Table metrics of one run: mean NLL at 0/25/50/100 %, each domain's NLL at those points. */
export function curveMetrics(curve: CurvePoint[], domains: readonly string[]): Metrics {
  const m: Metrics = {};
  for (const f of REPORTED_FRACTIONS) m[`nll@${f * 100}%`] = atFraction(curve, f).metrics.nll;
  for (const d of domains) for (const f of REPORTED_FRACTIONS) m[`${d}@${f * 100}%`] = atFraction(curve, f).metrics[`nll_${d}`];
  return m;
}
