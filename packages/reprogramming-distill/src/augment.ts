/**
 * Input augmentation. RD's spec (section 5) jitters inputs with x + 0.1 eps; because the
 * foundation model is frozen, its features of each jittered copy are computed once and
 * cached (see teacher-cache.ts), and the student trains on the very same copies.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, randomNormal, type Rng } from '@paperkit/tensor-core';

/** An augmentation: a new tensor of the same shape as x, drawn from `rng` (never from Math.random). */
export type Augment = (x: tf.Tensor, rng: Rng) => tf.Tensor;

/** Additive Gaussian jitter x + std * eps, eps ~ N(0, I) (the spec's augmentation with std 0.1). */
export function gaussianJitter(std: number): Augment {
  if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) throw new OptionError('gaussianJitter.std', 'a finite number >= 0', std);
  return (x, rng) => tf.tidy(() => tf.add(x, randomNormal(rng, x.shape, 0, std)));
}
