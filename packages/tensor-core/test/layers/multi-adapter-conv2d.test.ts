import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import { MultiAdapterConv2D } from '../../src/layers/multi-adapter-conv2d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function layerWithDeltas(padding: 'same' | 'valid' = 'same') {
  const layer = new MultiAdapterConv2D({ inChannels: 3, filters: 4, kernelSize: [3, 3], padding, numAdapters: 3, rank: 2, alpha: 4, seed: 1 });
  layer.B.assign(tf.randomNormal([6, 4], 0, 1, 'float32', 5));
  return layer;
}

describe('MultiAdapterConv2D', () => {
  it('starts as the plain conv (B = 0) for any mix', () => {
    const layer = new MultiAdapterConv2D({ inChannels: 3, filters: 4, kernelSize: [3, 3], padding: 'same', numAdapters: 2, rank: 2, seed: 0 });
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 1);
    const mix = tf.tensor2d([[0.3, 0.7], [1, 0]]);
    const y = layer.apply(x, mix);
    const plain = tf.add(tf.conv2d(x as tf.Tensor4D, layer.kernel as tf.Tensor4D, 1, 'same'), layer.bias!);
    expect(tf.max(tf.abs(tf.sub(y, plain))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([x, mix, y, plain]);
    layer.dispose();
  });

  it('with a one-hot mix equals conv with mergedKernel(task) per sample (1e-4)', () => {
    for (const padding of ['same', 'valid'] as const) {
      const layer = layerWithDeltas(padding);
      const tasks = [2, 0, 1];
      const x = tf.randomNormal([3, 6, 6, 3], 0, 1, 'float32', 2);
      const y = layer.apply(x, tf.oneHot(tf.tensor1d(tasks, 'int32'), 3, 1, 0, 'float32'));
      tasks.forEach((t, i) => {
        const k = layer.mergedKernel(t);
        const xi = tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
        const expected = tf.add(tf.conv2d(xi, k, 1, padding), layer.bias!);
        const got = tf.slice(y, [i, 0, 0, 0], [1, -1, -1, -1]);
        expect(tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]).toBeLessThan(1e-4);
      });
      layer.dispose();
    }
  });

  it('gives an adapter exactly zero gradient from samples routed elsewhere', () => {
    const layer = layerWithDeltas();
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 3);
    const mix = tf.tensor2d([[1, 0, 0], [1, 0, 0]]);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, mix))) as tf.Scalar, [layer.A, layer.B]);
    const gA = grads[layer.A.name].arraySync() as number[][][][];
    const gB = grads[layer.B.name].arraySync() as number[][];
    const channel = (c: number) => gA.flat(2).map((v) => v[c]);
    for (const c of [2, 3, 4, 5]) expect(channel(c).every((v) => v === 0)).toBe(true);
    expect(channel(0).some((v) => v !== 0)).toBe(true);
    for (const row of [2, 3, 4, 5]) expect(gB[row].every((v) => v === 0)).toBe(true);
    layer.dispose();
  });

  it('rejects a rank above min(filters, kh*kw*C_in) and a mix of the wrong shape', () => {
    expect(() => new MultiAdapterConv2D({ inChannels: 1, filters: 2, kernelSize: [1, 1], numAdapters: 2, rank: 2 })).toThrow(OptionError);
    const layer = layerWithDeltas();
    expect(() => layer.apply(tf.zeros([2, 4, 4, 3]), tf.zeros([2, 2]))).toThrow(ShapeError);
    layer.dispose();
  });
});
