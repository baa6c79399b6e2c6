import type * as tf from '@tensorflow/tfjs';

/** Read a loss tensor's first value and dispose it (the loss tests compare scalars with hand values). */
export function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}
