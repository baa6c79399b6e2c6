import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init-backend.js';
import { OptionError } from '../../src/errors.js';
import { createRng } from '../../src/random.js';
import { batchIndices, takeRows } from '../../src/training/batches.js';

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const flatten = (batches: Int32Array[]) => batches.flatMap((b) => Array.from(b));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('batchIndices', () => {
  it('covers every index exactly once per epoch, shuffled or not', () => {
    for (const rng of [undefined, createRng(1), 5]) {
      const batches = batchIndices(103, 10, rng);
      expect(batches.map((b) => b.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
      expect(flatten(batches).sort((a, b) => a - b)).toEqual(range(103));
    }
  });

  it('keeps 0..n-1 in order without a generator', () => {
    expect(flatten(batchIndices(7, 3))).toEqual(range(7));
  });

  it('is reproducible for a seed and different across seeds and epochs', () => {
    expect(flatten(batchIndices(50, 8, 3))).toEqual(flatten(batchIndices(50, 8, 3)));
    expect(flatten(batchIndices(50, 8, 3))).not.toEqual(flatten(batchIndices(50, 8, 4)));
    const rng = createRng(3);
    expect(flatten(batchIndices(50, 8, rng))).not.toEqual(flatten(batchIndices(50, 8, rng)));
  });

  it('dropLast drops only a short final batch, never repeats an index', () => {
    const batches = batchIndices(103, 10, createRng(2), true);
    expect(batches).toHaveLength(10);
    expect(batches.every((b) => b.length === 10)).toBe(true);
    expect(new Set(flatten(batches)).size).toBe(100);
    expect(batchIndices(100, 10, undefined, true)).toHaveLength(10);
    expect(batchIndices(9, 10, undefined, true)).toHaveLength(0);
  });

  it('handles n = 0 and rejects bad sizes with OptionError', () => {
    expect(batchIndices(0, 4)).toEqual([]);
    expect(() => batchIndices(10, 0)).toThrow(OptionError);
    expect(() => batchIndices(10, 2.5)).toThrow(/batchSize/);
    expect(() => batchIndices(-1, 2)).toThrow(/option n/);
  });
});

describe('takeRows', () => {
  it('gathers rows along axis 0 from arrays and tensors of indices', () => {
    const t = tf.tensor2d([[0, 1], [2, 3], [4, 5]]);
    const a = takeRows(t, new Int32Array([2, 0]));
    const b = takeRows(t, [1, 1]);
    const idx = tf.tensor1d([0, 2], 'float32');
    const c = takeRows(t, idx as tf.Tensor1D);
    expect(a.arraySync()).toEqual([[4, 5], [0, 1]]);
    expect(b.arraySync()).toEqual([[2, 3], [2, 3]]);
    expect(c.arraySync()).toEqual([[0, 1], [4, 5]]);
    tf.dispose([t, a, b, c, idx]);
  });

  it('range-checks plain indices and leaks nothing', () => {
    const t = tf.zeros([3, 2]);
    const before = tf.memory().numTensors;
    expect(() => takeRows(t, [0, 3])).toThrow(/idx\[1\].*\[0, 3\)/);
    takeRows(t, [0, 1]).dispose();
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });
});
