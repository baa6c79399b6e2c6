/**
 * Spec section 7, CKA block: hand values, identities, bias demo, minibatch CKA, gradients,
 * bad input. The estimators are tensor-core's (re-exported here); these tests pin the
 * properties RD relies on.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, createRng, randomNormal } from '@paperkit/tensor-core';
import { MinibatchCKA, alignmentLoss, hsic, linearCKA, rbfCKA } from '../src/index.js';
import { scalar, setupBackend } from './helpers.js';

beforeAll(setupBackend);

/** Float64 JS reference of biased linear CKA in the Gram form <HKH, HLH> / (||HKH|| ||HLH||). */
function referenceCKA(x: number[][], y: number[][]): number {
  const n = x.length;
  const centre = (m: number[][]) => {
    const means = m[0].map((_, j) => m.reduce((a, r) => a + r[j], 0) / n);
    return m.map((r) => r.map((v, j) => v - means[j]));
  };
  const gram = (m: number[][]) => m.map((a) => m.map((b) => a.reduce((s, v, k) => s + v * b[k], 0)));
  const k = gram(centre(x));
  const l = gram(centre(y));
  let kl = 0;
  let kk = 0;
  let ll = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    kl += k[i][j] * l[i][j];
    kk += k[i][j] ** 2;
    ll += l[i][j] ** 2;
  }
  return kl / Math.sqrt(kk * ll);
}

const rows = (t: tf.Tensor) => t.arraySync() as number[][];

