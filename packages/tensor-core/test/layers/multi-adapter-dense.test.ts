import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { MultiAdapterDense } from '../../src/layers/multi-adapter-dense.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A layer whose B is non-zero, so every adapter actually changes the output and receives A-gradients. */
function trainedLayer(seed = 0) {
  const layer = new MultiAdapterDense({ inDim: 6, outDim: 5, numAdapters: 3, rank: 2, alpha: 4, seed });
  layer.B.assign(tf.randomNormal([6, 5], 0, 1, 'float32', seed + 11));
  layer.bias!.assign(tf.randomNormal([5], 0, 1, 'float32', seed + 12));
  return layer;
}

describe('MultiAdapterDense', () => {
  it('stores adapters stacked: A [in, E*r], B [E*r, out], base trainable by default', () => {
    const layer = new MultiAdapterDense({ inDim: 6, outDim: 5, numAdapters: 3, rank: 2, alpha: 4, seed: 0 });
    expect(layer.A.shape).toEqual([6, 6]);
    expect(layer.B.shape).toEqual([6, 5]);
    expect(layer.scale).toBe(2);
    expect(layer.trainableVariables).toHaveLength(4);
    const frozen = new MultiAdapterDense({ inDim: 6, outDim: 5, numAdapters: 3, rank: 2, trainBase: false });
    expect(frozen.trainableVariables).toEqual([frozen.A, frozen.B]);
    layer.dispose();
    frozen.dispose();
  });

  it('with a one-hot mix equals x @ mergedKernel(task) + b per sample (1e-5)', () => {
    const layer = trainedLayer();
    const tasks = [0, 2, 1, 2, 0, 1, 1];
    const x = tf.randomNormal([tasks.length, 6], 0, 1, 'float32', 3);
    const mix = tf.oneHot(tf.tensor1d(tasks, 'int32'), 3, 1, 0, 'float32');
    const y = layer.apply(x, mix).arraySync();
    tasks.forEach((t, i) => {
      const expected = tf.tidy(() => {
        const w = layer.mergedKernel(t);
        return tf.add(tf.matMul(tf.slice(x, [i, 0], [1, 6]), w), layer.bias!).dataSync();
      });
      for (let j = 0; j < 5; j++) expect(Math.abs(y[i][j] - expected[j])).toBeLessThan(1e-5);
    });
    tf.dispose([x, mix]);
    layer.dispose();
  });

  it('equals the explicit sum x W0 + b + s * sum_a mix_a x A_a B_a for a soft mix, and mergedKernel(weights) for a shared mix', () => {
    const layer = trainedLayer(1);
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 4);
    const mixValues = [[0.2, 0.5, 0.3], [1, 0, 0], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3]];
    const mix = tf.tensor2d(mixValues);
    const y = layer.apply(x, mix);
    const explicit = tf.tidy(() => {
      let out = tf.add(tf.matMul(x, layer.kernel), layer.bias!);
      for (let a = 0; a < 3; a++) {
        const delta = tf.matMul(tf.matMul(x, layer.adapterA(a)), layer.adapterB(a));
        out = tf.add(out, tf.mul(tf.mul(delta, tf.slice(mix, [0, a], [4, 1])), layer.scale));
      }
      return out;
    });
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y, explicit))).dataSync()[0])).toBeLessThan(1e-5);
    const shared = tf.tidy(() => tf.add(tf.matMul(tf.slice(x, [0, 0], [1, 6]), layer.mergedKernel([0.2, 0.5, 0.3])), layer.bias!));
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(y, [0, 0], [1, 5]), shared))).dataSync()[0])).toBeLessThan(1e-5);
    tf.dispose([x, mix, y, explicit, shared]);
    layer.dispose();
  });

  it('gives exactly zero gradient to adapters no sample in the batch uses', () => {
    const layer = trainedLayer(2);
    const x = tf.randomNormal([5, 6], 0, 1, 'float32', 5);
    const mix = tf.oneHot(tf.tensor1d([0, 0, 2, 0, 2], 'int32'), 3, 1, 0, 'float32');
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, mix))) as tf.Scalar);
    const gA = grads[layer.A.name].arraySync() as number[][]; // [6, 6]: adapter 1 = columns 2, 3
    const gB = grads[layer.B.name].arraySync() as number[][]; // [6, 5]: adapter 1 = rows 2, 3
    for (const row of gA) {
      expect(row[2]).toBe(0);
      expect(row[3]).toBe(0);
      expect(Math.abs(row[0]) + Math.abs(row[5])).toBeGreaterThan(0);
    }
    expect(gB[2].every((v) => v === 0) && gB[3].every((v) => v === 0)).toBe(true);
    expect(gB[0].some((v) => v !== 0) && gB[4].some((v) => v !== 0)).toBe(true);
    tf.dispose([x, mix, value, ...Object.values(grads)]);
    layer.dispose();
  });

  it('adapter a gets the same gradient from a mixed batch as from its own samples alone', () => {
    const layer = trainedLayer(3);
    const tasks = [0, 1, 0, 2, 1];
    const x = tf.randomNormal([5, 6], 0, 1, 'float32', 6);
    const gradOf = (rows: number[]) =>
      tf.tidy(() => {
        const idx = tf.tensor1d(rows, 'int32');
        const xs = tf.gather(x, idx);
        const mix = tf.oneHot(tf.gather(tf.tensor1d(tasks, 'int32'), idx), 3, 1, 0, 'float32');
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(xs, mix))) as tf.Scalar, [layer.A]);
        value.dispose();
        const g = grads[layer.A.name];
        return tf.slice(g, [0, 0], [6, 2]); // adapter 0's columns
      });
    const mixed = gradOf([0, 1, 2, 3, 4]);
    const own = gradOf([0, 2]);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(mixed, own))).dataSync()[0])).toBeLessThan(1e-4);
    tf.dispose([x, mixed, own]);
    layer.dispose();
  });

  it('leaks no tensors over training steps (mixed one-hot batch, Adam)', () => {
    const layer = trainedLayer(4);
    const x = tf.randomNormal([8, 6], 0, 1, 'float32', 8);
    const mix = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3, 1, 0, 'float32');
    const target = tf.randomNormal([8, 5], 0, 1, 'float32', 9);
    const opt = tf.train.adam(1e-2);
    const step = () => opt.minimize(() => tf.mean(tf.square(tf.sub(layer.apply(x, mix), target))) as tf.Scalar, false, layer.trainableVariables);
    step();
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(n0);
    const merged = layer.mergedKernel(1);
    merged.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    opt.dispose();
    tf.dispose([x, mix, target]);
    layer.dispose();
  });

  it('rejects a mix of the wrong shape, naming it', () => {
    const layer = new MultiAdapterDense({ inDim: 4, outDim: 4, numAdapters: 2, rank: 1 });
    const x = tf.zeros([3, 4]);
    const mix = tf.zeros([3, 3]);
    expect(() => layer.apply(x, mix)).toThrow(ShapeError);
    expect(() => layer.apply(x, mix)).toThrow(/mix/);
    tf.dispose([x, mix]);
    layer.dispose();
  });
});
