import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { value } from './scalar-value.js';
import { ShapeError } from '../../src/errors.js';
import { hsic, linearCKA, rbfCKA } from '../../src/losses/cka.js';
import { createRng } from '../../src/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function gaussian(seed: number, n: number, p: number): tf.Tensor2D {
  return tf.tensor2d(createRng(seed).normalArray(n * p), [n, p]);
}

/** Householder reflection I - 2 v v' / v'v: an orthogonal [p, p] matrix. */
function orthogonal(p: number, seed: number): tf.Tensor2D {
  const v = createRng(seed).normalArray(p);
  const vv = v.reduce((a, b) => a + b * b, 0);
  const q = new Float32Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) q[i * p + j] = (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv;
  return tf.tensor2d(q, [p, p]);
}

describe('linearCKA', () => {
  // X = [[1, 0], [0, 1], [-1, -1]] has zero column means, Y = [[1], [0], [-1]] too.
  // Xc'Xc = [[2, 1], [1, 2]] -> ||.||_F = sqrt(4 + 1 + 1 + 4) = sqrt(10); Yc'Yc = [2] -> 2;
  // Yc'Xc = [1 + 0 + 1, 0 + 0 + 1] = [2, 1] -> ||.||_F^2 = 5. CKA = 5 / (2 sqrt 10) = 0.790569.
  it('matches the hand value on a 3x2 example (feature and Gram forms)', () => {
    const x = tf.tensor2d([[1, 0], [0, 1], [-1, -1]]);
    const y = tf.tensor2d([[1], [0], [-1]]);
    expect(value(linearCKA(x, y))).toBeCloseTo(5 / (2 * Math.sqrt(10)), 5);
    expect(value(linearCKA(x, y, { form: 'gram' }))).toBeCloseTo(5 / (2 * Math.sqrt(10)), 5);
    tf.dispose([x, y]);
  });

  // Spec hand values (reprogramming-distill.md section 7): 1-D x = [1,2,3], y = [1,4,9]: CKA = r^2 = 48/49;
  // X rows (1,0),(0,1),(-1,0),(0,-1) against its first column: 1/sqrt 2.
  it('matches the spec hand values 48/49 and 1/sqrt(2)', () => {
    const x = tf.tensor2d([[1], [2], [3]]);
    const y = tf.tensor2d([[1], [4], [9]]);
    expect(value(linearCKA(x, y))).toBeCloseTo(48 / 49, 5);
    const X = tf.tensor2d([[1, 0], [0, 1], [-1, 0], [0, -1]]);
    const Y = tf.tensor2d([[1], [0], [-1], [0]]);
    expect(value(linearCKA(X, Y))).toBeCloseTo(Math.SQRT1_2, 5);
    tf.dispose([x, y, X, Y]);
  });

  it('CKA(X, X) = 1 and is invariant to orthogonal transforms, isotropic scaling and translation', () => {
    const x = gaussian(1, 20, 5);
    const y = tf.tidy(() => tf.add(tf.matMul(x, gaussian(2, 5, 3)), tf.mul(gaussian(3, 20, 3), 0.5)));
    expect(value(linearCKA(x, x))).toBeCloseTo(1, 5);
    const base = value(linearCKA(x, y));
    expect(base).toBeGreaterThan(0.2);
    expect(base).toBeLessThan(1);
    const xq = tf.tidy(() => tf.matMul(x, orthogonal(5, 4)));
    const xs = tf.tidy(() => tf.add(tf.mul(x, 7.5), 3));
    expect(value(linearCKA(xq, y))).toBeCloseTo(base, 5);
    expect(value(linearCKA(xs, y))).toBeCloseTo(base, 5);
    expect(value(linearCKA(y, x))).toBeCloseTo(base, 5);
    tf.dispose([x, y, xq, xs]);
  });

  it('is not invariant to anisotropic scaling (X diag(10, 1, ..., 1, 0.1)): < 0.9', () => {
    const x = gaussian(5, 50, 8);
    const d = tf.tensor1d([10, 1, 1, 1, 1, 1, 1, 0.1]);
    const xd = tf.mul(x, d);
    expect(value(linearCKA(x, xd))).toBeLessThan(0.9);
    tf.dispose([x, d, xd]);
  });

  it('feature form equals Gram form when p > n', () => {
    const x = gaussian(6, 6, 12);
    const y = gaussian(7, 6, 9);
    expect(value(linearCKA(x, y, { form: 'feature' }))).toBeCloseTo(value(linearCKA(x, y, { form: 'gram' })), 5);
    tf.dispose([x, y]);
  });

  it('debiased: CKA(X, X) = 1, near 0 for independent inputs where the biased estimate is inflated', () => {
    const x = gaussian(8, 30, 6);
    expect(value(linearCKA(x, x, { debiased: true }))).toBeCloseTo(1, 4);
    x.dispose();
    let biased = 0;
    let unbiased = 0;
    const draws = 30;
    for (let i = 0; i < draws; i++) {
      const a = gaussian(100 + i, 8, 20);
      const b = gaussian(200 + i, 8, 10);
      biased += value(linearCKA(a, b)) / draws;
      unbiased += value(linearCKA(a, b, { debiased: true })) / draws;
      tf.dispose([a, b]);
    }
    // Small n, many features: independent data look similar to the biased estimator.
    expect(biased).toBeGreaterThan(0.6);
    expect(Math.abs(unbiased)).toBeLessThan(0.1);
  });

  it('gradient of 1 - CKA matches a central finite difference along a random direction', () => {
    const x = gaussian(9, 10, 4);
    const y = gaussian(10, 10, 3);
    const dir = gaussian(11, 10, 4);
    const f = (xx: tf.Tensor) => tf.sub(1, linearCKA(xx, y)) as tf.Scalar;
    const g = tf.grad(f)(x);
    const analytic = value(tf.sum(tf.mul(g, dir)));
    const eps = 1e-2;
    const plus = tf.tidy(() => value(f(tf.add(x, tf.mul(dir, eps)))));
    const minus = tf.tidy(() => value(f(tf.sub(x, tf.mul(dir, eps)))));
    const numeric = (plus - minus) / (2 * eps);
    expect(Math.abs(analytic - numeric)).toBeLessThan(1e-2 * Math.abs(numeric) + 1e-4);
    tf.dispose([x, y, dir, g]);
  });

  it('constant features give CKA 0 and finite gradients (no NaN)', () => {
    const x = tf.variable(tf.ones([6, 3]), true, 'cka_test_constant');
    const y = gaussian(12, 6, 2);
    for (const debiased of [false, true]) {
      const { value: v, grads } = tf.variableGrads(() => linearCKA(x, y, { debiased }), [x]);
      expect(v.dataSync()[0]).toBe(0);
      expect(Array.from(grads[x.name].dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([v, ...Object.values(grads)]);
    }
    const r = rbfCKA(x, y);
    expect(Number.isFinite(r.dataSync()[0])).toBe(true);
    tf.dispose([x, y, r]);
  });

  it('rejects unpaired rows and too few rows for the debiased estimator', () => {
    const x = tf.zeros([5, 2]);
    const y = tf.zeros([4, 2]);
    expect(() => linearCKA(x, y)).toThrow(ShapeError);
    expect(() => linearCKA(y.slice([0, 0], [3, 2]), y.slice([0, 0], [3, 2]), { debiased: true })).toThrow(/at least 4 rows/);
    tf.dispose([x, y]);
  });
});

describe('hsic', () => {
  // K = [[1,.5,0,0],[.5,1,0,0],[0,0,1,.5],[0,0,.5,1]] (reprogramming-distill.md section 7).
  it('matches the hand values HSIC_b(K, K) = 11/36 and HSIC_u(K, K) = 1/6', () => {
    const k = tf.tensor2d([[1, 0.5, 0, 0], [0.5, 1, 0, 0], [0, 0, 1, 0.5], [0, 0, 0.5, 1]]);
    expect(value(hsic(k, k))).toBeCloseTo(11 / 36, 6);
    expect(value(hsic(k, k, { debiased: true }))).toBeCloseTo(1 / 6, 6);
    k.dispose();
  });
});

describe('rbfCKA', () => {
  it('RBF CKA(X, X) = 1; invariant to orthogonal transforms, and to scaling with the median bandwidth', () => {
    const x = gaussian(13, 16, 4);
    const y = tf.tidy(() => tf.tanh(tf.matMul(x, gaussian(14, 4, 3))));
    expect(value(rbfCKA(x, x))).toBeCloseTo(1, 5);
    expect(value(rbfCKA(x, x, { debiased: true }))).toBeCloseTo(1, 4);
    const base = value(rbfCKA(x, y));
    expect(base).toBeGreaterThan(0.3);
    const xq = tf.tidy(() => tf.matMul(x, orthogonal(4, 15)));
    const xs = tf.mul(x, 4);
    expect(value(rbfCKA(xq, y))).toBeCloseTo(base, 4);
    expect(value(rbfCKA(xs, y))).toBeCloseTo(base, 4);
    // A fixed sigma scaled with the data gives the same kernel, hence the same CKA.
    const fixed = value(rbfCKA(x, y, { sigma: [1.5, 0.8] }));
    expect(value(rbfCKA(xs, y, { sigma: [6, 0.8] }))).toBeCloseTo(fixed, 4);
    tf.dispose([x, y, xq, xs]);
  });

  it('has finite gradients and is symmetric in its arguments', () => {
    const x = gaussian(16, 12, 3);
    const y = gaussian(17, 12, 5);
    expect(value(rbfCKA(x, y))).toBeCloseTo(value(rbfCKA(y, x)), 5);
    const g = tf.grad((xx: tf.Tensor) => rbfCKA(xx, y))(x);
    expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y, g]);
  });
});
