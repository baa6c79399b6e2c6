/**
 * Weight initialisers and random tensors drawn from the seeded generator
 * (./rng.ts): values are drawn in JS, then copied into a tensor, so the same
 * seed gives the same weights on every backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng.js';

export { createRng, toRng, type Rng, type Seed } from './rng.js';

export function randomNormal(rng: Rng, shape: number[], mean = 0, std = 1): tf.Tensor {
  return tf.tensor(rng.normalArray(sizeOf(shape), mean, std), shape, 'float32');
}

/** Uniform[lo, hi) tensor drawn from the seeded generator. */
export function randomUniform(rng: Rng, shape: number[], lo = 0, hi = 1): tf.Tensor {
  return tf.tensor(rng.uniformArray(sizeOf(shape), lo, hi), shape, 'float32');
}

/** Glorot/Xavier uniform for a [fanIn, fanOut] (or conv [kh, kw, in, out]) weight. */
export function glorotUniform(rng: Rng, shape: number[]): tf.Tensor {
  const { fanIn, fanOut } = fans(shape);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return randomUniform(rng, shape, -limit, limit);
}

/**
 * Kaiming/He uniform with negative slope `a`: bound = sqrt(6 / ((1 + a^2) fanIn)).
 * With a = sqrt(5) this is PyTorch's nn.Linear / LoRA `A` initialiser, bound 1/sqrt(fanIn).
 */
export function kaimingUniform(rng: Rng, shape: number[], a = Math.sqrt(5)): tf.Tensor {
  const { fanIn } = fans(shape);
  const bound = Math.sqrt(6 / ((1 + a * a) * fanIn));
  return randomUniform(rng, shape, -bound, bound);
}

/** Fan-in/fan-out of a dense [in, out] or conv [kh, kw, in, out] weight (tfjs layouts). */
export function fans(shape: number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
