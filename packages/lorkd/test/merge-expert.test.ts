import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, createRng, randomNormal } from '@paperkit/tensor-core';
import { addTaskExperts, mergeExpert, switchExpert, taskOneHot } from '../src/index.js';
import { maxAbsDiff, randomizeExperts, setupBackend, smallCnn, smallMlp } from './helpers.js';

beforeAll(setupBackend);

describe('mergeExpert / switchExpert', () => {
  it('merged expert t equals student(x, e_t) (< 1e-5) and has no task input (dense and conv)', () => {
    for (const [base, x] of [
      [smallMlp(5, 6), randomNormal(createRng(1), [4, 5])],
      [smallCnn(6), randomNormal(createRng(2), [4, 8, 8, 2])],
    ] as const) {
      const student = addTaskExperts(base, { numTasks: 3, rank: 2 });
      randomizeExperts(student);
      for (let t = 0; t < 3; t++) {
        const merged = mergeExpert(student, t);
        expect(merged.inputs.length).toBe(1);
        expect(merged.layers.every((l) => !l.getClassName().startsWith('MultiExpert'))).toBe(true);
        const expected = student.predict([x, taskOneHot(new Array(4).fill(t), 3)]) as tf.Tensor;
        expect(maxAbsDiff(merged.predict(x) as tf.Tensor, expected)).toBeLessThan(1e-5);
      }
    }
  });

  it("with classesPerTask, the merged model holds only task t's head and outputs its local logits", () => {
    const student = addTaskExperts(smallMlp(5, 7), { numTasks: 2, rank: 2 });
    randomizeExperts(student);
    const x = randomNormal(createRng(4), [3, 5]);
    const merged = mergeExpert(student, 1, { classesPerTask: [3, 4] });
    const full = student.predict([x, taskOneHot([1, 1, 1], 2)]) as tf.Tensor;
    expect(merged.outputs[0].shape).toEqual([null, 4]);
    expect(maxAbsDiff(merged.predict(x) as tf.Tensor, tf.slice(full, [0, 3], [-1, 4]))).toBeLessThan(1e-5);
  });

  it("switch t -> t' equals merging t', and t -> t' -> t restores the weights (< 1e-5)", () => {
    const student = addTaskExperts(smallMlp(5, 6), { numTasks: 3, rank: 2 });
    randomizeExperts(student);
    const merged = mergeExpert(student, 0, { classesPerTask: [2, 2, 2] });
    const before = merged.getWeights().map((w) => w.clone());
    switchExpert(merged, 0, 2);
    const direct = mergeExpert(student, 2, { classesPerTask: [2, 2, 2] });
    merged.getWeights().forEach((w, i) => expect(maxAbsDiff(w, direct.getWeights()[i])).toBeLessThan(1e-5));
    switchExpert(merged, 2, 0);
    merged.getWeights().forEach((w, i) => expect(maxAbsDiff(w, before[i])).toBeLessThan(1e-5));
  });

  it('a task id outside [0, T) throws OptionError; switching from the wrong expert is refused', () => {
    const student = addTaskExperts(smallMlp(5, 6), { numTasks: 2, rank: 1 });
    expect(() => mergeExpert(student, 2)).toThrow(OptionError);
    expect(() => mergeExpert(student, -1)).toThrow(OptionError);
    const merged = mergeExpert(student, 0);
    expect(() => switchExpert(merged, 1, 0)).toThrow(/currently holds/);
    expect(() => switchExpert(merged, 0, 5)).toThrow(OptionError);
  });
});
