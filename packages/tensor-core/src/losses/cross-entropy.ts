/**
 * Softmax cross-entropy from logits, mean over the batch, with the
 * log-sum-exp shifted by the row max so large logits do not overflow. On wasm
 * and cpu each loss is one fused kernel with its own gradient
 * (src/ops/softmax-cross-entropy.ts); elsewhere tf.logSoftmax and friends.
 */
import type * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors.js';
import { fusedSoftmaxCrossEntropy, fusedSparseSoftmaxCrossEntropy } from '../ops/softmax-cross-entropy.js';

function checkLogits(logits: tf.Tensor): [number, number] {
  if (logits.rank !== 2) throw new ShapeError('logits', '[B, C]', logits.shape);
  return [logits.shape[0] as number, logits.shape[1] as number];
}

/** -mean_i sum_c y_ic log softmax(z_i)_c, with y one-hot (or any distribution) [B, C]. */
export function softmaxCrossEntropy(oneHotLabels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  const [b, c] = checkLogits(logits);
  if (oneHotLabels.rank !== 2 || oneHotLabels.shape[0] !== b || oneHotLabels.shape[1] !== c) {
    throw new ShapeError('oneHotLabels', `[${b}, ${c}] (same as logits)`, oneHotLabels.shape);
  }
  return fusedSoftmaxCrossEntropy(oneHotLabels, logits);
}

/** Same with integer class ids labels [B] in [0, C). Build labels outside the taped function. */
export function sparseSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  const [b] = checkLogits(logits);
  if (labels.rank !== 1 || labels.shape[0] !== b) throw new ShapeError('labels', `[${b}] class ids`, labels.shape);
  return fusedSparseSoftmaxCrossEntropy(labels, logits);
}
