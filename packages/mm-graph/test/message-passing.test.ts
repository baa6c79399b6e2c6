import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@paperkit/tensor-core';
import { gatherRows } from '../src/message-passing.js';
import { meanAdjacency, pygGcnAdjacency } from '../src/normalization.js';
import { symmetrize } from '../src/graph-structure.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomGraph(n: number, m: number, seed: number) {
  const rng = createRng(seed);
  const s = Int32Array.from({ length: m }, () => rng.int(n));
  const d = Int32Array.from({ length: m }, () => rng.int(n));
  return symmetrize(n, s, d);
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => {
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
};

describe('custom-gradient SpMM agrees with the gather + unsortedSegmentSum reference', () => {
  const n = 40;
  const g = randomGraph(n, 120, 1);
  const rng = createRng(2);
  const x = tf.tensor2d(rng.normalArray(n * 5), [n, 5]);
  const weight = tf.tensor2d(rng.normalArray(n * 5), [n, 5]);

  for (const [name, adj] of [['pyg', pygGcnAdjacency(n, g.src, g.dst)], ['mean (asymmetric)', meanAdjacency(n, g.src, g.dst)]] as const) {
    it(`values and gradients match to 1e-5 (${name})`, () => {
      const loss = (path: 'spmm' | 'gather') => (t: tf.Tensor) => tf.sum(tf.mul(tf.square(adj.propagate(t as tf.Tensor2D, path)), weight));
      const [ys, yg] = [adj.propagate(x, 'spmm'), adj.propagate(x, 'gather')];
      expect(maxAbsDiff(ys, yg)).toBeLessThan(1e-5);
      const gs = tf.grad(loss('spmm'))(x);
      const gg = tf.grad(loss('gather'))(x);
      expect(maxAbsDiff(gs, gg)).toBeLessThan(1e-5);
      expect(Math.max(...Array.from(gs.dataSync()).map(Math.abs))).toBeGreaterThan(0);
      tf.dispose([ys, yg, gs, gg]);
    });
  }

  it('gatherRows: values and scatter-add gradients match tf.gather, repeated rows included', () => {
    const idx = Int32Array.from([3, 3, 0, 39, 7, 3]);
    const up = tf.tensor2d(rng.normalArray(idx.length * 5), [idx.length, 5]);
    const f = (path: 'spmm' | 'gather') => (t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, idx, path), up));
    expect(maxAbsDiff(gatherRows(x, idx, 'spmm'), gatherRows(x, idx, 'gather'))).toBe(0);
    expect(maxAbsDiff(tf.grad(f('spmm'))(x), tf.grad(f('gather'))(x))).toBeLessThan(1e-6);
  });

  it('propagate rejects a feature matrix with the wrong number of rows', () => {
    const adj = pygGcnAdjacency(n, g.src, g.dst);
    expect(() => adj.propagate(tf.zeros([n + 1, 2]) as tf.Tensor2D)).toThrow(/message passing input X/);
  });
});
