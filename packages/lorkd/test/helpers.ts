import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@paperkit/tensor-core';
import { seedKernels } from '../src/reproduce/models.js';

/** Initialise the default backend once per test file (wasm + cpu fallbacks). */
export async function setupBackend(): Promise<string> {
  const info = await initBackend({ quiet: true });
  return info.name;
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** A small Sequential MLP in -> 8 -> 6 -> out. */
export function smallMlp(inDim: number, out: number, seed = 0): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inDim], units: 8, activation: 'relu' }),
      tf.layers.dense({ units: 6, activation: 'tanh' }),
      tf.layers.dense({ units: out }),
    ],
  });
  return seedKernels(model, createRng(seed));
}

/** A small functional CNN: conv(same) -> BN -> relu -> maxpool -> conv(valid) -> flatten -> dense. */
export function smallCnn(out: number, seed = 0, size = 8): tf.LayersModel {
  const x = tf.input({ shape: [size, size, 2] });
  let h = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: 'relu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 5, kernelSize: 3, activation: 'relu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: out }).apply(h) as tf.SymbolicTensor;
  return seedKernels(tf.model({ inputs: x, outputs: y }), createRng(seed));
}

/** Give every expert B a random value so deltas are non-zero (B starts at 0). */
export function randomizeExperts(model: tf.LayersModel, seed = 1): void {
  const rng = createRng(seed);
  for (const layer of model.layers) {
    const names = layer.weights.map((w) => w.originalName);
    if (!names.some((n) => n.endsWith('expert_b'))) continue;
    const values = layer.weights.map((w) =>
      w.originalName.endsWith('expert_b') ? tf.tensor(rng.normalArray((w.shape as number[]).reduce((a, d) => a * d, 1), 0, 0.5), w.shape as number[]) : w.read().clone(),
    );
    layer.setWeights(values);
    tf.dispose(values);
  }
}
