/**
 * Evaluation helpers: whole-set logits in batches, accuracy with one device read, and the
 * minibatch CKA (Nguyen et al. 2021, tensor-core's MinibatchCKA) between two feature
 * functions over an evaluation set (spec section 2: use minibatch CKA for evaluation).
 */
import * as tf from '@tensorflow/tfjs';
import { MinibatchCKA, OptionError, ShapeError, accuracy, argmaxRows } from '@paperkit/tensor-core';
import { checkLabels } from './labels.js';

/** A model or function x -> logits (or features). */
export type Predictor = tf.LayersModel | ((x: tf.Tensor) => tf.Tensor);

function call(model: Predictor, x: tf.Tensor): tf.Tensor {
  return model instanceof tf.LayersModel ? (model.apply(x, { training: false }) as tf.Tensor) : model(x);
}

/** Outputs of `model` on every row of x, computed `batchSize` rows at a time, [n, K]. */
export function predictInBatches(model: Predictor, x: tf.Tensor, batchSize = 512): tf.Tensor2D {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError('batchSize', 'an integer >= 1', batchSize);
  const n = x.shape[0] as number;
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < n; start += batchSize) parts.push(call(model, tf.slice(x, start, Math.min(batchSize, n - start))));
    const out = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    if (out.rank !== 2) throw new ShapeError('model output', '[n, K]', out.shape);
    return out as tf.Tensor2D;
  });
}

/** Top-1 accuracy of argmax model(x) against class ids y. */
export function evaluateAccuracy(model: Predictor, x: tf.Tensor, y: ArrayLike<number> | tf.Tensor, batchSize = 512): number {
  const logits = predictInBatches(model, x, batchSize);
  try {
    const k = logits.shape[1];
    const ids = checkLabels(y, x.shape[0] as number, Math.max(k, 2));
    return accuracy(ids, argmaxRows(logits.dataSync(), k));
  } finally {
    logits.dispose();
  }
}

/**
 * Minibatch CKA between the features a(x) and b(x) over x, in batches of `batchSize`
 * (>= 4; a final batch smaller than 4 rows is left out, as the unbiased HSIC needs 4).
 */
export function minibatchFeatureCKA(a: Predictor, b: Predictor, x: tf.Tensor, batchSize = 256): number {
  if (!Number.isInteger(batchSize) || batchSize < 4) throw new OptionError('batchSize', 'an integer >= 4', batchSize);
  const n = x.shape[0] as number;
  const cka = new MinibatchCKA();
  for (let start = 0; start + 4 <= n; start += batchSize) {
    tf.tidy(() => {
      const rows = tf.slice(x, start, Math.min(batchSize, n - start));
      cka.update(call(a, rows), call(b, rows));
    });
  }
  return cka.value();
}
