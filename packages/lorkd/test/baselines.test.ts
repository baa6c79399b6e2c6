import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, randomNormal } from '@paperkit/tensor-core';
import { addSharedLoRA, addTaskExperts, evaluateTasks, loopForward, taskOneHot, trainMTL, trainSTL } from '../src/index.js';
import { timeTrainingStep } from '../src/baselines/loop-separation.js';
import { maxAbsDiff, randomizeExperts, setupBackend, smallCnn, smallMlp } from './helpers.js';

beforeAll(setupBackend);

describe('baselines', () => {
  it('the per-task loop forward equals the EKS forward (dense and conv)', () => {
    for (const [base, x] of [
      [smallMlp(5, 6), randomNormal(createRng(1), [7, 5])],
      [smallCnn(6), randomNormal(createRng(2), [7, 8, 8, 2])],
    ] as const) {
      const student = addTaskExperts(base, { numTasks: 3, rank: 2 });
      randomizeExperts(student);
      const ids = Int32Array.from([2, 0, 1, 1, 0, 2, 2]);
      const eks = student.predict([x, taskOneHot(ids, 3)]) as tf.Tensor;
      expect(maxAbsDiff(loopForward(student, x, ids, 3), eks)).toBeLessThan(1e-5);
    }
  });

  it('EKS and loop training steps both run and report milliseconds per step', async () => {
    const n = 64;
    const x = randomNormal(createRng(3), [n, 5]);
    const task = Array.from({ length: n }, (_, i) => i % 2);
    const y = Array.from({ length: n }, (_, i) => i % 3 === 0 ? 1 : 0);
    const student = addTaskExperts(smallMlp(5, 4), { numTasks: 2, rank: 1 });
    for (const mode of ['eks', 'loop'] as const) {
      const r = await timeTrainingStep({ student, data: { x, y, task }, classesPerTask: [2, 2], mode, steps: 3, warmup: 1, batchSize: 16, kdWeight: 0 });
      expect(r.msPerStep).toBeGreaterThan(0);
    }
  });

  it('MTL trains a plain model, STL one model per task, shared LoRA has a single expert', async () => {
    const n = 40;
    const x = randomNormal(createRng(4), [n, 5]);
    const task = Array.from({ length: n }, (_, i) => i % 2);
    const y = Array.from({ length: n }, (_, i) => (i >> 1) % 2);
    const data = { x, y, task };
    const mtl = smallMlp(5, 4);
    const r = await trainMTL({ model: mtl, data, classesPerTask: [2, 2], epochs: 2, batchSize: 8 });
    expect(r.steps).toBe(10);
    const stl = await trainSTL({ makeModel: (t, c) => smallMlp(5, c, t), data, classesPerTask: [2, 2], steps: 4, batchSize: 8 });
    expect(stl.map((m) => m.outputs[0].shape[1])).toEqual([2, 2]);
    expect((await evaluateTasks(stl, data, { classesPerTask: [2, 2] })).count).toBe(n);
    const shared = addSharedLoRA(smallMlp(5, 4), { rank: 1 });
    expect(shared.inputs[1].shape).toEqual([null, 1]);
    await trainMTL({ model: shared, data, classesPerTask: [2, 2], epochs: 1, batchSize: 8 });
  });
});
