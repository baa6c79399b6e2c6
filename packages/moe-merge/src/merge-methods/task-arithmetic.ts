/**
 * `task_arithmetic` (spec section 2): theta = theta_b + lambda * sum_i w_i tau_i
 * with tau_i = theta_i - theta_b; not normalised by default (mergekit).
 * The TIES and DARE variants reuse the same final step after sparsifying the
 * task vectors (`disjointMergeChunk` with no sign election).
 */
export function taskVectorChunk(expert: Float32Array, base: Float32Array, tau: Float32Array): void {
  for (let j = 0; j < tau.length; j++) tau[j] = expert[j] - base[j];
}
