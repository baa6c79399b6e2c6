/**
 * The seeded synthetic world of spec section 5. Latent z ~ N(0, I_8);
 *   x = tanh(z G1) G2 + 0.3 eps,  G1 [8, 32] ~ N(0, 1/8),  G2 [32, 64] ~ N(0, 1/32).
 * Source task (FM pretraining): y_src = 4-bit sign code of z1..z4 (16 classes).
 * Downstream task (a task shift): y = 0 if z1 + z2 > 0.5, else 1 if z3 z4 > 0, else 2.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, type Rng } from '@paperkit/tensor-core';

export const LATENT = 8;
export const HIDDEN = 32;
export const INPUT = 64;
export const SOURCE_CLASSES = 16;
export const DOWNSTREAM_CLASSES = 3;

export interface World {
  g1: Float32Array;
  g2: Float32Array;
}

export interface Sample {
  x: Float32Array;
  source: Int32Array;
  downstream: Int32Array;
  n: number;
}

/** The fixed random maps of seed `seed`. */
export function makeWorld(seed: number): World {
  const rng = createRng(`rd-world/${seed}`);
  return { g1: rng.normalArray(LATENT * HIDDEN, 0, Math.sqrt(1 / LATENT)), g2: rng.normalArray(HIDDEN * INPUT, 0, Math.sqrt(1 / HIDDEN)) };
}

/** Source label: bit k set when z_{k+1} > 0, k = 0..3. */
export function sourceLabel(z: ArrayLike<number>): number {
  let y = 0;
  for (let k = 0; k < 4; k++) if (z[k] > 0) y |= 1 << k;
  return y;
}

/** Downstream label of spec section 5. */
export function downstreamLabel(z: ArrayLike<number>): number {
  if (z[0] + z[1] > 0.5) return 0;
  return z[2] * z[3] > 0 ? 1 : 2;
}

/** n samples of the world (JS arithmetic; one tensor is built from them by the caller). */
export function sampleWorld(world: World, n: number, rng: Rng): Sample {
  const x = new Float32Array(n * INPUT);
  const source = new Int32Array(n);
  const downstream = new Int32Array(n);
  const z = new Float64Array(LATENT);
  const h = new Float64Array(HIDDEN);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < LATENT; k++) z[k] = rng.normal();
    for (let j = 0; j < HIDDEN; j++) {
      let s = 0;
      for (let k = 0; k < LATENT; k++) s += z[k] * world.g1[k * HIDDEN + j];
      h[j] = Math.tanh(s);
    }
    for (let d = 0; d < INPUT; d++) {
      let s = 0;
      for (let j = 0; j < HIDDEN; j++) s += h[j] * world.g2[j * INPUT + d];
      x[i * INPUT + d] = s + 0.3 * rng.normal();
    }
    source[i] = sourceLabel(z);
    downstream[i] = downstreamLabel(z);
  }
  return { x, source, downstream, n };
}

export function toTensor(sample: Sample): tf.Tensor2D {
  return tf.tensor2d(sample.x, [sample.n, INPUT]);
}
