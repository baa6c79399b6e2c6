/**
 * Inverted dropout whose mask comes from the seeded Rng (JS-side), so the same
 * seed gives the same masks on every backend. tf.dropout draws from an unseeded
 * generator by default, which would make training runs irreproducible.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors.js';
import type { Rng } from '../random.js';

/** x * mask / (1 - rate), mask ~ Bernoulli(1 - rate) per element. rate 0 returns x unchanged. */
export function seededDropout(x: tf.Tensor, rate: number, rng: Rng): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new OptionError('dropout', 'a rate in [0, 1)', rate);
  if (rate === 0) return x;
  const keep = 1 - rate;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < keep ? 1 / keep : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(mask, x.shape, 'float32')));
}
