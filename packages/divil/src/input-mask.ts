/**
 * DivIL's input view (spec section 2, step 1; official `ColoredMNIST/infonce.py`): x * m with
 * m ~ Bernoulli(keepProb) elementwise, so about keepProb of the entries SURVIVE (the official
 * helper calls this number "mask_prob", but 1 means keep). Drawn from the seeded generator.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, type Rng } from '@paperkit/tensor-core';

/** Bernoulli(keepProb) 0/1 tensor of the given shape. */
export function bernoulliMask(shape: number[], keepProb: number, rng: Rng): tf.Tensor {
  if (!(keepProb > 0 && keepProb <= 1)) throw new OptionError('inputKeepProb', 'a number in (0, 1]', keepProb);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.next() < keepProb ? 1 : 0;
  return tf.tensor(values, shape, 'float32');
}

/** x * m, m ~ Bernoulli(keepProb); keepProb = 1 returns a copy of x. */
export function inputMask(x: tf.Tensor, keepProb: number, rng: Rng): tf.Tensor {
  if (keepProb === 1) return tf.clone(x);
  return tf.tidy(() => tf.mul(x, bernoulliMask(x.shape, keepProb, rng)));
}
