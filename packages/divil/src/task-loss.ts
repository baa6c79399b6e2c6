/**
 * The per-environment task risk R_e (spec section 2, "Task"): binary cross-entropy with
 * logits when the head has one output, softmax cross-entropy otherwise. Labels are
 * checked against the logits here once, so every penalty can rely on matching shapes.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, softmaxCrossEntropy } from '@paperkit/tensor-core';

export type TaskLoss = 'bce' | 'softmax';

/** 'bce' for logits [N] or [N, 1], 'softmax' for [N, K] with K >= 2. */
export function taskLossOf(logits: tf.Tensor, requested: TaskLoss | 'auto' = 'auto', name = 'logits'): TaskLoss {
  if (logits.rank !== 1 && logits.rank !== 2) throw new ShapeError(name, '[N] or [N, K]', logits.shape);
  const k = logits.rank === 1 ? 1 : logits.shape[1];
  const inferred: TaskLoss = k === 1 ? 'bce' : 'softmax';
  if (requested === 'auto') return inferred;
  if (requested !== 'bce' && requested !== 'softmax') throw new OptionError('taskLoss', "'auto', 'bce' or 'softmax'", requested);
  if (requested !== inferred) throw new ShapeError(name, requested === 'bce' ? '[N] or [N, 1] for taskLoss bce' : '[N, K >= 2] for taskLoss softmax', logits.shape);
  return requested;
}

/**
 * Labels as float targets of the same shape as the logits: for 'bce' 0/1 values of [N] or [N, 1]
 * (either layout is accepted); for 'softmax' one-hot [N, K] or integer class ids [N].
 */
export function targetsFor(logits: tf.Tensor, labels: tf.Tensor, kind: TaskLoss, name = 'labels'): tf.Tensor {
  const n = logits.shape[0];
  if (labels.shape[0] !== n) throw new ShapeError(name, `[${n}, ...] (one label per logit row ${logits.shape.join('x')})`, labels.shape);
  if (kind === 'bce') {
    if (labels.size !== n) throw new ShapeError(name, `[${n}] or [${n}, 1] of 0/1 labels`, labels.shape);
    return tf.reshape(tf.cast(labels, 'float32'), logits.shape);
  }
  const k = logits.shape[1]!;
  if (labels.rank === 1) return tf.oneHot(tf.cast(labels, 'int32'), k).toFloat();
  if (labels.rank !== 2 || labels.shape[1] !== k) throw new ShapeError(name, `[${n}] class ids or [${n}, ${k}] one-hot`, labels.shape);
  return tf.cast(labels, 'float32');
}

/** Mean BCE with logits, in the overflow-safe form max(z,0) - z y + log(1 + e^{-|z|}). */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.tidy(() =>
    tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))) as tf.Scalar,
  );
}

/** R_e: mean task loss of one environment's logits against its labels. */
export function taskRisk(logits: tf.Tensor, labels: tf.Tensor, kind: TaskLoss | 'auto' = 'auto'): tf.Scalar {
  return tf.tidy(() => {
    const k = taskLossOf(logits, kind);
    const t = targetsFor(logits, labels, k);
    return k === 'bce' ? bceWithLogits(logits, t) : softmaxCrossEntropy(t, logits);
  });
}

/** Fraction of rows whose prediction (logit > 0, or argmax) matches the label. Reads the device once. */
export async function accuracyOf(logits: tf.Tensor, labels: tf.Tensor, kind: TaskLoss | 'auto' = 'auto'): Promise<number> {
  const correct = tf.tidy(() => {
    const k = taskLossOf(logits, kind);
    const t = targetsFor(logits, labels, k);
    const hit = k === 'bce' ? tf.equal(tf.greater(logits, 0), tf.greater(t, 0.5)) : tf.equal(tf.argMax(logits, 1), tf.argMax(t, 1));
    return tf.mean(tf.cast(hit, 'float32'));
  });
  const value = (await correct.data())[0];
  correct.dispose();
  return value;
}
