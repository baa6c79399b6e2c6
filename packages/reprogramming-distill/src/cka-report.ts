/**
 * CKA between two feature matrices (e.g. a teacher layer and a student layer on the same
 * inputs): biased and unbiased linear CKA, RBF CKA with the median bandwidth, and the
 * minibatch CKA of Nguyen et al. Used by the CLI's `cka` command; browser-safe.
 */
import * as tf from '@tensorflow/tfjs';
import { MinibatchCKA, ShapeError, linearCKA, rbfCKA } from '@paperkit/tensor-core';
import { checkFinite } from './teacher-features.js';

export interface CKAReport {
  rows: number;
  linear: number;
  linearUnbiased: number | null;
  rbf: number;
  minibatch: number | null;
}

/** Every CKA estimate of x [n, p] against y [n, q] (paired rows); batch = minibatch size. */
export function ckaReport(x: tf.Tensor, y: tf.Tensor, batch = 256): CKAReport {
  if (x.rank !== 2) throw new ShapeError('features A', '[n, p]', x.shape);
  if (y.rank !== 2 || y.shape[0] !== x.shape[0]) throw new ShapeError('features B', `[${x.shape[0]}, q] (rows paired with features A)`, y.shape);
  checkFinite('features A', x);
  checkFinite('features B', y);
  const n = x.shape[0] as number;
  tf.engine().startScope();
  try {
    const read = (t: tf.Tensor) => t.dataSync()[0];
    let minibatch: number | null = null;
    if (n >= 8) {
      const mb = new MinibatchCKA();
      const size = Math.max(4, Math.min(batch, Math.floor(n / 2)));
      for (let s = 0; s + size <= n; s += size) mb.update(tf.slice(x, s, size), tf.slice(y, s, size));
      minibatch = mb.value();
    }
    return {
      rows: n,
      linear: read(linearCKA(x, y)),
      linearUnbiased: n >= 4 ? read(linearCKA(x, y, { debiased: true })) : null,
      rbf: read(rbfCKA(x, y)),
      minibatch,
    };
  } finally {
    tf.engine().endScope();
  }
}
