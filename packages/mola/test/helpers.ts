import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend, randomNormal } from '@paperkit/tensor-core';
import type { MolaModel } from '../src/index.js';

export async function setupBackend(): Promise<void> {
  await initBackend({ quiet: true });
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** The user's model: in -> 8 relu -> 6 tanh -> out (Sequential). */
export function smallMlp(inDim: number, out: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inDim], units: 8, activation: 'relu', name: 'h1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 6, activation: 'tanh', name: 'h2', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.dense({ units: out, name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), biasInitializer: 'ones' }),
    ],
  });
}

/** A functional CNN: conv(same) -> BN -> relu -> maxpool -> conv(valid) -> flatten -> dense head. */
export function smallCnn(out: number, size = 8): tf.LayersModel {
  const x = tf.input({ shape: [size, size, 2] });
  let h = tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'c1', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(x) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ name: 'bn' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.activation({ activation: 'relu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu', name: 'c2', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: out, name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

/** Make every adapter non-zero (B = 0 at init), and every head different, so tests see real deltas. */
export function randomizeAdapters(model: MolaModel, seed = 7): void {
  const rng = createRng(seed);
  for (const { layer } of model.adapters()) {
    tf.tidy(() => layer.B.assign(randomNormal(rng, layer.B.shape as number[], 0, 0.1)));
  }
  const heads = model.heads;
  if (heads) tf.tidy(() => heads.kernel.assign(tf.add(heads.kernel, randomNormal(rng, heads.kernel.shape as number[], 0, 0.5))));
}

export function scalar(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}
