import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, randomNormal } from '@paperkit/tensor-core';
import { addTaskExperts, evaluateTasks, taskOneHot } from '../src/index.js';
import { randomizeExperts, setupBackend, smallMlp } from './helpers.js';

beforeAll(setupBackend);

describe('evaluateTasks', () => {
  it('evaluates every row, including the last partial batch (N = 11, batchSize 4)', async () => {
    const n = 11;
    const x = randomNormal(createRng(1), [n, 5]);
    const task = Array.from({ length: n }, (_, i) => i % 2);
    const y = Array.from({ length: n }, (_, i) => (i * 7) % 2);
    const student = addTaskExperts(smallMlp(5, 4), { numTasks: 2, rank: 1 });
    randomizeExperts(student);
    const result = await evaluateTasks(student, { x, y, task }, { classesPerTask: [2, 2], batchSize: 4 });
    expect(result.count).toBe(n);
    // Reference: one forward pass over all rows, argmax inside each task's block.
    const logits = (student.predict([x, taskOneHot(task, 2)]) as tf.Tensor).arraySync() as number[][];
    let hits = 0;
    const perTask = [0, 0];
    logits.forEach((row, i) => {
      const block = row.slice(task[i] * 2, task[i] * 2 + 2);
      const pred = block[1] > block[0] ? 1 : 0;
      if (pred === y[i]) {
        hits++;
        perTask[task[i]]++;
      }
    });
    expect(result.accuracy).toBeCloseTo(hits / n, 10);
    expect(result.perTask[0]).toBeCloseTo(perTask[0] / 6, 10);
    expect(result.perTask[1]).toBeCloseTo(perTask[1] / 5, 10);
    // Same numbers whatever the batch size.
    const big = await evaluateTasks(student, { x, y, task }, { classesPerTask: [2, 2], batchSize: 256 });
    expect(big.accuracy).toBe(result.accuracy);
  });
});

describe('evaluateTasks without a task id', () => {
  it("predictIn 'all' takes the argmax over every class, so a hit needs the right block", async () => {
    const x = tf.zeros([2, 5]);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 4, kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: 0 }) })] });
    model.layers[0].setWeights([tf.zeros([5, 4]), tf.tensor1d([0, 5, 1, 0])]); // global argmax: class 1 (task 0, local 1)
    const data = { x, y: [1, 0], task: [0, 1] };
    const inBlock = await evaluateTasks(model, data, { classesPerTask: [2, 2] });
    const global = await evaluateTasks(model, data, { classesPerTask: [2, 2], predictIn: 'all' });
    expect(inBlock.perTask).toEqual([1, 1]); // task 1: block [1, 0] -> local 0
    expect(global.perTask).toEqual([1, 0]); // task 1's row predicts a class of task 0
  });
});
