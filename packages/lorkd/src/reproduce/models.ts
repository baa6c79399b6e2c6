/**
 * The networks of spec section 5, built with plain tf.layers and initialised from
 * the seeded generator (Glorot-uniform kernels, zero biases) so every backend
 * starts from the same bytes.
 */
import * as tf from '@tensorflow/tfjs';
import { glorotUniform, type Rng } from '@paperkit/tensor-core';

/** Re-draw every kernel of `model` from `rng` (biases and BatchNorm statistics keep their defaults). */
export function seedKernels<M extends tf.LayersModel>(model: M, rng: Rng): M {
  for (const layer of model.layers) {
    const weights = layer.weights;
    if (weights.length === 0) continue;
    const values = weights.map((w) => (w.originalName.endsWith('kernel') ? glorotUniform(rng, w.shape as number[]) : w.read().clone()));
    layer.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

/** MLP in -> hidden... -> out (ReLU hidden, linear logits). */
export function mlp(inDim: number, hidden: number[], out: number, rng: Rng): tf.Sequential {
  const model = tf.sequential();
  hidden.forEach((units, i) => model.add(tf.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [inDim] } : {}) })));
  model.add(tf.layers.dense({ units: out, ...(hidden.length === 0 ? { inputShape: [inDim] } : {}) }));
  return seedKernels(model, rng);
}

/** Small CNN for 16x16x1 images: [conv3x3 -> ReLU -> maxpool2] per entry of `filters`, flatten, optional dense, logits. */
export function cnn(filters: number[], dense: number[], out: number, rng: Rng, size = 16): tf.Sequential {
  const model = tf.sequential();
  filters.forEach((f, i) => {
    model.add(tf.layers.conv2d({ filters: f, kernelSize: 3, padding: 'same', activation: 'relu', ...(i === 0 ? { inputShape: [size, size, 1] } : {}) }));
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  });
  model.add(tf.layers.flatten());
  for (const units of dense) model.add(tf.layers.dense({ units, activation: 'relu' }));
  model.add(tf.layers.dense({ units: out }));
  return seedKernels(model, rng);
}
