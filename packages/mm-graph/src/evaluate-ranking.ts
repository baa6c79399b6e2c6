/**
 * Link-prediction metrics exactly as the OGB evaluator (ogb >= 1.3.4), spec §2 "Evaluation".
 *
 * Per-positive ranking (MRR, Hits@k): for positive score p_i and its K negatives n_ik,
 *   r_i = 1 + ½ (#{n_ik > p_i} + #{n_ik ≥ p_i}),
 * the average of the optimistic and pessimistic rank, so ties cost half a place each and ranks
 * may end in .5. MRR = mean 1/r_i; Hits@k = mean [r_i ≤ k].
 * Global Hits@K (ogbl-collab style): t = K-th largest negative; Hits@K = mean [p_i > t] (strict,
 * pessimistic for ties by design, ogb #406); fewer than K negatives gives 1.
 */
import { OptionError, ShapeError } from '@paperkit/tensor-core';

export interface RankingMetrics {
  mrr: number;
  hits1: number;
  hits3: number;
  hits10: number;
  /** Tie-averaged rank of every positive (1 = best). */
  ranks: Float64Array;
}

/** `neg` holds `k` negatives per positive, row after row (neg[i*k + j]). */
export function evaluateRanking(pos: ArrayLike<number>, neg: ArrayLike<number>, k: number): RankingMetrics {
  if (!Number.isInteger(k) || k < 1) throw new OptionError('k', 'a positive integer (negatives per positive)', k);
  if (neg.length !== pos.length * k) throw new ShapeError('neg', `[${pos.length}, ${k}] (k negatives per positive)`, `${neg.length} values`);
  const n = pos.length;
  const ranks = new Float64Array(n);
  let mrr = 0;
  let h1 = 0;
  let h3 = 0;
  let h10 = 0;
  for (let i = 0; i < n; i++) {
    const p = pos[i];
    let greater = 0;
    let greaterEqual = 0;
    for (let j = i * k; j < i * k + k; j++) {
      const v = neg[j];
      if (v > p) greater++;
      if (v >= p) greaterEqual++;
    }
    const r = 1 + 0.5 * (greater + greaterEqual);
    ranks[i] = r;
    mrr += 1 / r;
    if (r <= 1) h1++;
    if (r <= 3) h3++;
    if (r <= 10) h10++;
  }
  const d = Math.max(n, 1);
  return { mrr: n ? mrr / d : Number.NaN, hits1: h1 / d, hits3: h3 / d, hits10: h10 / d, ranks };
}

/** OGB collab-style Hits@K against one shared pool of negatives. */
export function hitsAtKGlobal(pos: ArrayLike<number>, neg: ArrayLike<number>, K: number): number {
  if (!Number.isInteger(K) || K < 1) throw new OptionError('K', 'a positive integer', K);
  if (neg.length < K) return 1;
  const sorted = Float64Array.from(neg).sort();
  const threshold = sorted[sorted.length - K];
  let hits = 0;
  for (let i = 0; i < pos.length; i++) if (pos[i] > threshold) hits++;
  return pos.length ? hits / pos.length : Number.NaN;
}
