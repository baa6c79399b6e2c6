import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, initBackend } from '@paperkit/tensor-core';
import { topKMask, topKRouting } from '../src/top-k-routing.js';

beforeAll(async () => {
  await initBackend({ quiet: true });
});

/** Double-precision reference of the renormalised top-k weights of one row. */
function reference(z: number[], k: number): number[] {
  const m = Math.max(...z);
  const p = z.map((v) => Math.exp(v - m));
  const keep = p.map((_, i) => i).sort((a, b) => p[b] - p[a]).slice(0, k);
  const s = keep.reduce((a, i) => a + p[i], 0);
  return p.map((v, i) => (keep.includes(i) ? v / s : 0));
}

describe('top-k routing (mask from top-k indices x softmax weights)', () => {
  it('equals softmax, keep the top-k, renormalise to sum 1 (hand-computed row)', () => {
    // z = [0, ln 2, ln 3]: p = [1, 2, 3] / 6; top-2 keeps experts 1 and 2 -> [0, 2/5, 3/5].
    const w = topKRouting(tf.tensor2d([[0, Math.log(2), Math.log(3)]]), 2).arraySync()[0];
    expect(w[0]).toBe(0);
    expect(w[1]).toBeCloseTo(0.4, 6);
    expect(w[2]).toBeCloseTo(0.6, 6);
    expect(Array.from(topKMask(tf.tensor2d([[5, -1, 2, 7]]), 2).dataSync())).toEqual([1, 0, 0, 1]);
  });

  it('gradient w.r.t. the router logits matches central finite differences (selection held fixed)', () => {
    const rng = createRng(3);
    const N = 5;
    const E = 4;
    const k = 2;
    const z = Array.from({ length: N }, () => Array.from({ length: E }, () => rng.normal(0, 1)));
    const c = Array.from({ length: N }, () => Array.from({ length: E }, () => rng.normal(0, 1)));
    // f(z) = sum c * w(z), computed in float64 for the differences.
    const f = (zz: number[][]) => zz.reduce((s, row, n) => s + reference(row, k).reduce((a, w, e) => a + w * c[n][e], 0), 0);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(topKRouting(x as tf.Tensor2D, k), tf.tensor2d(c))))(tf.tensor2d(z)).arraySync() as number[][];
    const h = 1e-4;
    let maxErr = 0;
    let maxGrad = 0;
    for (let n = 0; n < N; n++) {
      for (let e = 0; e < E; e++) {
        const up = z.map((r) => r.slice());
        const down = z.map((r) => r.slice());
        up[n][e] += h;
        down[n][e] -= h;
        const fd = (f(up) - f(down)) / (2 * h);
        maxErr = Math.max(maxErr, Math.abs(fd - grad[n][e]));
        maxGrad = Math.max(maxGrad, Math.abs(fd));
      }
    }
    expect(maxGrad).toBeGreaterThan(0.05); // a real gradient, not all zeros
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('experts outside the top-k get zero gradient, and the mask itself passes none', () => {
    const z = tf.tensor2d([[2, 1, -3]]);
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(topKRouting(x as tf.Tensor2D, 2), tf.tensor2d([[1, 3, 5]]))))(z).dataSync();
    expect(Math.abs(g[2])).toBeLessThan(1e-7); // w does not depend on an unselected logit (0 up to rounding)
    expect(Math.abs(g[0]) + Math.abs(g[1])).toBeGreaterThan(0);
    const gm = tf.grad((x: tf.Tensor) => tf.sum(topKMask(x as tf.Tensor2D, 2)))(z).dataSync();
    expect(Array.from(gm)).toEqual([0, 0, 0]);
  });
});
