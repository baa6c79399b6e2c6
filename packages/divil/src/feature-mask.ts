/**
 * DivIL's feature masking (spec section 2, step 3): zero floor(rho D) coordinates of the
 * projection before the contrastive loss. The official CMNIST code zeroes the same leading
 * slice every step ('leading'); 'random' (ours) draws a fresh subset per call.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, type Rng } from '@paperkit/tensor-core';

export type FeatureMaskMode = 'leading' | 'random';

/** The 0/1 row [D] that featureMask multiplies by. */
export function featureMaskRow(dim: number, ratio: number, mode: FeatureMaskMode = 'leading', rng?: Rng): Float32Array {
  if (!(ratio >= 0 && ratio <= 1)) throw new OptionError('featureMaskRatio', 'a number in [0, 1]', ratio);
  const zeroed = Math.floor(ratio * dim);
  const row = new Float32Array(dim).fill(1);
  if (mode === 'leading') row.fill(0, 0, zeroed);
  else if (mode === 'random') {
    if (!rng) throw new OptionError('featureMask.rng', "a seeded Rng for mode 'random'", rng);
    const order = rng.permutation(dim);
    for (let i = 0; i < zeroed; i++) row[order[i]] = 0;
  } else throw new OptionError('featureMaskMode', "'leading' or 'random'", mode);
  return row;
}

/** z [B, D] with floor(ratio D) coordinates zeroed. */
export function featureMask(z: tf.Tensor, ratio: number, mode: FeatureMaskMode = 'leading', rng?: Rng): tf.Tensor {
  if (z.rank !== 2) throw new ShapeError('z', '[B, D]', z.shape);
  const row = featureMaskRow(z.shape[1]!, ratio, mode, rng);
  if (row.every((v) => v === 1)) return tf.clone(z);
  return tf.tidy(() => tf.mul(z, tf.tensor2d(row, [1, row.length])));
}
