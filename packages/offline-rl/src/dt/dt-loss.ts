/**
 * The Decision Transformer loss (harmodt.md §2 inner step 2, §S1): the mean over unpadded
 * steps of the squared action error ‖â_t − a_t‖² (summed over action dimensions).
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@paperkit/tensor-core';
import type { WindowBatch } from '../data/window-batch.js';

/** predicted [B, K, A] vs the batch's actions, padding masked. */
export function dtLoss(predicted: tf.Tensor, batch: WindowBatch): tf.Scalar {
  const { size: B, context: K, actDim: A } = batch;
  if (predicted.rank !== 3 || predicted.shape[0] !== B || predicted.shape[1] !== K || predicted.shape[2] !== A) {
    throw new ShapeError('dtLoss predicted', `[${B}, ${K}, ${A}]`, predicted.shape);
  }
  return tf.tidy(() => {
    const target = tf.tensor3d(batch.actions, [B, K, A]);
    const mask = tf.tensor2d(batch.mask, [B, K]);
    const perStep = tf.sum(tf.square(tf.sub(predicted, target)), 2);
    const steps = Math.max(1, batch.mask.reduce((a, v) => a + v, 0));
    return tf.div(tf.sum(tf.mul(perStep, mask)), steps) as tf.Scalar;
  });
}
