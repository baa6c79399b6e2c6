/**
 * TIES-merging (Yadav et al. 2023; spec section 2 "ties"):
 *   1. trim: keep the k = floor(density * numel) largest-|.| entries of each tau_i;
 *   2. elect: s = sign(sum_i w_i tau_i) ("sum", mergekit's get_mask) or
 *      sign(sum_i w_i sign(tau_i)) ("count"); a zero total elects +;
 *   3. disjoint merge: m_i = [sign(tau_i) = s] (zeros never agree),
 *      delta = sum_i w_i tau_i m_i, divided by sum_i w_i m_i when normalised (0 -> 1);
 *      theta = theta_b + lambda * delta.
 * Steps 2-3 are elementwise, so they run chunk by chunk; step 1 needs only the
 * per-tensor threshold from `magnitudeThreshold`.
 */
import type { MagnitudeThreshold } from './magnitude-threshold.js';

export type Consensus = 'sum' | 'count';

/** Running state of the trim of one task vector across chunks (ties at the threshold kept in index order). */
export class TrimState {
  private keptAtThreshold = 0;
  constructor(private readonly limit: MagnitudeThreshold) {}

  /** Zero, in place, every entry of `tau` outside the top-k by magnitude. */
  apply(tau: Float32Array): void {
    const { threshold, keepAtThreshold } = this.limit;
    for (let j = 0; j < tau.length; j++) {
      const a = Math.abs(tau[j]);
      if (a > threshold) continue;
      if (a === threshold && this.keptAtThreshold < keepAtThreshold) {
        this.keptAtThreshold += 1;
        continue;
      }
      tau[j] = 0;
    }
  }
}

/** Elected sign per entry (+1 or -1; a zero total elects +1). */
export function electSigns(taus: Float32Array[], weights: number[], consensus: Consensus, out: Int8Array): void {
  for (let j = 0; j < out.length; j++) {
    let total = 0;
    for (let i = 0; i < taus.length; i++) {
      const t = taus[i][j];
      total += consensus === 'sum' ? weights[i] * t : weights[i] * Math.sign(t);
    }
    out[j] = total < 0 ? -1 : 1;
  }
}

/**
 * delta = sum_i w_i tau_i m_i (optionally / sum_i w_i m_i); `signs` null means
 * every non-zero entry agrees (task arithmetic / dare_linear). Writes
 * theta_b + lambda * delta into `out`.
 */
export function disjointMergeChunk(
  base: Float32Array,
  taus: Float32Array[],
  weights: number[],
  signs: Int8Array | null,
  normalize: boolean,
  lambda: number,
  out: Float32Array,
): void {
  for (let j = 0; j < out.length; j++) {
    let delta = 0;
    let mass = 0;
    const s = signs === null ? 0 : signs[j];
    for (let i = 0; i < taus.length; i++) {
      const t = taus[i][j];
      if (signs !== null && (t === 0 || (t > 0 ? 1 : -1) !== s)) continue;
      delta += weights[i] * t;
      mass += weights[i];
    }
    if (normalize) delta /= mass === 0 ? 1 : mass;
    out[j] = base[j] + lambda * delta;
  }
}
