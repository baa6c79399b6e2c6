/**
 * Per-stage, per-domain teacher budgets c_d(i) (spec section 2, step 1).
 *
 * Naive (BalDistill-N):   c_d = floor(B_s / l).
 * Adaptive (BalDistill-A): c_d(i) = floor( (n_d / N) B_s (K - i) / K + (B_s / l) (i / K) ),
 *   computed in integers as floor((n_d B_s (K-i) l + N B_s i) / (N K l)) so no float rounding can move a count.
 *   Stage 0 is proportional to the pool (random-like), the last stages approach the balanced split.
 * Sampled variant (the official code): the proportional part n_d B_s / N is replaced by m_d, the count of
 *   domain d in a random sample of B_s pool items: floor((m_d (K-i) l + B_s i) / (K l)).
 * Flooring keeps sum_d c_d <= B_s.
 */
import { OptionError } from '@paperkit/tensor-core';

function checkInt(name: string, v: number, min: number): void {
  if (!(Number.isInteger(v) && v >= min)) throw new OptionError(name, `an integer >= ${min}`, v);
}

/** floor(B_s / l) for each of `domains` domains. */
export function naiveCounts(domains: number, stageBudget: number): number[] {
  checkInt('naiveCounts.domains', domains, 1);
  checkInt('naiveCounts.stageBudget', stageBudget, 0);
  return new Array<number>(domains).fill(Math.floor(stageBudget / domains));
}

export interface AdaptiveCountsOptions {
  /** n_d: pool size of every domain at the start of the run (not the remaining pool). */
  sizes: readonly number[];
  /** B_s = floor(B / K). */
  stageBudget: number;
  /** K. */
  stages: number;
  /** i in 0..K-1. */
  stage: number;
}

/** The adaptive (BalDistill-A) counts of stage i. */
export function adaptiveCounts({ sizes, stageBudget, stages, stage }: AdaptiveCountsOptions): number[] {
  checkInt('adaptiveCounts.stageBudget', stageBudget, 0);
  checkInt('adaptiveCounts.stages', stages, 1);
  checkInt('adaptiveCounts.stage', stage, 0);
  if (stage >= stages) throw new OptionError('adaptiveCounts.stage', `an integer in [0, ${stages - 1}]`, stage);
  if (sizes.length === 0) throw new OptionError('adaptiveCounts.sizes', 'at least one domain', sizes);
  sizes.forEach((n, d) => checkInt(`adaptiveCounts.sizes[${d}]`, n, 0));
  const l = sizes.length;
  const N = sizes.reduce((a, b) => a + b, 0);
  if (N === 0) return naiveCounts(l, stageBudget).map((c) => Math.floor((c * stage) / stages));
  const K = stages;
  const i = stage;
  return sizes.map((n) => Math.floor((n * stageBudget * (K - i) * l + N * stageBudget * i) / (N * K * l)));
}

/** The official code's variant: `sampled[d]` = m_d, domain d's count in a random sample of B_s pool items. */
export function sampledAdaptiveCounts({ sampled, stageBudget, stages, stage }: { sampled: readonly number[]; stageBudget: number; stages: number; stage: number }): number[] {
  checkInt('sampledAdaptiveCounts.stages', stages, 1);
  checkInt('sampledAdaptiveCounts.stage', stage, 0);
  if (stage >= stages) throw new OptionError('sampledAdaptiveCounts.stage', `an integer in [0, ${stages - 1}]`, stage);
  const l = sampled.length;
  if (l === 0) throw new OptionError('sampledAdaptiveCounts.sampled', 'at least one domain', sampled);
  return sampled.map((m) => Math.floor((m * (stages - stage) * l + stageBudget * stage) / (stages * l)));
}
