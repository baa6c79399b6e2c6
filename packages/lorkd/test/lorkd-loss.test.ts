import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { kdLoss } from '@paperkit/tensor-core';
import { classBlockMatrix, lorkdLoss, restrictToTaskBlock, taskOneHot } from '../src/index.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

describe('LoRKD loss', () => {
  it('KD hand values: z_S = [0, 0], z_T = [ln 3, 0] give 0.130812 (tau 1) and 0.145363 (tau 2)', () => {
    const zs = tf.tensor2d([[0, 0]]);
    const zt = tf.tensor2d([[Math.log(3), 0]]);
    expect(kdLoss(zs, zt, { temperature: 1 }).dataSync()[0]).toBeCloseTo(0.130812, 5);
    expect(kdLoss(zs, zt, { temperature: 2 }).dataSync()[0]).toBeCloseTo(0.145363, 5);
    // Inside lorkdLoss (one task of 2 classes, so the block restriction is the identity).
    const mask = tf.ones([1, 2]);
    for (const [tau, value] of [[1, 0.130812], [2, 0.145363]] as const) {
      const terms = lorkdLoss({ logits: zs, labels: tf.tensor1d([0], 'int32'), blockMask: mask, teacherLogits: zt, kdWeight: 1, temperature: tau });
      expect(terms.kd!.dataSync()[0]).toBeCloseTo(value, 5);
      expect(terms.total.dataSync()[0]).toBeCloseTo(Math.log(2) + value, 5);
    }
  });

  it("the task term is CE of head_t alone with the local label (class blocks of [2, 3])", () => {
    const logits = tf.tensor2d([[1, 2, 5, 5, 5], [9, 9, 0.5, -1, 2]]);
    const labels = tf.tensor1d([1, 2 + 2], 'int32'); // task 0 local 1; task 1 local 2 (global 4)
    const mask = tf.matMul(taskOneHot([0, 1], 2), classBlockMatrix([2, 3]));
    const { task } = lorkdLoss({ logits, labels, blockMask: mask });
    const ce = (z: number[], y: number) => -(z[y] - Math.log(z.reduce((a, v) => a + Math.exp(v), 0)));
    expect(task.dataSync()[0]).toBeCloseTo((ce([1, 2], 1) + ce([0.5, -1, 2], 2)) / 2, 5);
  });

  it("teacher logits are restricted to the sample's class block before KD", () => {
    const mask = tf.matMul(taskOneHot([1], 2), classBlockMatrix([2, 2]));
    const student = tf.tensor2d([[0, 0, 0, 0]]);
    const teacher = tf.tensor2d([[50, 50, Math.log(3), 0]]); // the other task's block is huge and must not matter
    const terms = lorkdLoss({ logits: student, labels: tf.tensor1d([2], 'int32'), blockMask: mask, teacherLogits: teacher, kdWeight: 1, temperature: 1 });
    expect(terms.kd!.dataSync()[0]).toBeCloseTo(0.130812, 5);
    const restricted = restrictToTaskBlock(teacher, mask).dataSync();
    expect(restricted[0]).toBeLessThan(-1e8);
  });
});

describe('global head term', () => {
  it('globalWeight adds lambda_g times the CE over all classes', () => {
    const logits = tf.tensor2d([[1, 2, 0, 3]]);
    const labels = tf.tensor1d([1], 'int32');
    const mask = tf.matMul(taskOneHot([0], 2), classBlockMatrix([2, 2]));
    const base = lorkdLoss({ logits, labels, blockMask: mask }).total.dataSync()[0];
    const withGlobal = lorkdLoss({ logits, labels, blockMask: mask, globalWeight: 0.5 }).total.dataSync()[0];
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0) + Math.exp(3));
    expect(withGlobal - base).toBeCloseTo(0.5 * (lse - 2), 5);
  });
});
