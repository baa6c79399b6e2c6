import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { value } from './scalar-value.js';
import { OptionError, ShapeError } from '../../src/errors.js';
import { softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from '../../src/losses/cross-entropy.js';
import { kdLoss } from '../../src/losses/kd-loss.js';
import { mse } from '../../src/losses/mse.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('kdLoss', () => {
  // p_S = [1/2, 1/2]; tau 1: p_T = [3/4, 1/4], KL = 3/4 ln(3/2) + 1/4 ln(1/2) = 0.130812.
  // tau 2: p_T = softmax([ln 3 / 2, 0]) = [0.633975, 0.366025], 4 * KL = 0.145363.
  it('matches the hand values for z_S = [0, 0], z_T = [ln 3, 0]', () => {
    const zS = tf.tensor2d([[0, 0]]);
    const zT = tf.tensor2d([[Math.log(3), 0]]);
    expect(value(kdLoss(zS, zT))).toBeCloseTo(0.130812, 5);
    expect(value(kdLoss(zS, zT, { temperature: 2 }))).toBeCloseTo(0.145363, 5);
    tf.dispose([zS, zT]);
  });

  it("'batchmean' divides the per-sample sum by B; 'none' returns one value per sample", () => {
    const zS = tf.tensor2d([[0, 0], [0, 0]]);
    const zT = tf.tensor2d([[Math.log(3), 0], [0, 0]]);
    const none = kdLoss(zS, zT, { reduction: 'none' });
    expect(none.shape).toEqual([2]);
    const v = none.dataSync();
    expect(v[0]).toBeCloseTo(0.130812, 5);
    expect(v[1]).toBeCloseTo(0, 6);
    expect(value(kdLoss(zS, zT))).toBeCloseTo(0.130812 / 2, 5);
    tf.dispose([zS, zT, none]);
  });

  it('sends no gradient to the teacher and tau * (p_S - p_T) / B to the student', () => {
    const student = tf.variable(tf.tensor2d([[0, 0]]), true, 'kd_test_student');
    const teacher = tf.variable(tf.tensor2d([[Math.log(3), 0]]), true, 'kd_test_teacher');
    const { value: loss, grads } = tf.variableGrads(() => kdLoss(student, teacher, { temperature: 2 }), [student, teacher]);
    const gT = grads[teacher.name].dataSync();
    expect(Array.from(gT)).toEqual([0, 0]);
    const gS = grads[student.name].dataSync();
    // 2 * ([0.5, 0.5] - [0.633975, 0.366025])
    expect(gS[0]).toBeCloseTo(-0.26795, 4);
    expect(gS[1]).toBeCloseTo(0.26795, 4);
    tf.dispose([loss, ...Object.values(grads), student, teacher]);
  });

  it('rejects mismatched shapes and a non-positive temperature', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([2, 4]);
    expect(() => kdLoss(a, b)).toThrow(ShapeError);
    expect(() => kdLoss(a, a, { temperature: 0 })).toThrow(OptionError);
    tf.dispose([a, b]);
  });
});

describe('cross-entropy', () => {
  it('hand values: uniform logits give ln C; huge logits stay finite (log-sum-exp)', () => {
    const logits = tf.tensor2d([[0, 0], [1000, 0]]);
    const labels = tf.tensor1d([0, 1], 'int32');
    // (ln 2 + 1000) / 2
    expect(value(sparseSoftmaxCrossEntropy(labels, logits))).toBeCloseTo((Math.LN2 + 1000) / 2, 3);
    const oneHot = tf.tensor2d([[1, 0], [0, 1]]);
    expect(value(softmaxCrossEntropy(oneHot, logits))).toBeCloseTo((Math.LN2 + 1000) / 2, 3);
    tf.dispose([logits, labels, oneHot]);
  });

  it('sparse and one-hot forms agree on random logits', () => {
    const logits = tf.randomNormal([6, 4], 0, 2, 'float32', 1);
    const labels = tf.tensor1d([0, 3, 2, 1, 1, 0], 'int32');
    const oneHot = tf.oneHot(labels, 4, 1, 0, 'float32');
    expect(value(sparseSoftmaxCrossEntropy(labels, logits))).toBeCloseTo(value(softmaxCrossEntropy(oneHot, logits)), 6);
    tf.dispose([logits, labels, oneHot]);
  });

  it('names the offending tensor on shape mismatch', () => {
    const logits = tf.zeros([3, 4]);
    const labels = tf.zeros([2], 'int32');
    expect(() => sparseSoftmaxCrossEntropy(labels, logits)).toThrow(/labels/);
    tf.dispose([logits, labels]);
  });
});

describe('mse', () => {
  it('is the mean squared difference (hand value 13/3) and rejects different shapes', () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([1, 0, 6]);
    expect(value(mse(a, b))).toBeCloseTo(13 / 3, 6);
    const c = tf.zeros([3, 1]);
    expect(() => mse(a, c)).toThrow(ShapeError);
    tf.dispose([a, b, c]);
  });
});
