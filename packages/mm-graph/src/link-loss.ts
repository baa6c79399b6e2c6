/**
 * The link-prediction losses of MM-GRAPH (spec §2 "Decoders/losses").
 *
 * BCE with negative sampling (GCN/SAGE/MLP): each positive pair is matched with uniformly drawn
 * negatives and the loss is binary cross-entropy with logits over the concatenated scores,
 *   L = mean_{s ∈ pos} softplus(−s) · P/(P+Q) + mean_{s ∈ neg} softplus(s) · Q/(P+Q),
 * i.e. the plain mean of BCE over all P + Q scored pairs (what `F.binary_cross_entropy_with_logits`
 * computes on the stacked logits).
 * BPR (MMGCN): L = mean_i −log σ(s⁺_i − s⁻_i) = mean softplus(s⁻ − s⁺).
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@paperkit/tensor-core';

/** Mean BCE-with-logits over positives (label 1) and negatives (label 0). */
export function linkBCELoss(pos: tf.Tensor1D, neg: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const total = pos.size + neg.size;
    const sum = tf.add(tf.sum(tf.softplus(tf.neg(pos))), tf.sum(tf.softplus(neg)));
    return tf.div(sum, total) as tf.Scalar;
  });
}

/** Bayesian personalised ranking: one negative per positive, row-aligned. */
export function bprLoss(pos: tf.Tensor1D, neg: tf.Tensor1D): tf.Scalar {
  if (pos.size !== neg.size) throw new ShapeError('bprLoss negatives', `[${pos.size}] (one per positive)`, neg.shape);
  return tf.tidy(() => tf.mean(tf.softplus(tf.sub(neg, pos))) as tf.Scalar);
}

/**
 * Uniform negatives (DGL `negative_sampler.Uniform(k)`): for every positive source a uniformly
 * drawn target; like the official sampler it does not exclude true edges.
 */
export function uniformNegatives(src: Int32Array, numNodes: number, perPositive: number, next: () => number): { src: Int32Array; dst: Int32Array } {
  const outSrc = new Int32Array(src.length * perPositive);
  const outDst = new Int32Array(src.length * perPositive);
  for (let i = 0, o = 0; i < src.length; i++) {
    for (let k = 0; k < perPositive; k++, o++) {
      outSrc[o] = src[i];
      outDst[o] = Math.floor(next() * numNodes);
    }
  }
  return { src: outSrc, dst: outDst };
}
