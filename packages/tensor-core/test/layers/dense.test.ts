import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, OptionError } from '../../src/errors.js';
import { Dense } from '../../src/layers/dense.js';
import { collectVariables } from '../../src/layers/module.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Dense', () => {
  it('maps [B, in] to [B, out] as x W + b with the kernel stored [in, out]', () => {
    const d = new Dense({ inDim: 3, outDim: 2, seed: 1 });
    expect(d.kernel.shape).toEqual([3, 2]);
    d.bias!.assign(tf.tensor1d([0.5, -1]));
    const x = tf.tensor2d([[1, 2, 3]]);
    const w = d.kernel.arraySync() as number[][];
    const expected = [0, 1].map((j) => w[0][j] + 2 * w[1][j] + 3 * w[2][j] + [0.5, -1][j]);
    const y = d.apply(x);
    expect(y.shape).toEqual([1, 2]);
    const got = y.dataSync();
    expected.forEach((e, j) => expect(got[j]).toBeCloseTo(e, 5));
    tf.dispose([x, y]);
    d.dispose();
  });

  it('applies the same weights to every step of a [B, T, in] sequence', () => {
    const d = new Dense({ inDim: 4, outDim: 3, activation: 'tanh', seed: 2 });
    const x = tf.randomUniform([2, 5, 4], -1, 1, 'float32', 3);
    const y3 = d.apply(x);
    expect(y3.shape).toEqual([2, 5, 3]);
    const y2 = d.apply(tf.reshape(x, [10, 4]));
    expect(Array.from(y3.dataSync())).toEqual(Array.from(y2.dataSync()));
    tf.dispose([x, y3, y2]);
    d.dispose();
  });

  it('same seed gives identical weights; another seed does not', () => {
    const a = new Dense({ inDim: 5, outDim: 4, seed: 7 });
    const b = new Dense({ inDim: 5, outDim: 4, seed: 7 });
    const c = new Dense({ inDim: 5, outDim: 4, seed: 8 });
    expect(Array.from(a.kernel.dataSync())).toEqual(Array.from(b.kernel.dataSync()));
    expect(Array.from(a.kernel.dataSync())).not.toEqual(Array.from(c.kernel.dataSync()));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('counts parameters, honours trainable, and frees its variables on dispose', () => {
    const before = tf.memory().numTensors;
    const d = new Dense({ inDim: 5, outDim: 4, bias: false, trainable: false });
    expect(d.parameterCount()).toBe(20);
    expect(d.trainableVariables).toHaveLength(0);
    const e = new Dense({ inDim: 2, outDim: 2 });
    expect(collectVariables(d, e, d)).toHaveLength(3);
    d.dispose();
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a wrong input width with a ShapeError naming the tensor, and bad options with OptionError', () => {
    const d = new Dense({ inDim: 3, outDim: 2 });
    const x = tf.zeros([2, 4]);
    expect(() => d.apply(x)).toThrow(ShapeError);
    expect(() => d.apply(x)).toThrow(/Dense input x/);
    expect(() => new Dense({ inDim: 0, outDim: 2 })).toThrow(OptionError);
    expect(() => new Dense({ inDim: 2, outDim: 2, activation: 'swish' as never })).toThrow(OptionError);
    x.dispose();
    d.dispose();
  });
});
