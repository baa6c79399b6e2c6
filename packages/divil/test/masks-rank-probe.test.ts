import * as tf from '@tensorflow/tfjs';
import { createRng } from '@paperkit/tensor-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { bernoulliMask, effectiveRank, inputMask, linearProbe } from '../src/index.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

describe('input mask', () => {
  it('keeps about p of the entries (within the binomial 4 sigma bound)', () => {
    const n = 20_000;
    const p = 0.2;
    const m = bernoulliMask([n], p, createRng(9));
    const kept = tf.sum(m).dataSync()[0];
    expect(Math.abs(kept - n * p)).toBeLessThan(4 * Math.sqrt(n * p * (1 - p)));
    m.dispose();
  });

  it('same seed gives the same mask; keepProb outside (0, 1] is rejected', () => {
    const x = tf.ones([5, 6]);
    const a = inputMask(x, 0.5, createRng(4));
    const b = inputMask(x, 0.5, createRng(4));
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(() => inputMask(x, 0, createRng(4))).toThrow(/inputKeepProb/);
    expect(() => inputMask(x, 1.5, createRng(4))).toThrow(/\(0, 1\]/);
    tf.dispose([x, a, b]);
  });
});

describe('effectiveRank', () => {
  it('identity [D, D] has effective rank D', () => {
    const eye = tf.eye(6);
    expect(effectiveRank(eye)).toBeCloseTo(6, 4);
    eye.dispose();
  });

  it('a rank-1 matrix has effective rank 1', () => {
    const u = tf.tensor2d([[1], [2], [3], [-1]]);
    const v = tf.tensor2d([[0.5, -2, 1]]);
    const h = tf.matMul(u, v);
    expect(effectiveRank(h)).toBeCloseTo(1, 4);
    tf.dispose([u, v, h]);
  });
});

describe('linearProbe', () => {
  it('reads a linearly separable target almost perfectly and chance-level noise at ~50 %', async () => {
    const rng = createRng(2);
    const n = 400;
    const y = Int32Array.from({ length: n }, () => (rng.bernoulli(0.5) ? 1 : 0));
    const signal = tf.tensor2d(Float32Array.from({ length: n * 3 }, (_, i) => (i % 3 === 0 ? 2 * y[Math.floor(i / 3)] - 1 : 0) + 0.3 * rng.normal()), [n, 3]);
    const noise = tf.tensor2d(rng.normalArray(n * 3), [n, 3]);
    const [a, b] = tf.split(signal, 2);
    const [c, d] = tf.split(noise, 2);
    expect(await linearProbe(a, y.subarray(0, 200), b, y.subarray(200))).toBeGreaterThan(0.97);
    expect(await linearProbe(c, y.subarray(0, 200), d, y.subarray(200))).toBeLessThan(0.65);
    tf.dispose([signal, noise, a, b, c, d]);
  });
});
