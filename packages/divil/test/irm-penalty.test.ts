import * as tf from '@tensorflow/tfjs';
import { createRng } from '@paperkit/tensor-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { irmPenalty, irmPenaltyOverEnvs, irmScaleGradient, taskRisk } from '../src/index.js';
import { setupBackend, value } from './helpers.js';

beforeAll(setupBackend);

/** dR(s z)/ds at s = 1 by autodiff. */
function autodiffScaleGradient(z: tf.Tensor, y: tf.Tensor): number {
  const g = tf.grad((s: tf.Tensor) => taskRisk(tf.mul(z, s), y))(tf.scalar(1));
  return value(g);
}

describe('IRMv1 penalty', () => {
  const rng = createRng(3);

  it('closed-form BCE scale gradient equals the autodiff dR(s z)/ds at s = 1 (|diff| < 1e-5)', () => {
    const z = tf.tensor2d(rng.normalArray(64, 0, 2), [64, 1]);
    const y = tf.tensor2d(Float32Array.from({ length: 64 }, () => (rng.bernoulli(0.5) ? 1 : 0)), [64, 1]);
    expect(Math.abs(value(irmScaleGradient(z, y)) - autodiffScaleGradient(z, y))).toBeLessThan(1e-5);
    tf.dispose([z, y]);
  });

  it('closed-form softmax scale gradient equals autodiff, for one-hot and for class-id labels', () => {
    const z = tf.tensor2d(rng.normalArray(50 * 4, 0, 2), [50, 4]);
    const ids = tf.tensor1d(Int32Array.from({ length: 50 }, () => rng.int(4)), 'int32');
    const oneHot = tf.oneHot(ids, 4).toFloat();
    const auto = autodiffScaleGradient(z, oneHot);
    expect(Math.abs(value(irmScaleGradient(z, oneHot)) - auto)).toBeLessThan(1e-5);
    expect(Math.abs(value(irmScaleGradient(z, ids)) - auto)).toBeLessThan(1e-5);
    tf.dispose([z, ids, oneHot]);
  });

  it('is ~0 (< 1e-3) for calibrated logits z = logit P(y|x) on data drawn from P, and clearly > 0 for doubled logits', () => {
    const n = 200_000;
    const a = rng.normalArray(n, 0, 1.5);
    const y = Float32Array.from(a, (ai) => (rng.next() < 1 / (1 + Math.exp(-ai)) ? 1 : 0));
    const z = tf.tensor1d(a);
    const labels = tf.tensor1d(y);
    const calibrated = value(irmPenalty(z, labels));
    const doubled = tf.mul(z, 2);
    const over = value(irmPenalty(doubled, labels));
    expect(calibrated).toBeLessThan(1e-3);
    expect(over).toBeGreaterThan(0.05);
    tf.dispose([z, labels, doubled]);
  });

  it('unbiased form equals the squared form when rows 2i and 2i+1 are identical', () => {
    const base = rng.normalArray(30, 0, 2);
    const lab = Float32Array.from({ length: 30 }, () => (rng.bernoulli(0.4) ? 1 : 0));
    const z = tf.tensor1d(Float32Array.from({ length: 60 }, (_, i) => base[i >> 1]));
    const y = tf.tensor1d(Float32Array.from({ length: 60 }, (_, i) => lab[i >> 1]));
    expect(value(irmPenalty(z, y, { unbiased: true }))).toBeCloseTo(value(irmPenalty(z, y)), 6);
    tf.dispose([z, y]);
  });

  it('passes gradient to the logits (the penalty trains the model)', () => {
    const z = tf.tensor2d([[2], [-1], [0.5], [3]]);
    const y = tf.tensor2d([[1], [1], [0], [0]]);
    const g = tf.grad((zz: tf.Tensor) => irmPenalty(zz, y))(z);
    expect(value(tf.sum(tf.abs(g)))).toBeGreaterThan(1e-3);
    tf.dispose([z, y, g]);
  });

  it('averages over environments and rejects label/logit shape mismatches with a ShapeError', () => {
    const z1 = tf.tensor1d([1, -1]);
    const z2 = tf.tensor1d([2, 0]);
    const y = tf.tensor1d([1, 0]);
    const mean = value(irmPenaltyOverEnvs([z1, z2], [y, y]));
    expect(mean).toBeCloseTo((value(irmPenalty(z1, y)) + value(irmPenalty(z2, y))) / 2, 6);
    const bad = tf.tensor1d([1, 0, 1]);
    expect(() => irmPenalty(z1, bad)).toThrow(/labels: expected shape \[2/);
    tf.dispose([z1, z2, y, bad]);
  });
});
