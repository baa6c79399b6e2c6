/**
 * `linear` / `average` (spec section 2, "Simple rules"): theta = sum_i w_i theta_i,
 * divided by sum_i w_i when normalised (mergekit's default for linear). With
 * unit weights this is BTX's unweighted average of the shared weights.
 */
export function linearChunk(experts: Float32Array[], weights: number[], normalize: boolean, out: Float32Array): void {
  out.fill(0);
  let total = 0;
  for (let i = 0; i < experts.length; i++) {
    const e = experts[i];
    const w = weights[i];
    total += w;
    for (let j = 0; j < out.length; j++) out[j] += w * e[j];
  }
  if (normalize && total !== 0) for (let j = 0; j < out.length; j++) out[j] /= total;
}
