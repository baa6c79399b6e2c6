/**
 * L2 anchor penalty (harmodt.md §S3): L + (λ/2) Σ (θ − θ*)², θ* the weights after the previous
 * task. Its gradient is λ (θ − θ*). Used by continual-learning baselines (compoformer).
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@paperkit/tensor-core';

/** (λ/2) Σ_k (θ_k − θ*_k)² over every variable/anchor pair. */
export function l2Penalty(variables: tf.Tensor[], anchors: tf.Tensor[], lambda: number): tf.Scalar {
  checkPairs(variables, anchors, 'l2Penalty anchors');
  return tf.tidy(() => {
    const terms = variables.map((v, i) => tf.sum(tf.square(tf.sub(v, anchors[i]))));
    return tf.mul(tf.addN(terms), lambda / 2) as tf.Scalar;
  });
}

export function checkPairs(a: tf.Tensor[], b: tf.Tensor[], what: string): void {
  if (a.length !== b.length) throw new ShapeError(what, `${a.length} tensors (one per variable)`, [b.length]);
  a.forEach((v, i) => {
    if (v.shape.join(',') !== b[i].shape.join(',')) throw new ShapeError(`${what}[${i}]`, `[${v.shape}]`, b[i].shape);
  });
}
