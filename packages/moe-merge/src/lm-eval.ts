/**
 * Next-token log-likelihoods of a causal LM, kept as tensors so evaluation
 * batches stay on the device: row b, column t-1 is log P(x_t | x_<t).
 */
import * as tf from '@tensorflow/tfjs';

/** Anything that maps token ids [B, T] to logits [B, T, V]. */
export interface CausalLM {
  logits(ids: tf.Tensor2D): tf.Tensor3D;
}

/** log P(x_t | x_<t) for t = 1..T-1: [B, T-1]. */
export function tokenLogProbs(logits: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    const logp = tf.logSoftmax(tf.slice(logits, [0, 0, 0], [B, T - 1, V]));
    const target = tf.oneHot(tf.slice(ids, [0, 1], [B, T - 1]), V);
    return tf.sum(tf.mul(logp, target), -1) as tf.Tensor2D;
  });
}

/** 1 where argmax logits[:, t-1] == x_t, for t = 1..T-1: [B, T-1] float. */
export function tokenHits(logits: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    const pred = tf.argMax(tf.slice(logits, [0, 0, 0], [B, T - 1, V]), -1);
    return tf.cast(tf.equal(pred, tf.cast(tf.slice(ids, [0, 1], [B, T - 1]), 'int32')), 'float32') as tf.Tensor2D;
  });
}
