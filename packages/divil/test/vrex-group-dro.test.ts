import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupDroStep, vrexPenalty } from '../src/index.js';
import { setupBackend, value } from './helpers.js';

beforeAll(setupBackend);

describe('V-REx penalty', () => {
  it('is 0 when the environment risks are equal', () => {
    const r = [tf.scalar(0.7), tf.scalar(0.7), tf.scalar(0.7)];
    expect(value(vrexPenalty(r))).toBe(0);
    expect(value(vrexPenalty(r, { form: 'variance' }))).toBe(0);
    tf.dispose(r);
  });

  it('(1 - 3)^2 = 4 for the pair form and 1 for the variance form', () => {
    const r = [tf.scalar(1), tf.scalar(3)];
    expect(value(vrexPenalty(r))).toBeCloseTo(4, 6);
    expect(value(vrexPenalty(r, { form: 'variance' }))).toBeCloseTo(1, 6);
    tf.dispose(r);
  });

  it('carries gradient to the risks (unlike the official graph code): d/dR1 (R1 - R2)^2 = 2 (R1 - R2) = -4', () => {
    const [g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => vrexPenalty([a as tf.Scalar, b as tf.Scalar]))([tf.scalar(1), tf.scalar(3)]);
    expect(value(g1)).toBeCloseTo(-4, 5);
    expect(value(g2)).toBeCloseTo(4, 5);
  });

  it('rejects fewer than 2 environments with an OptionError', () => {
    const r = tf.scalar(1);
    expect(() => vrexPenalty([r])).toThrow(OptionError);
    r.dispose();
  });
});

describe('GroupDRO', () => {
  it('weights follow q e^{eta R} / sum (hand values) and the loss is sum q R', () => {
    const q = tf.tensor1d([0.5, 0.5]);
    const r = [tf.scalar(1), tf.scalar(2)];
    const { weights, loss } = groupDroStep(q, r, 1);
    const w = Array.from(weights.dataSync());
    const e1 = Math.exp(1);
    const e2 = Math.exp(2);
    expect(w[0]).toBeCloseTo(e1 / (e1 + e2), 5);
    expect(w[1]).toBeCloseTo(e2 / (e1 + e2), 5);
    expect(value(loss)).toBeCloseTo((e1 + 2 * e2) / (e1 + e2), 5);
    tf.dispose([q, weights, ...r]);
  });
});
