import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import { LoRADense } from '../../src/layers/lora-dense.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('LoRADense', () => {
  it('starts as the base layer exactly (B = 0) and copies, not aliases, the base weights', () => {
    const kernel = tf.randomNormal([6, 4], 0, 1, 'float32', 1);
    const bias = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
    const lora = new LoRADense({ inDim: 6, outDim: 4, rank: 2, alpha: 4, base: { kernel, bias }, seed: 0 });
    const x = tf.randomNormal([3, 6], 0, 1, 'float32', 2);
    const expected = tf.add(tf.matMul(x, kernel), bias);
    const y = lora.apply(x);
    expect(maxAbsDiff(y, expected)).toBe(0);
    tf.dispose([kernel, bias]);
    expect(lora.kernel.isDisposed).toBe(false);
    tf.dispose([x, expected, y]);
    lora.dispose();
  });

  it('initialises A kaiming-uniform with bound 1/sqrt(in) and B zero; scale = alpha / rank', () => {
    const lora = new LoRADense({ inDim: 16, outDim: 8, rank: 4, alpha: 16, seed: 3 });
    const a = lora.A.dataSync();
    const bound = 1 / Math.sqrt(16);
    expect(Math.max(...Array.from(a, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(a, Math.abs))).toBeGreaterThan(0.5 * bound);
    expect(Array.from(lora.B.dataSync()).every((v) => v === 0)).toBe(true);
    expect(lora.scale).toBe(4);
    lora.dispose();
  });

  it('freezes W0/b: only A and B are trainable and only they receive gradients', () => {
    const lora = new LoRADense({ inDim: 5, outDim: 3, rank: 2, alpha: 2, seed: 1 });
    expect(lora.trainableVariables).toEqual([lora.A, lora.B]);
    expect(lora.variables).toHaveLength(4);
    const x = tf.randomNormal([4, 5], 0, 1, 'float32', 9);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(lora.apply(x))) as tf.Scalar);
    expect(Object.keys(grads).sort()).toEqual([lora.A.name, lora.B.name].sort());
    tf.dispose([x, value, ...Object.values(grads)]);
    lora.dispose();
  });

  it('computes y = x W0 + b + (alpha/rank) x A B, for [B, in] and [B, T, in] inputs', () => {
    const lora = new LoRADense({ inDim: 4, outDim: 3, rank: 2, alpha: 6, seed: 2 });
    lora.B.assign(tf.randomNormal([2, 3], 0, 1, 'float32', 4));
    const x = tf.randomNormal([2, 5, 4], 0, 1, 'float32', 5);
    const flat = tf.reshape(x, [10, 4]);
    const expected = tf.tidy(() =>
      tf.add(tf.add(tf.matMul(flat, lora.kernel), lora.bias!), tf.mul(tf.matMul(tf.matMul(flat, lora.A), lora.B), 3)),
    );
    const y = lora.apply(x);
    expect(y.shape).toEqual([2, 5, 3]);
    expect(maxAbsDiff(tf.reshape(y, [10, 3]), expected)).toBeLessThan(1e-5);
    tf.dispose([x, flat, expected, y]);
    lora.dispose();
  });

  it('merge() gives the same outputs through W0 alone; merge then unmerge restores the weights', () => {
    const lora = new LoRADense({ inDim: 8, outDim: 6, rank: 3, alpha: 12, seed: 5 });
    lora.B.assign(tf.randomNormal([3, 6], 0, 1, 'float32', 6));
    const original = lora.kernel.clone();
    const x = tf.randomNormal([5, 8], 0, 1, 'float32', 7);
    const before = lora.apply(x);
    lora.merge();
    expect(lora.merged).toBe(true);
    const merged = lora.apply(x);
    expect(maxAbsDiff(merged, before)).toBeLessThan(1e-5);
    const expectedKernel = tf.tidy(() => tf.add(original, tf.mul(tf.matMul(lora.A, lora.B), 4)));
    expect(maxAbsDiff(lora.kernel, expectedKernel)).toBeLessThan(1e-6);
    lora.merge(); // idempotent
    lora.unmerge();
    expect(lora.merged).toBe(false);
    expect(maxAbsDiff(lora.kernel, original)).toBeLessThan(1e-5);
    const after = lora.apply(x);
    expect(maxAbsDiff(after, before)).toBeLessThan(1e-5);
    tf.dispose([original, x, before, merged, expectedKernel, after]);
    lora.dispose();
  });

  it('rejects a base kernel of the wrong shape and a rank above min(in, out)', () => {
    const k = tf.zeros([4, 3]);
    expect(() => new LoRADense({ inDim: 3, outDim: 4, rank: 1, base: { kernel: k } })).toThrow(ShapeError);
    expect(() => new LoRADense({ inDim: 3, outDim: 4, rank: 1, base: { kernel: k } })).toThrow(/base\.kernel/);
    expect(() => new LoRADense({ inDim: 3, outDim: 4, rank: 4 })).toThrow(OptionError);
    k.dispose();
  });
});
