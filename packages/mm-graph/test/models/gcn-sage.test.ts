import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gcnConv } from '../../src/models/gcn.js';
import { sageConv } from '../../src/models/sage.js';
import { dglBothAdjacency, meanAdjacency, pygGcnAdjacency } from '../../src/normalization.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Undirected path 0–1–2 with both directions stored; X = [1,2,3]ᵀ, W = 1, b = 0 (spec §7).
const src = Int32Array.from([0, 1, 1, 2]);
const dst = Int32Array.from([1, 0, 2, 1]);
const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('GCN and SAGE hand values on the path graph (spec §7)', () => {
  for (const path of ['spmm', 'gather'] as const) {
    it(`PyG normalisation with self-loops gives [1.316497, 2.299660, 2.316497] (${path})`, () => {
      const adj = pygGcnAdjacency(3, src, dst);
      const y = tf.tidy(() => gcnConv(adj, tf.tensor2d([[1], [2], [3]]), tf.ones([1, 1]) as tf.Tensor2D, tf.zeros([1]) as tf.Tensor1D, path));
      values(y).forEach((v, i) => expect(v).toBeCloseTo([1.316497, 2.29966, 2.316497][i], 5));
      const dense = adj.toDense();
      expect(dense[0]).toBeCloseTo(0.5, 6);
      expect(dense[1]).toBeCloseTo(1 / Math.sqrt(6), 6);
      expect(dense[4]).toBeCloseTo(1 / 3, 6);
      y.dispose();
      adj.dispose();
    });

    it(`DGL-parity norm (both, no self-loops) gives [1.414214, 2.828427, 1.414214] (${path})`, () => {
      const adj = dglBothAdjacency(3, src, dst);
      const y = tf.tidy(() => gcnConv(adj, tf.tensor2d([[1], [2], [3]]), tf.ones([1, 1]) as tf.Tensor2D, null, path));
      values(y).forEach((v, i) => expect(v).toBeCloseTo([1.414214, 2.828427, 1.414214][i], 5));
      adj.dispose();
    });

    it(`SAGE-mean with W_self = W_nbr = 1 gives [3, 4, 5] (${path})`, () => {
      const adj = meanAdjacency(3, src, dst);
      const one = tf.ones([1, 1]) as tf.Tensor2D;
      const y = tf.tidy(() => sageConv(adj, tf.tensor2d([[1], [2], [3]]), one, one, null, path));
      values(y).forEach((v, i) => expect(v).toBeCloseTo([3, 4, 5][i], 6));
      adj.dispose();
      one.dispose();
    });
  }

  it('an isolated node aggregates to zero under the mean (SAGE) and keeps only its self term under PyG', () => {
    const adj = meanAdjacency(4, src, dst);
    const y = tf.tidy(() => adj.propagate(tf.tensor2d([[1], [2], [3], [7]])));
    expect(values(y)[3]).toBe(0);
    const pyg = pygGcnAdjacency(4, src, dst);
    expect(pyg.toDense()[15]).toBeCloseTo(1, 6);
  });
});
