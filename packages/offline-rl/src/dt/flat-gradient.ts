/**
 * The DT loss gradient of one batch, flattened over `variables` into one Float32Array (for
 * gradient-conflict diagnostics and mask scoring). Optionally clipped by global norm first,
 * as the training step would (harmodt.md §2 outer step 1). One device read.
 */
import * as tf from '@tensorflow/tfjs';
import type { WindowBatch } from '../data/window-batch.js';
import { clipByGlobalNorm } from './clip-grad-norm.js';
import type { DecisionTransformer } from './decision-transformer.js';
import { dtLoss } from './dt-loss.js';

export async function flatGradient(model: DecisionTransformer, batch: WindowBatch, variables: tf.Variable[], gradClip = 0): Promise<Float32Array> {
  const flat = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => dtLoss(model.forward(batch), batch), model.variables);
    const clipped = gradClip > 0 ? clipByGlobalNorm(grads, gradClip) : grads;
    return tf.concat(variables.map((v) => tf.reshape(clipped[v.name] ?? tf.zerosLike(v), [-1])));
  });
  const values = (await flat.data()) as Float32Array;
  flat.dispose();
  return values;
}
