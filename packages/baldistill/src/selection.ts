/**
 * How a head domain's c_d inputs are chosen from its remaining pool (spec section 2, step 2):
 * - random: a seeded uniform sample (stage 0 always, and the random-selection baselines);
 * - ifd: the c_d highest IFD under the previous stage's student (ties keep pool order); scores above `maxIFD`
 *   rank after every other candidate (Cherry-LLM drops IFD > 1; the official code does not, so the default
 *   maxIFD is Infinity);
 * - kcenter: greedy farthest-point sampling on embeddings, starting from the examples already kept (ours, a
 *   "beyond" of spec section 8: covers the domain instead of chasing its hardest corner).
 */
import type { Rng } from '@paperkit/tensor-core';

/** k indices of 0..n-1 drawn uniformly without replacement, in draw order. */
export function randomPick(n: number, k: number, rng: Rng): number[] {
  const order = Array.from(rng.permutation(n));
  return order.slice(0, Math.min(k, n));
}

/** Indices of the k highest scores, best first; scores > maxIFD come last (lowest first among them). */
export function topByScore(scores: readonly number[], k: number, maxIFD = Infinity): number[] {
  const idx = scores.map((_, i) => i);
  idx.sort((a, b) => {
    const oa = scores[a] > maxIFD;
    const ob = scores[b] > maxIFD;
    if (oa !== ob) return oa ? 1 : -1;
    if (oa) return scores[a] - scores[b] || a - b;
    return scores[b] - scores[a] || a - b;
  });
  return idx.slice(0, Math.min(k, scores.length));
}

function dist2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const d = a[j] - b[j];
    s += d * d;
  }
  return s;
}

/**
 * Greedy k-center: repeatedly take the candidate farthest from every center (the `centers` given plus the
 * candidates taken so far). With no centers the first pick is candidate `first` (a seeded choice by the caller).
 */
export function kCenterGreedy(candidates: Float32Array[], centers: Float32Array[], k: number, first = 0): number[] {
  const n = candidates.length;
  const take = Math.min(k, n);
  const out: number[] = [];
  if (take === 0) return out;
  const nearest = new Float64Array(n).fill(Infinity);
  for (const c of centers) for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i], dist2(candidates[i], c));
  const chosen = new Uint8Array(n);
  while (out.length < take) {
    let best = -1;
    if (centers.length === 0 && out.length === 0) best = Math.min(Math.max(first, 0), n - 1);
    else {
      let bestD = -1;
      for (let i = 0; i < n; i++) if (!chosen[i] && nearest[i] > bestD) (bestD = nearest[i]), (best = i);
    }
    chosen[best] = 1;
    out.push(best);
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i], dist2(candidates[i], candidates[best]));
  }
  return out;
}

/** Cosine similarity for the dedupe (tensor-core's; 0 when either vector is all zeros). */
export { cosine } from '@paperkit/tensor-core';
