/**
 * Elastic Weight Consolidation (harmodt.md §S3): L + (λ/2) Σ_k F_k (θ_k − θ*_k)², with the
 * diagonal Fisher F = E[g²] estimated from squared gradients and merged across tasks as
 * F ← α F_old + (1 − α) F_new (α = 0.5, the official CompoFormer baseline).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { checkPairs } from './l2-penalty.js';

/** (λ/2) Σ F (θ − θ*)². */
export function ewcPenalty(variables: tf.Tensor[], anchors: tf.Tensor[], fisher: tf.Tensor[], lambda: number): tf.Scalar {
  checkPairs(variables, anchors, 'ewcPenalty anchors');
  checkPairs(variables, fisher, 'ewcPenalty fisher');
  return tf.tidy(() => {
    const terms = variables.map((v, i) => tf.sum(tf.mul(fisher[i], tf.square(tf.sub(v, anchors[i])))));
    return tf.mul(tf.addN(terms), lambda / 2) as tf.Scalar;
  });
}

/** Diagonal Fisher estimate: the mean of squared gradients over the given gradient samples (E[g²]). */
export function diagonalFisher(gradientSamples: tf.Tensor[][]): tf.Tensor[] {
  if (gradientSamples.length === 0) throw new OptionError('diagonalFisher(gradientSamples)', 'at least one sample', 0);
  return tf.tidy(() => gradientSamples[0].map((_, k) => tf.div(tf.addN(gradientSamples.map((g) => tf.square(g[k]))), gradientSamples.length)));
}

/** F ← α F_old + (1 − α) F_new. */
export function mergeFisher(old: tf.Tensor[], fresh: tf.Tensor[], alpha = 0.5): tf.Tensor[] {
  if (!(alpha >= 0 && alpha <= 1)) throw new OptionError('mergeFisher alpha', 'a number in [0, 1]', alpha);
  checkPairs(old, fresh, 'mergeFisher fresh');
  return tf.tidy(() => old.map((f, i) => tf.add(tf.mul(f, alpha), tf.mul(fresh[i], 1 - alpha))));
}
