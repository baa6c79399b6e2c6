/**
 * DARE (Yu et al. 2024; spec section 2 "dare_linear"): keep each task-vector
 * entry with probability `density` (a seeded Bernoulli draw per entry, in index
 * order) and rescale the kept ones by 1/density so the expectation of the
 * merged task vector is unchanged. `dare_ties` then applies the TIES sign
 * election and disjoint merge (ties.ts).
 *
 * Rescaling: 'inverse-density' (DARE paper, our default) or 'none'. Newer
 * mergekit can instead match an l1/l2 norm; that is not implemented here.
 */
import type { Rng } from '@paperkit/tensor-core';

export type DareRescale = 'inverse-density' | 'none';

/** Drop and rescale `tau` in place; `rng` advances one draw per entry so chunks compose. */
export function dareDropChunk(tau: Float32Array, density: number, rescale: DareRescale, rng: Rng): void {
  const scale = rescale === 'inverse-density' ? 1 / density : 1;
  for (let j = 0; j < tau.length; j++) {
    if (rng.next() < density) tau[j] *= scale;
    else tau[j] = 0;
  }
}
