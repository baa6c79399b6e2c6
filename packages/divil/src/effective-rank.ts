/**
 * Effective rank of a feature matrix (Roy & Vetterli 2007; spec section 5, as in the official
 * `ColoredMNIST/metric.py`): exp of the entropy of the normalised singular values,
 *
 *   p_k = sigma_k / sum_j sigma_j,   erank = exp(-sum_k p_k log p_k)   (0 log 0 := 0).
 *
 * The identity [D, D] has erank D, a rank-1 matrix 1. Singular values come from the
 * eigenvalues of the smaller Gram matrix (float64 Jacobi in tensor-core); a diagnostic,
 * so reading the Gram matrix back once is fine.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError, jacobiEigenSymmetric } from '@paperkit/tensor-core';

export function singularValues(h: tf.Tensor): Float64Array {
  if (h.rank !== 2) throw new ShapeError('features', '[N, D]', h.shape);
  const [n, d] = h.shape;
  const gram = tf.tidy(() => (n < d ? tf.matMul(h, h, false, true) : tf.matMul(h, h, true, false)));
  const values = gram.dataSync();
  const size = gram.shape[0];
  gram.dispose();
  const eig = jacobiEigenSymmetric(Float64Array.from(values), size);
  return eig.values.map((v) => Math.sqrt(Math.max(0, v)));
}

export function effectiveRank(h: tf.Tensor): number {
  const s = singularValues(h);
  const max = s.reduce((a, b) => Math.max(a, b), 0);
  if (max === 0) return 0;
  // Float32 Gram matrices leave ~1e-4 relative noise in the square roots of zero eigenvalues.
  const kept = Array.from(s).filter((v) => v > max * 1e-3);
  const total = kept.reduce((a, b) => a + b, 0);
  let entropy = 0;
  for (const v of kept) {
    const p = v / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}
