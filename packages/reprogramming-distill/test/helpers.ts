import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@paperkit/tensor-core';
import { seedKernels } from '../src/reproduce/models.js';

export async function setupBackend(): Promise<string> {
  return (await initBackend({ quiet: true })).name;
}

/** Read a scalar tensor and dispose it. */
export function scalar(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/** A frozen "foundation model": 6 -> 16 (relu, 'hidden') -> 8 (relu, 'feat') -> 4 (source head). */
export function tinyTeacher(seed = 0): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 16, activation: 'relu', name: `t_hidden_${seed}` }),
      tf.layers.dense({ units: 8, activation: 'relu', name: `feat` }),
      tf.layers.dense({ units: 4, name: `t_head_${seed}` }),
    ],
  });
  return seedKernels(model, createRng(`teacher${seed}`));
}

/** A student 6 -> 10 -> 5 (features). */
export function tinyStudent(seed = 0, out = 5): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [6], units: 10, activation: 'relu' }), tf.layers.dense({ units: out, activation: 'relu' })],
  });
  return seedKernels(model, createRng(`student${seed}`));
}

/** n rows, 3 classes from the sign pattern of two input directions. */
export function toyData(n: number, seed = 0): { x: tf.Tensor2D; y: Int32Array } {
  const rng = createRng(`toy${seed}`);
  const x = rng.normalArray(n * 6);
  const y = Int32Array.from({ length: n }, (_, i) => (x[i * 6] + x[i * 6 + 1] > 0.3 ? 0 : x[i * 6 + 2] * x[i * 6 + 3] > 0 ? 1 : 2));
  return { x: tf.tensor2d(x, [n, 6]), y };
}

export function weightsSnapshot(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
}
