/**
 * The "sign-flipped domains" of mola.md section 5, from a seed. K domains share
 * one labelling: z ~ N(0, I_8), class = argmax(V^T relu(U z)) with fixed
 * random U [8, 8], V [8, 4]. Domain d observes x = [S_d z ; c_d], S_d = diag(+-1)
 * flipping `flips` random coordinates (domain 0 flips none) and
 * c_d = 1.5 onehot_K(d) + N(0, 0.5^2) (a cue a router can read). A flip is a
 * rank-`flips` change of the first-layer weight: a rank-4 adapter can undo 4
 * flips exactly, a shared layer must compromise.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, createRng, type Rng } from '@paperkit/tensor-core';
import type { TaskData } from './task-data.js';

export interface SignFlipOptions {
  seed: number;
  /** K. Default 4. */
  domains?: number;
  /** Flipped coordinates per domain (of 8). Default 4. */
  flips?: number;
  /** Samples per domain: train / validation / test. Default 1000 / 500 / 1000. */
  nPerDomain?: { train?: number; val?: number; test?: number };
  /** 0 = no flips at all (the no-conflict ceiling). Default false. */
  noFlips?: boolean;
}

export interface SignFlipDomains {
  train: TaskData;
  val: TaskData;
  test: TaskData;
  /** Input width 8 + K. */
  inputDim: number;
  classes: number;
  domains: number;
  /** Flipped coordinates of each domain. */
  flipped: number[][];
  dispose(): void;
}

const LATENT = 8;
const CLASSES = 4;

export function signFlipDomains(options: SignFlipOptions): SignFlipDomains {
  const K = options.domains ?? 4;
  const flips = options.flips ?? 4;
  if (!Number.isInteger(K) || K < 1) throw new OptionError('domains', 'an integer >= 1', K);
  if (!Number.isInteger(flips) || flips < 0 || flips > LATENT) throw new OptionError('flips', `an integer in [0, ${LATENT}]`, flips);
  const sizes = { train: 1000, val: 500, test: 1000, ...(options.nPerDomain ?? {}) };
  for (const [k, v] of Object.entries(sizes)) if (!Number.isInteger(v) || v < 1) throw new OptionError(`nPerDomain.${k}`, 'an integer >= 1', v);
  const rng = createRng(options.seed).fork('sign-flip-domains');
  const world = rng.fork('world');
  const U = world.normalArray(LATENT * LATENT);
  const V = world.normalArray(LATENT * CLASSES);
  const flipped = Array.from({ length: K }, (_, d) => {
    if (d === 0 || options.noFlips) return [];
    return Array.from(world.permutation(LATENT).slice(0, flips)).sort((a, b) => a - b);
  });
  const dim = LATENT + K;
  const split = (name: string, perDomain: number): TaskData => {
    const r: Rng = rng.fork(name);
    const n = perDomain * K;
    const x = new Float32Array(n * dim);
    const y = new Int32Array(n);
    const taskIds = new Int32Array(n);
    const h = new Float64Array(LATENT);
    for (let i = 0; i < n; i++) {
      const d = i % K;
      const z = Array.from({ length: LATENT }, () => r.normal());
      for (let a = 0; a < LATENT; a++) {
        let s = 0;
        for (let b = 0; b < LATENT; b++) s += U[a * LATENT + b] * z[b];
        h[a] = Math.max(0, s);
      }
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < CLASSES; c++) {
        let s = 0;
        for (let a = 0; a < LATENT; a++) s += V[a * CLASSES + c] * h[a];
        if (s > bestScore) { bestScore = s; best = c; }
      }
      for (const f of flipped[d]) z[f] = -z[f];
      for (let a = 0; a < LATENT; a++) x[i * dim + a] = z[a];
      for (let k = 0; k < K; k++) x[i * dim + LATENT + k] = (k === d ? 1.5 : 0) + r.normal(0, 0.5);
      y[i] = best;
      taskIds[i] = d;
    }
    return { x: tf.tensor2d(x, [n, dim]), y, taskIds };
  };
  const train = split('train', sizes.train);
  const val = split('val', sizes.val);
  const test = split('test', sizes.test);
  return {
    train, val, test, inputDim: dim, classes: CLASSES, domains: K, flipped,
    dispose: () => tf.dispose([train.x, val.x, test.x]),
  };
}
