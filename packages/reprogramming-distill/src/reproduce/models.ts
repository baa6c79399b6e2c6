/**
 * Networks of spec section 5, as plain tf.layers models initialised from the seeded
 * generator (Glorot-uniform kernels, zero biases): the FM MLP 64-128-64 (ReLU) with a
 * 16-way source head, and the student MLP 64-32-32 (ReLU features).
 */
import * as tf from '@tensorflow/tfjs';
import { glorotUniform, softmaxCrossEntropy, type Rng } from '@paperkit/tensor-core';
import { oneHot } from '../labels.js';
import { trainOnRows } from '../train-loop.js';
import { INPUT, SOURCE_CLASSES } from './data.js';

/** Name of the FM layer whose output are the features h_T. */
export const FM_FEATURE_LAYER = 'fm_features';

/** Re-draw every kernel from `rng` (biases stay zero). */
export function seedKernels<M extends tf.LayersModel>(model: M, rng: Rng): M {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => (w.originalName.endsWith('kernel') ? glorotUniform(rng, w.shape as number[]) : tf.zeros(w.shape as number[])));
    layer.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

export function foundationModel(rng: Rng): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [INPUT], units: 128, activation: 'relu', name: 'fm_hidden' }),
      tf.layers.dense({ units: 64, activation: 'relu', name: FM_FEATURE_LAYER }),
      tf.layers.dense({ units: SOURCE_CLASSES, name: 'fm_source_head' }),
    ],
  });
  return seedKernels(model, rng);
}

export function studentModel(rng: Rng): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [INPUT], units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 32, activation: 'relu' }),
    ],
  });
  return seedKernels(model, rng);
}

/** Pretrain the FM on the source task (spec: 800 Adam steps, lr 2e-3, batch 128). */
export async function pretrainFoundationModel(model: tf.LayersModel, x: tf.Tensor, labels: Int32Array, steps: number, seed: number | string): Promise<void> {
  const y = oneHot(labels, SOURCE_CLASSES);
  try {
    await trainOnRows({
      variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
      rows: labels.length, batchSize: 128, steps, lr: 2e-3, seed,
      loss: (idx) => softmaxCrossEntropy(tf.gather(y, idx), model.apply(tf.gather(x, idx), { training: true }) as tf.Tensor),
    });
  } finally {
    y.dispose();
  }
}
