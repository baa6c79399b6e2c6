import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { gelu } from '../../src/layers/activations.js';
import { MLP } from '../../src/layers/mlp.js';
import { LayerNorm, RMSNorm } from '../../src/layers/norms.js';
import { createRng } from '../../src/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('MLP', () => {
  it('has one Dense per consecutive pair of sizes and maps [B, in] to [B, out]', () => {
    const mlp = new MLP({ sizes: [6, 8, 8, 3], seed: 0 });
    expect(mlp.layers).toHaveLength(3);
    expect(mlp.parameterCount()).toBe(6 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3);
    const y = mlp.apply(tf.ones([4, 6]));
    expect(y.shape).toEqual([4, 3]);
    y.dispose();
    mlp.dispose();
  });

  it('dropout is off at inference and reproducible from the seeded Rng in training', () => {
    const mlp = new MLP({ sizes: [4, 32, 2], dropout: 0.5, seed: 1 });
    const x = tf.ones([3, 4]);
    const a = mlp.apply(x);
    const b = mlp.apply(x, { training: false });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const t1 = mlp.apply(x, { training: true, rng: createRng(5) });
    const t2 = mlp.apply(x, { training: true, rng: createRng(5) });
    const t3 = mlp.apply(x, { training: true, rng: createRng(6) });
    expect(Array.from(t1.dataSync())).toEqual(Array.from(t2.dataSync()));
    expect(Array.from(t1.dataSync())).not.toEqual(Array.from(t3.dataSync()));
    tf.dispose([x, a, b, t1, t2, t3]);
    mlp.dispose();
  });

  it('adds LayerNorm parameters only on hidden layers and rejects bad sizes', () => {
    const mlp = new MLP({ sizes: [3, 5, 2], layerNorm: true });
    expect(mlp.norms).toHaveLength(1);
    expect(mlp.parameterCount()).toBe(3 * 5 + 5 + 2 * 5 + 5 * 2 + 2);
    mlp.dispose();
    expect(() => new MLP({ sizes: [3] })).toThrow(OptionError);
    expect(() => new MLP({ sizes: [3, 2], dropout: 1 })).toThrow(OptionError);
  });

  it('learns a small regression in a few hundred Adam steps (gradients reach every layer)', () => {
    const mlp = new MLP({ sizes: [2, 16, 1], activation: 'tanh', seed: 3 });
    const x = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = tf.tensor2d([[0], [1], [1], [0]]);
    const opt = tf.train.adam(0.05);
    const loss = () => tf.mean(tf.square(tf.sub(mlp.apply(x), y))) as tf.Scalar;
    const first = tf.tidy(loss).dataSync()[0];
    for (let i = 0; i < 300; i++) opt.minimize(loss, false, mlp.trainableVariables);
    const last = tf.tidy(loss).dataSync()[0];
    expect(last).toBeLessThan(0.05 * first);
    opt.dispose();
    tf.dispose([x, y]);
    mlp.dispose();
  });
});

describe('norms', () => {
  it('LayerNorm output has zero mean and unit variance over the last axis at init', () => {
    const ln = new LayerNorm({ dim: 4 });
    const y = ln.apply(tf.tensor2d([[1, 2, 3, 4], [10, 0, -10, 5]]));
    const rows = y.arraySync() as number[][];
    for (const r of rows) {
      const m = r.reduce((a, b) => a + b) / 4;
      const v = r.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
      expect(m).toBeCloseTo(0, 5);
      expect(v).toBeCloseTo(1, 3);
    }
    y.dispose();
    ln.dispose();
  });

  it('RMSNorm output has unit root-mean-square at init (hand value: [3, 4] -> [3, 4] / sqrt(12.5))', () => {
    const rms = new RMSNorm({ dim: 2 });
    const y = rms.apply(tf.tensor2d([[3, 4]]));
    const v = y.dataSync();
    expect(v[0]).toBeCloseTo(3 / Math.sqrt(12.5), 5);
    expect(v[1]).toBeCloseTo(4 / Math.sqrt(12.5), 5);
    y.dispose();
    rms.dispose();
  });

  it('GELU matches x * Phi(x) at hand values', () => {
    const y = gelu(tf.tensor1d([-1, 0, 1, 2])).dataSync();
    // Phi(1) = 0.841345, Phi(2) = 0.977250
    expect(y[0]).toBeCloseTo(-1 * (1 - 0.841345), 4);
    expect(y[1]).toBeCloseTo(0, 6);
    expect(y[2]).toBeCloseTo(0.841345, 4);
    expect(y[3]).toBeCloseTo(2 * 0.97725, 4);
  });
});
