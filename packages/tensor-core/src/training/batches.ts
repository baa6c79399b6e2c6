/**
 * Minibatch index plans and row selection. Shuffling is done in JS with the
 * seeded generator, so the batch order is the same on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { toRng, type Rng, type Seed } from '../random.js';

/**
 * Split 0..n-1 into batches of `batchSize` indices for one epoch. With `rng`
 * (a generator or a seed) the order is a seeded permutation, otherwise 0..n-1
 * in order. Every index appears exactly once, except that `dropLast` drops a
 * final batch smaller than `batchSize` (so some rows are skipped that epoch).
 */
export function batchIndices(n: number, batchSize: number, rng?: Rng | Seed, dropLast = false): Int32Array[] {
  if (!Number.isInteger(n) || n < 0) throw new OptionError('n', 'an integer >= 0', n);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError('batchSize', 'an integer >= 1', batchSize);
  let order: Int32Array;
  if (rng === undefined) {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  } else {
    order = toRng(rng).permutation(n);
  }
  const batches: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    if (dropLast && end - start < batchSize) break;
    batches.push(order.slice(start, end));
  }
  return batches;
}

/**
 * Rows `idx` of `tensor` along axis 0 (tf.gather). Plain index arrays are
 * range-checked in JS, because an out-of-range gather is not an error on every
 * backend. The caller owns (and disposes) the result.
 */
export function takeRows<T extends tf.Tensor>(tensor: T, idx: Int32Array | readonly number[] | tf.Tensor1D): T {
  if (tensor.rank === 0) throw new ShapeError('takeRows tensor', '[N, ...] (rank >= 1)', tensor.shape);
  if (idx instanceof tf.Tensor) {
    if (idx.rank !== 1) throw new ShapeError('takeRows idx', '[B]', idx.shape);
    return tf.tidy(() => tf.gather(tensor, idx.dtype === 'int32' ? idx : tf.cast(idx, 'int32'))) as T;
  }
  const rows = tensor.shape[0];
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (!Number.isInteger(v) || v < 0 || v >= rows) throw new OptionError(`takeRows idx[${i}]`, `an integer in [0, ${rows})`, v);
  }
  return tf.tidy(() => tf.gather(tensor, tf.tensor1d(idx instanceof Int32Array ? idx : Array.from(idx), 'int32'))) as T;
}
