/**
 * PackNet selection (harmodt.md §S3; Mallya & Lazebnik 2018): after most of a task's budget,
 * keep the top (1 − q) by |w| among the FREE weights (not owned by an earlier task) as the
 * task's mask and zero the other free weights; later tasks get zero gradients on owned
 * weights; task t is evaluated with the union of masks ≤ t. Pure JS on flat arrays.
 */
import { OptionError, ShapeError } from '@paperkit/tensor-core';

/**
 * The new task's mask: free weights with |w| >= the q-quantile of |w| over free weights
 * (ties broken by index so exactly round((1 − q) · free) are kept).
 */
export function packnetSelect(weights: Float32Array, free: Uint8Array, q: number): Uint8Array {
  if (!(q > 0 && q < 1)) throw new OptionError('packnet q', 'a prune fraction in (0, 1)', q);
  if (free.length !== weights.length) throw new ShapeError('packnet free mask', `[${weights.length}]`, [free.length]);
  const ids: number[] = [];
  for (let i = 0; i < weights.length; i++) if (free[i]) ids.push(i);
  const keep = Math.round((1 - q) * ids.length);
  ids.sort((a, b) => Math.abs(weights[b]) - Math.abs(weights[a]) || a - b);
  const mask = new Uint8Array(weights.length);
  for (let k = 0; k < keep; k++) mask[ids[k]] = 1;
  return mask;
}

/** Union of masks (the weights task t may use at evaluation). */
export function unionMasks(masks: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (const m of masks) {
    if (m.length !== n) throw new ShapeError('unionMasks mask', `[${n}]`, [m.length]);
    for (let i = 0; i < n; i++) if (m[i]) out[i] = 1;
  }
  return out;
}
