import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@paperkit/tensor-core';

/** Initialise the default backend once per test file (wasm + cpu fallbacks). */
export async function setupBackend(): Promise<string> {
  return (await initBackend({ quiet: true })).name;
}

/** Read a scalar tensor and dispose it. */
export function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}
