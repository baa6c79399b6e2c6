import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init-backend.js';
import { OptionError } from '../../src/errors.js';
import { FusedAdamOptimizer } from '../../src/training/fused-adam.js';
import { makeOptimizer } from '../../src/training/optimizer.js';

beforeAll(async () => {
  await initBackend({ quiet: true });
});

/** One minimize step of `loss(w)` from w0; returns the new weights. */
function stepOnce(opt: tf.Optimizer, w0: number[], loss: (w: tf.Variable) => tf.Scalar): number[] {
  const w = tf.variable(tf.tensor1d(w0));
  opt.minimize(() => loss(w), false, [w]);
  const out = Array.from(w.dataSync());
  w.dispose();
  opt.dispose();
  return out;
}

describe('makeOptimizer', () => {
  it('builds the tfjs optimizer named by the spec', () => {
    expect(makeOptimizer({ name: 'adam', lr: 1e-3 })).toBeInstanceOf(FusedAdamOptimizer);
    expect(makeOptimizer({ name: 'sgd', lr: 0.1 })).toBeInstanceOf(tf.SGDOptimizer);
    expect(makeOptimizer({ name: 'momentum', lr: 0.1 })).toBeInstanceOf(tf.MomentumOptimizer);
    expect(makeOptimizer({ name: 'adamw', lr: 0.1 })).toBeInstanceOf(FusedAdamOptimizer);
    expect((makeOptimizer({ name: 'adamw', lr: 0.1 }) as FusedAdamOptimizer).weightDecay).toBe(0.01);
    expect(makeOptimizer()).toBeInstanceOf(FusedAdamOptimizer);
  });

  it('returns a tf.Optimizer instance unchanged', () => {
    const opt = tf.train.rmsprop(0.01);
    expect(makeOptimizer(opt)).toBe(opt);
  });

  it('uses the learning rate: sgd moves by lr * gradient', () => {
    const w = stepOnce(makeOptimizer({ name: 'sgd', lr: 0.25 }), [1, -2], (v) => tf.sum(tf.mul(v, tf.tensor1d([2, 4]))) as tf.Scalar);
    expect(w[0]).toBeCloseTo(1 - 0.25 * 2, 6);
    expect(w[1]).toBeCloseTo(-2 - 0.25 * 4, 6);
  });

  it('adamw applies decoupled decay: with a zero gradient, w shrinks by exactly (1 - lr * wd)', () => {
    const w = stepOnce(makeOptimizer({ name: 'adamw', lr: 0.1, weightDecay: 0.5 }), [2, -4], (v) => tf.sum(tf.mul(v, 0)) as tf.Scalar);
    expect(w[0]).toBeCloseTo(2 * 0.95, 6);
    expect(w[1]).toBeCloseTo(-4 * 0.95, 6);
  });

  it('adamw with weightDecay 0 is Adam; with decay it adds exactly lr * wd * w0', () => {
    const loss = (v: tf.Variable) => tf.sum(tf.square(tf.sub(v, 3))) as tf.Scalar;
    const adam = stepOnce(makeOptimizer({ name: 'adam', lr: 0.1 }), [1, 5], loss);
    const adamw0 = stepOnce(makeOptimizer({ name: 'adamw', lr: 0.1, weightDecay: 0 }), [1, 5], loss);
    const adamw = stepOnce(makeOptimizer({ name: 'adamw', lr: 0.1, weightDecay: 0.2 }), [1, 5], loss);
    expect(adamw0).toEqual(adam);
    expect(adamw[0]).toBeCloseTo(adam[0] - 0.1 * 0.2 * 1, 5);
    expect(adamw[1]).toBeCloseTo(adam[1] - 0.1 * 0.2 * 5, 5);
  });

  it('adam equals tf.train.adam over several steps (within float32 rounding)', () => {
    const loss = (v: tf.Variable) => tf.sum(tf.mul(tf.square(tf.sub(v, 3)), tf.tensor1d([1, 0.5, 2]))) as tf.Scalar;
    const run = (opt: tf.Optimizer) => {
      const w = tf.variable(tf.tensor1d([1, 5, -2]));
      for (let i = 0; i < 20; i++) opt.minimize(() => loss(w), false, [w]);
      const out = Array.from(w.dataSync());
      w.dispose();
      opt.dispose();
      return out;
    };
    const ours = run(makeOptimizer({ name: 'adam', lr: 0.05 }));
    const reference = run(tf.train.adam(0.05, 0.9, 0.999, 1e-8));
    ours.forEach((v, i) => expect(Math.abs(v - reference[i])).toBeLessThan(1e-5));
  });

  it('rejects bad specs with OptionError naming the field', () => {
    expect(() => makeOptimizer({ name: 'adam', lr: 0 })).toThrow(/optimizer\.lr/);
    expect(() => makeOptimizer({ name: 'adam', lr: Number.NaN })).toThrow(OptionError);
    expect(() => makeOptimizer({ name: 'lion' as 'adam', lr: 1e-3 })).toThrow(/optimizer\.name/);
    expect(() => makeOptimizer({ name: 'adamw', lr: 1e-3, weightDecay: -1 })).toThrow(/weightDecay/);
    expect(() => makeOptimizer({ name: 'momentum', lr: 1e-3, momentum: 1.5 })).toThrow(/optimizer\.momentum/);
  });
});
