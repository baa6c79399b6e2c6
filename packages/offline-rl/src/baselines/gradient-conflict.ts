/**
 * Gradient-conflict diagnostics (harmodt.md §S3): tasks i, j conflict when cos(g_i, g_j) < 0;
 * the conflict rate of task i over a coordinate set is the share of those coordinates where
 * agree_i[k] = ḡ[k] · g_i[k] < 0, ḡ the mean task gradient (harmodt.md §2 notation).
 */
import { ShapeError } from '@paperkit/tensor-core';

/** Task-gradient cosines: tensor-core's, re-exported because conflict reports read them from here. */
export { cosine, cosineMatrix } from '@paperkit/tensor-core';

/** ḡ = (1/N) Σ g_i. */
export function meanGradient(grads: ArrayLike<number>[]): Float32Array {
  if (grads.length === 0) throw new ShapeError('meanGradient grads', 'at least one gradient', [0]);
  const n = grads[0].length;
  const out = new Float32Array(n);
  for (const g of grads) {
    if (g.length !== n) throw new ShapeError('meanGradient grad', `[${n}]`, [g.length]);
    for (let k = 0; k < n; k++) out[k] += g[k];
  }
  for (let k = 0; k < n; k++) out[k] /= grads.length;
  return out;
}

/** agree_i[k] = ḡ[k] · g_i[k]. */
export function agreement(mean: ArrayLike<number>, g: ArrayLike<number>): Float32Array {
  if (mean.length !== g.length) throw new ShapeError('agreement g', `[${mean.length}]`, [g.length]);
  const out = new Float32Array(g.length);
  for (let k = 0; k < g.length; k++) out[k] = mean[k] * g[k];
  return out;
}

/** Share of coordinates (all, or those with active[k] = 1) where agree < 0. */
export function conflictRate(agree: ArrayLike<number>, active?: ArrayLike<number>): number {
  let n = 0;
  let bad = 0;
  for (let k = 0; k < agree.length; k++) {
    if (active && !active[k]) continue;
    n++;
    if (agree[k] < 0) bad++;
  }
  return n > 0 ? bad / n : 0;
}
