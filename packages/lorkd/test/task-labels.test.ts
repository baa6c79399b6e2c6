import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { checkTaskIds, classOffsets, globalToLocal, localToGlobal, taskIdsFromRows, taskOneHot } from '../src/index.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

describe('task labels', () => {
  it('class offsets are cumulative (MedMNIST classes [9,4,11,8,2,8,7,11,11,2])', () => {
    expect(classOffsets([9, 4, 11, 8, 2, 8, 7, 11, 11, 2])).toEqual([0, 9, 13, 24, 32, 34, 42, 49, 60, 71, 73]);
  });

  it('local labels convert to global ones with the offsets and back', () => {
    const cpt = [3, 2, 4];
    const tasks = [0, 1, 2, 2, 1];
    const local = [2, 0, 3, 1, 1];
    const global = localToGlobal(local, tasks, cpt);
    expect(Array.from(global)).toEqual([2, 3, 8, 6, 4]);
    expect(Array.from(globalToLocal(global, tasks, cpt))).toEqual(local);
    expect(() => localToGlobal([3], [0], cpt)).toThrow(OptionError);
    expect(() => globalToLocal([3], [0], cpt)).toThrow(/y\[0\]: expected a global label of task 0/);
  });

  it('a task id < 0 or >= T throws OptionError', () => {
    expect(() => checkTaskIds([0, 1, 3], 3)).toThrow(OptionError);
    expect(() => taskOneHot([-1], 2)).toThrow(OptionError);
    expect(() => taskOneHot([0.5], 2)).toThrow(OptionError);
  });

  it('task rows that are not one-hot throw OptionError naming the row', () => {
    expect(Array.from(taskIdsFromRows([0, 1, 1, 0], 2))).toEqual([1, 0]);
    expect(() => taskIdsFromRows([0, 1, 0.5, 0.5], 2)).toThrow(OptionError);
    expect(() => taskIdsFromRows([0, 1, 0.5, 0.5], 2)).toThrow(/row 1/);
    expect(() => taskIdsFromRows([1, 1], 2)).toThrow(OptionError);
    expect(taskOneHot([1, 0], 2).arraySync()).toEqual([[0, 1], [1, 0]]);
    void tf;
  });
});
