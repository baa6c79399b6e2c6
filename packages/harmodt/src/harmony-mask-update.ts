/**
 * The HarmoDT upper-level mask update for one task (harmodt.md §2 outer steps 3-5;
 * fl_utils.mask_dead_harmo / mask_generate_harmo).
 *
 * With task gradients g_i (at θ ⊙ m_i), ḡ = (1/N) Σ_i g_i and agree_i = ḡ ⊙ g_i:
 * - remove the k ACTIVE coordinates with the smallest importance score
 *     'fisher'    : γ · agree_i + g_i²      (HarmoDT-F, the official default)
 *     'magnitude' : γ · agree_i + |θ|
 *     'none'      : agree_i
 * - revive the k INACTIVE coordinates (before this update) with the largest agree_i,
 * so the number of ones is unchanged.
 *
 * Revival scoring: 'unmasked' (our default) uses the gradient at θ ⊙ m_i without masking, so
 * inactive coordinates have a real agreement, as the paper intends. 'official' masks g_i
 * before scoring like the code (quirk b): agree = 0 on every inactive coordinate and the
 * revived set is arbitrary (here: a seeded random choice among ties).
 */
import { OptionError, ShapeError, type Rng } from '@paperkit/tensor-core';

export type Importance = 'fisher' | 'magnitude' | 'none';

/** Removal score of every coordinate (smaller = removed first). */
export function removalScores(agree: Float32Array, grad: Float32Array, gamma: number, importance: Importance, weights?: Float32Array): Float32Array {
  const out = new Float32Array(agree.length);
  for (let k = 0; k < agree.length; k++) {
    if (importance === 'fisher') out[k] = gamma * agree[k] + grad[k] * grad[k];
    else if (importance === 'magnitude') {
      if (!weights) throw new OptionError('importance', "weights for 'magnitude'", 'none');
      out[k] = gamma * agree[k] + Math.abs(weights[k]);
    } else out[k] = agree[k];
  }
  return out;
}

/** Indices of the k entries with the smallest (`smallest` true) or largest score among `candidates`; ties broken by `tieBreak`. */
export function selectK(scores: Float32Array, candidates: Int32Array, k: number, smallest: boolean, tieBreak?: Float32Array): Int32Array {
  const ids = Array.from(candidates);
  ids.sort((a, b) => {
    const d = smallest ? scores[a] - scores[b] : scores[b] - scores[a];
    if (d !== 0) return d;
    return tieBreak ? tieBreak[a] - tieBreak[b] : a - b;
  });
  return Int32Array.from(ids.slice(0, k));
}

export interface MaskUpdateResult {
  mask: Uint8Array;
  removed: Int32Array;
  revived: Int32Array;
}

/**
 * Swap k coordinates of `mask` (a new array is returned). `grad` is task i's gradient,
 * `meanGrad` ḡ; both unmasked (the caller masks them for revive 'official').
 */
export function harmonyMaskUpdate(opts: {
  mask: Uint8Array;
  grad: Float32Array;
  meanGrad: Float32Array;
  k: number;
  gamma: number;
  importance: Importance;
  weights?: Float32Array;
  rng?: Rng;
}): MaskUpdateResult {
  const { mask, grad, meanGrad, gamma, importance } = opts;
  const n = mask.length;
  if (grad.length !== n || meanGrad.length !== n) throw new ShapeError('harmonyMaskUpdate grad', `[${n}] (mask size)`, [grad.length]);
  const active: number[] = [];
  const inactive: number[] = [];
  for (let i = 0; i < n; i++) (mask[i] ? active : inactive).push(i);
  const k = Math.max(0, Math.min(Math.trunc(opts.k), active.length, inactive.length));
  const agree = new Float32Array(n);
  for (let i = 0; i < n; i++) agree[i] = meanGrad[i] * grad[i];
  const out = Uint8Array.from(mask);
  if (k === 0) return { mask: out, removed: new Int32Array(0), revived: new Int32Array(0) };
  const tie = opts.rng ? Float32Array.from({ length: n }, () => opts.rng!.next()) : undefined;
  const scores = removalScores(agree, grad, gamma, importance, opts.weights);
  const removed = selectK(scores, Int32Array.from(active), k, true, tie);
  const revived = selectK(agree, Int32Array.from(inactive), k, false, tie);
  for (const i of removed) out[i] = 0;
  for (const i of revived) out[i] = 1;
  return { mask: out, removed, revived };
}