describe('CKA (spec section 7)', () => {
  it('hand values: 1-D x=[1,2,3], y=[1,4,9] gives r^2 = 48/49; the 4-point cross against its first column gives 1/sqrt 2', () => {
    expect(scalar(linearCKA(tf.tensor2d([[1], [2], [3]]), tf.tensor2d([[1], [4], [9]])))).toBeCloseTo(48 / 49, 5);
    const x = tf.tensor2d([[1, 0], [0, 1], [-1, 0], [0, -1]]);
    expect(scalar(linearCKA(x, tf.tensor2d([[1], [0], [-1], [0]])))).toBeCloseTo(Math.SQRT1_2, 5);
    x.dispose();
  });

  it('hand values: HSIC_u(K, K) = 1/6 and HSIC_b(K, K) = 11/36 for the block kernel', () => {
    const k = tf.tensor2d([[1, 0.5, 0, 0], [0.5, 1, 0, 0], [0, 0, 1, 0.5], [0, 0, 0.5, 1]]);
    expect(scalar(hsic(k, k, { debiased: true }))).toBeCloseTo(1 / 6, 5);
    expect(scalar(hsic(k, k))).toBeCloseTo(11 / 36, 5);
    k.dispose();
  });

  it('identities (linear and RBF): CKA(X,X)=1, orthogonal Q, isotropic scale, translation, symmetry, biased linear in [0,1]', () => {
    const rng = createRng(3);
    tf.tidy(() => {
      const x = randomNormal(rng, [40, 6]);
      const y = randomNormal(rng, [40, 4]);
      const q = tf.tensor2d([[0, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 0, 0.6, 0.8, 0, 0], [0, 0, -0.8, 0.6, 0, 0], [0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, -1]]);
      for (const cka of [linearCKA, rbfCKA]) {
        expect(cka(x, x).dataSync()[0]).toBeCloseTo(1, 4);
        expect(cka(x, tf.matMul(x, q)).dataSync()[0]).toBeCloseTo(1, 4);
        expect(cka(x, tf.mul(x, -3.5)).dataSync()[0]).toBeCloseTo(1, 4);
        expect(cka(x, tf.add(x, tf.tensor1d([1, -2, 3, 0, 5, 7]))).dataSync()[0]).toBeCloseTo(1, 4);
        expect(cka(x, y).dataSync()[0]).toBeCloseTo(cka(y, x).dataSync()[0], 5);
      }
      const v = linearCKA(x, y).dataSync()[0];
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    });
  });

  it('feature form equals Gram form, both match a float64 JS reference within 1e-4', () => {
    const rng = createRng(4);
    tf.tidy(() => {
      const x = randomNormal(rng, [12, 5]);
      const y = tf.add(tf.matMul(x, randomNormal(rng, [5, 3])), randomNormal(rng, [12, 3]));
      const ref = referenceCKA(rows(x), rows(y));
      const feature = linearCKA(x, y, { form: 'feature' }).dataSync()[0];
      const gram = linearCKA(x, y, { form: 'gram' }).dataSync()[0];
      expect(Math.abs(feature - gram)).toBeLessThan(1e-5);
      expect(Math.abs(feature - ref)).toBeLessThan(1e-4);
    });
  });

  it('is not invariant to anisotropic scaling: CKA(X, X diag(10, 1, ..., 0.1)) < 0.9', () => {
    const rng = createRng(5);
    tf.tidy(() => {
      const x = randomNormal(rng, [50, 8]);
      const d = tf.tensor1d([10, 1, 1, 1, 1, 1, 1, 0.1]);
      expect(linearCKA(x, tf.mul(x, d)).dataSync()[0]).toBeLessThan(0.9);
    });
  });

  it('bias demo: biased CKA of independent n=6, p=100, q=40 Gaussians is inflated (> 0.85 mean, each > 0.7); unbiased is ~0', () => {
    const rng = createRng(6);
    const biased = tf.tidy(() => Array.from({ length: 100 }, () => linearCKA(randomNormal(rng, [6, 100]), randomNormal(rng, [6, 40])).dataSync()[0]));
    expect(biased.reduce((a, b) => a + b, 0) / 100).toBeGreaterThan(0.85);
    expect(Math.min(...biased)).toBeGreaterThan(0.7);
    const unbiased = tf.tidy(() => Array.from({ length: 200 }, () => linearCKA(randomNormal(rng, [64, 8]), randomNormal(rng, [64, 5]), { debiased: true }).dataSync()[0]));
    expect(Math.abs(unbiased.reduce((a, b) => a + b, 0) / 200)).toBeLessThan(0.02);
  });

  it('minibatch CKA over 8 batches of 32 is within 0.05 of the full unbiased CKA on 256 samples', () => {
    const rng = createRng(7);
    tf.tidy(() => {
      const x = randomNormal(rng, [256, 10]);
      const y = tf.add(tf.matMul(x, randomNormal(rng, [10, 6])), tf.mul(randomNormal(rng, [256, 6]), 0.5));
      const full = linearCKA(x, y, { debiased: true }).dataSync()[0];
      const mb = new MinibatchCKA();
      for (let b = 0; b < 8; b++) mb.update(tf.slice(x, b * 32, 32), tf.slice(y, b * 32, 32));
      expect(Math.abs(mb.value() - full)).toBeLessThan(0.05);
    });
  });

  it('gradient of 1 - CKA matches central finite differences (1e-3 relative) and is finite for constant features', () => {
    const rng = createRng(8);
    const x0 = randomNormal(rng, [10, 4]);
    const y = randomNormal(rng, [10, 3]);
    const dir = randomNormal(rng, [10, 4]);
    const f = (x: tf.Tensor) => alignmentLoss(x, y);
    const grad = tf.grad(f)(x0);
    const analytic = scalar(tf.sum(tf.mul(grad, dir)));
    // float32: a moderately large step keeps rounding small next to the difference.
    const h = 1e-2;
    const plus = tf.tidy(() => f(tf.add(x0, tf.mul(dir, h))).dataSync()[0]);
    const minus = tf.tidy(() => f(tf.sub(x0, tf.mul(dir, h))).dataSync()[0]);
    const numeric = (plus - minus) / (2 * h);
    expect(Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-6)).toBeLessThan(1e-3);
    const constant = tf.ones([10, 4]);
    const g = tf.grad((x: tf.Tensor) => alignmentLoss(x, y))(constant);
    expect(g.dataSync().every(Number.isFinite)).toBe(true);
    expect(scalar(alignmentLoss(constant, y))).toBeCloseTo(1, 5);
    tf.dispose([x0, y, dir, grad, constant, g]);
  });

  it('bad input: too few rows (biased n < 2, unbiased n < 4) and unpaired rows throw typed ShapeErrors', () => {
    tf.tidy(() => {
      expect(() => linearCKA(tf.ones([1, 3]), tf.ones([1, 2]))).toThrow(ShapeError);
      expect(() => linearCKA(tf.ones([3, 3]), tf.ones([3, 2]), { debiased: true })).toThrow(/at least 4 rows/);
      expect(() => linearCKA(tf.ones([5, 3]), tf.ones([4, 2]))).toThrow(ShapeError);
      expect(() => alignmentLoss(tf.ones([4, 3]), tf.ones([4, 2]), { measure: 'mse' })).toThrow(ShapeError);
    });
  });
});
