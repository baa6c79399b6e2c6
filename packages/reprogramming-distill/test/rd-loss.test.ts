import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, createRng, kdLoss, linearCKA, randomNormal, softmaxCrossEntropy } from '@paperkit/tensor-core';
import { alignmentLoss, coTrainedKL, rdLoss, scheduledWeight } from '../src/index.js';
import { checkSchedule } from '../src/weight-schedule.js';
import { scalar, setupBackend } from './helpers.js';

beforeAll(setupBackend);

describe('weight schedule (spec section 2)', () => {
  it('a_s = b_s = 1 - s/S for [1, 0]; a number is constant; bad schedules are refused', () => {
    expect(scheduledWeight([1, 0], 0, 600)).toBe(1);
    expect(scheduledWeight([1, 0], 150, 600)).toBeCloseTo(0.75, 12);
    expect(scheduledWeight([1, 0], 599, 600)).toBeCloseTo(1 / 600, 12);
    expect(scheduledWeight(0.3, 599, 600)).toBe(0.3);
    expect(() => checkSchedule('w', -1)).toThrow(/option w/);
    expect(() => checkSchedule('w', [1])).toThrow(/linear decay/);
  });
});

describe('coTrainedKL', () => {
  it('equals Hinton KD (tensor-core kdLoss) in value, hand value z_S=[0,0], z_T=[ln 3,0], tau 2 -> 0.145363', () => {
    const zs = tf.tensor2d([[0, 0]]);
    const zt = tf.tensor2d([[Math.log(3), 0]]);
    expect(scalar(coTrainedKL(zt, zs, 2))).toBeCloseTo(0.145363, 5);
    const rng = createRng(1);
    tf.tidy(() => {
      const a = randomNormal(rng, [7, 3]);
      const b = randomNormal(rng, [7, 3]);
      expect(coTrainedKL(a, b, 4).dataSync()[0]).toBeCloseTo(kdLoss(b, a, { temperature: 4 }).dataSync()[0], 5);
    });
    tf.dispose([zs, zt]);
  });

  it('co-training: the KL gradient reaches the reprogrammed teacher logits (kdLoss blocks them)', () => {
    const rng = createRng(2);
    const zs = randomNormal(rng, [5, 3]);
    const zt = randomNormal(rng, [5, 3]);
    const coGrad = tf.grad((t: tf.Tensor) => coTrainedKL(t, zs, 4))(zt);
    const kdGrad = tf.grad((t: tf.Tensor) => kdLoss(zs, t, { temperature: 4 }))(zt);
    expect(scalar(tf.sum(tf.abs(coGrad)))).toBeGreaterThan(1e-3);
    expect(scalar(tf.sum(tf.abs(kdGrad)))).toBe(0);
    tf.dispose([zs, zt, coGrad, kdGrad]);
  });
});

describe('rdLoss', () => {
  it('total = CE_S + a CE_T + b KL + lam (1 - CKA), each term matching its formula', () => {
    const rng = createRng(3);
    tf.tidy(() => {
      const labels = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
      const zs = randomNormal(rng, [6, 3]);
      const zt = randomNormal(rng, [6, 3]);
      const hs = randomNormal(rng, [6, 4]);
      const hr = randomNormal(rng, [6, 4]);
      const weights = { teacherCe: 0.7, kl: 0.4, align: 1.3 };
      const terms = rdLoss({ studentLogits: zs, teacherLogits: zt, studentFeatures: hs, teacherFeatures: hr, labels, weights, temperature: 4 });
      const ceS = softmaxCrossEntropy(labels, zs).dataSync()[0];
      const ceT = softmaxCrossEntropy(labels, zt).dataSync()[0];
      const kl = kdLoss(zs, zt, { temperature: 4 }).dataSync()[0];
      const cka = linearCKA(hr, hs).dataSync()[0];
      expect(terms.studentCe.dataSync()[0]).toBeCloseTo(ceS, 5);
      expect(terms.kl.dataSync()[0]).toBeCloseTo(kl, 5);
      expect(terms.align.dataSync()[0]).toBeCloseTo(1 - cka, 5);
      expect(terms.total.dataSync()[0]).toBeCloseTo(ceS + 0.7 * ceT + 0.4 * kl + 1.3 * (1 - cka), 4);
      const mse = rdLoss({ studentLogits: zs, teacherLogits: zt, studentFeatures: hs, teacherFeatures: hr, labels, weights, alignment: { measure: 'mse' } });
      expect(mse.align.dataSync()[0]).toBeCloseTo(tf.mean(tf.squaredDifference(hr, hs)).dataSync()[0], 5);
    });
  });

  it('without co-training no gradient reaches the reprogrammed side; with it both sides get one', () => {
    const rng = createRng(4);
    const labels = tf.tensor2d([[1, 0], [0, 1], [1, 0], [0, 1]]);
    const hs = randomNormal(rng, [4, 3]);
    const hr = randomNormal(rng, [4, 3]);
    const w = randomNormal(rng, [3, 2]);
    const loss = (r: tf.Tensor, coTrain: boolean) =>
      rdLoss({ studentLogits: tf.matMul(hs, w), teacherLogits: tf.matMul(r, w), studentFeatures: hs, teacherFeatures: r, labels, weights: { teacherCe: 0, kl: 1, align: 1 }, coTrain }).total;
    const gCo = tf.grad((r: tf.Tensor) => loss(r, true))(hr);
    const gTwoStage = tf.grad((r: tf.Tensor) => loss(r, false))(hr);
    expect(scalar(tf.sum(tf.abs(gCo)))).toBeGreaterThan(1e-4);
    expect(scalar(tf.sum(tf.abs(gTwoStage)))).toBe(0);
    tf.dispose([labels, hs, hr, w, gCo, gTwoStage]);
  });

  it('names both shapes when R(h_T) and h_S widths differ', () => {
    tf.tidy(() => {
      const labels = tf.tensor2d([[1, 0], [0, 1], [1, 0]]);
      const z = tf.zeros([3, 2]);
      expect(() => rdLoss({ studentLogits: z, teacherLogits: z, studentFeatures: tf.ones([3, 5]), teacherFeatures: tf.ones([3, 4]), labels, weights: { teacherCe: 1, kl: 1, align: 1 } }))
        .toThrow(/R\(h_T\).*\[B, 5\].*\[3, 5\].*got \[3, 4\]/);
      expect(() => alignmentLoss(tf.ones([3, 2]), tf.ones([3, 2]), { kernel: 'poly' as never })).toThrow(/loss\.cka\.kernel/);
    });
  });
});
