/**
 * The inner loop every learner here shares: seeded minibatches of window
 * rows, Adam, global-norm gradient clipping, and optional evaluation hooks at
 * given step counts (the learning-speed curves of the issue). Each step runs
 * in one tf.tidy; losses are kept on the device and read once at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm } from '@paperkit/offline-rl';
import { makeOptimizer, type Rng } from '@paperkit/tensor-core';

export interface TrainLoopOptions {
  variables: tf.Variable[];
  /** Loss of one minibatch of row indices (runs under the gradient tape). */
  loss: (idx: tf.Tensor1D, step: number) => tf.Scalar;
  steps: number;
  rows: number;
  batchSize: number;
  lr: number;
  /** Global gradient-norm clip; 0 disables. */
  gradClip: number;
  rng: Rng;
  /** Multiplies each variable's gradient before clipping (0 = frozen entry); keyed by variable name. */
  gradMasks?: Record<string, tf.Tensor>;
  /** Called after step s (1-based count) for every s in `at`. */
  hooks?: { at: number[]; run: (steps: number) => Promise<void> | void };
}

export interface TrainLoopResult {
  steps: number;
  /** Mean loss of the last min(20, steps) steps. */
  finalLoss: number;
}

export async function trainLoop(o: TrainLoopOptions): Promise<TrainLoopResult> {
  if (o.steps <= 0 || o.variables.length === 0) return { steps: 0, finalLoss: Number.NaN };
  const optimizer = makeOptimizer({ name: 'adam', lr: o.lr });
  const tail: tf.Scalar[] = [];
  const hookAt = new Set(o.hooks?.at ?? []);
  try {
    for (let step = 0; step < o.steps; step++) {
      const idxData = new Int32Array(o.batchSize);
      for (let i = 0; i < o.batchSize; i++) idxData[i] = o.rng.int(o.rows);
      const loss = tf.tidy(() => {
        const idx = tf.tensor1d(idxData, 'int32');
        const { value, grads } = optimizer.computeGradients(() => o.loss(idx, step), o.variables);
        const masks = o.gradMasks;
        const masked = masks ? Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, masks[n] ? tf.mul(g, masks[n]) : g])) : grads;
        const clipped = clipByGlobalNorm(masked, o.gradClip);
        optimizer.applyGradients(clipped);
        return value;
      });
      if (step >= o.steps - 20) tail.push(loss);
      else loss.dispose();
      if (o.hooks && hookAt.has(step + 1)) await o.hooks.run(step + 1);
    }
    const values = await Promise.all(tail.map((t) => t.data()));
    return { steps: o.steps, finalLoss: values.reduce((a, v) => a + v[0], 0) / values.length };
  } finally {
    tf.dispose(tail);
    optimizer.dispose();
  }
}

/** Masked action MSE: mean of (pred - target)^2 over the unpadded steps (and action dims). */
export function maskedActionMse(pred: tf.Tensor, target: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const actDim = target.shape[target.rank - 1];
    const m = tf.expandDims(mask, -1);
    const se = tf.mul(tf.square(tf.sub(pred, target)), m);
    return tf.div(tf.sum(se), tf.mul(tf.maximum(tf.sum(mask), 1), actDim)) as tf.Scalar;
  });
}
