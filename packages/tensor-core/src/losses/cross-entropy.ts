/**
 * Softmax cross-entropy from logits, mean over the batch. Uses logSoftmax
 * (log-sum-exp shifted by the row max) so large logits do not overflow.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors.js';

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
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, -1);
    return tf.neg(tf.mean(tf.sum(tf.mul(tf.cast(oneHotLabels, 'float32'), logProbs), -1))) as tf.Scalar;
  });
}

/** Same with integer class ids labels [B] in [0, C). Build labels outside the taped function. */
export function sparseSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  const [b, c] = checkLogits(logits);
  if (labels.rank !== 1 || labels.shape[0] !== b) throw new ShapeError('labels', `[${b}] class ids`, labels.shape);
  return tf.tidy(() => {
    const ids = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
    return softmaxCrossEntropy(tf.oneHot(ids, c, 1, 0, 'float32'), logits);
  });
}
