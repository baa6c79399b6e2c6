import { describe, expect, it } from 'vitest';
import { FormatError, OptionError, ShapeError, createRng } from '@paperkit/tensor-core';
import { MultiTaskDataset, conditioningReturns, returnToGo } from '../src/index.js';

describe('return-to-go (S1)', () => {
  it('RTG of rewards [1, 2, 3] is [6, 5, 3]', () => {
    expect(Array.from(returnToGo([1, 2, 3]))).toEqual([6, 5, 3]);
  });
  it('at inference, target 10 and rewards 1, 2 give conditioning 10, 9, 7 (divided by the scale)', () => {
    expect(Array.from(conditioningReturns(10, [1, 2]))).toEqual([10, 9, 7]);
    expect(Array.from(conditioningReturns(10, [1, 2], 10))).toEqual([1, 0.9, 0.7].map(Math.fround));
  });
});

const d4rl = () => ({
  a: {
    observations: [[0, 1], [1, 1], [2, 1], [3, 1], [4, 1]],
    actions: [[0.1], [0.2], [0.3], [0.4], [0.5]],
    rewards: [1, 2, 3, 4, 5],
    terminals: [0, 1, 0, 0, 0],
    timeouts: [0, 0, 0, 1, 0],
  },
  b: { observations: new Float32Array([9, 9, 7, 7]), actions: [1, 2], rewards: [1, 1] },
});

describe('MultiTaskDataset', () => {
  it('fromD4RL splits episodes after terminal and timeout steps (and keeps the trailing one)', () => {
    const data = MultiTaskDataset.fromD4RL(d4rl());
    expect(data.taskNames).toEqual(['a', 'b']);
    expect(data.episodes[0].map((e) => e.length)).toEqual([2, 2, 1]);
    expect(Array.from(data.episodes[0][0].returnsToGo)).toEqual([3, 2]);
    expect(Array.from(data.episodes[0][1].returnsToGo)).toEqual([7, 4]);
    expect(data.episodes[1].length).toBe(1);
    expect(data.stateDim).toBe(2);
    expect(data.actDim).toBe(1);
  });

  it('normalises states per task with that task\'s mean and std (constant features get std 1)', () => {
    const data = MultiTaskDataset.fromD4RL(d4rl());
    const n = data.normalization;
    expect(n.stateMean[0]).toEqual([2, 1]);
    expect(n.stateStd[0][0]).toBeCloseTo(Math.sqrt(2), 6);
    expect(n.stateStd[0][1]).toBe(1);
    expect(n.stateMean[1]).toEqual([8, 8]);
    expect(data.episodes[0][0].normalizedStates[0]).toBeCloseTo(-2 / Math.sqrt(2), 5);
    expect(n.rtgScale).toBe(7);
    expect(n.targetReturns).toEqual([7, 2]);
  });

  it('windows are left-padded and end at the sampled step; RTG is divided by the scale', () => {
    const data = MultiTaskDataset.fromTrajectories([{ task: 'x', observations: [[1], [2], [3]], actions: [[0], [0], [0]], rewards: [1, 2, 3] }], { normalize: 'none', rtgScale: 2 });
    const w = data.sampleWindows(0, 64, 4, createRng(0));
    for (let b = 0; b < w.size; b++) {
      const mask = Array.from(w.mask.subarray(b * 4, b * 4 + 4));
      const firstReal = mask.indexOf(1);
      expect(mask.slice(firstReal).every((m) => m === 1)).toBe(true);
      expect(mask[3]).toBe(1);
      const t = w.timesteps[b * 4 + 3];
      expect(w.states[b * 4 + 3]).toBe(t + 1);
      expect(w.returnsToGo[b * 4 + 3]).toBeCloseTo([6, 5, 3][t] / 2, 6);
    }
  });

  it('throws clear errors on mismatched lengths, NaN/Inf, empty tasks and stateDim mismatch', () => {
    const bad = d4rl();
    bad.a.actions = bad.a.actions.slice(0, 4);
    expect(() => MultiTaskDataset.fromD4RL(bad)).toThrow(ShapeError);
    expect(() => MultiTaskDataset.fromD4RL(bad)).toThrow(/fromD4RL a\.actions/);
    const nan = d4rl();
    nan.a.observations[2][1] = Number.NaN;
    expect(() => MultiTaskDataset.fromD4RL(nan)).toThrow(FormatError);
    expect(() => MultiTaskDataset.fromD4RL(nan)).toThrow(/row 2/);
    const inf = d4rl();
    inf.b.rewards = [1, Number.POSITIVE_INFINITY];
    expect(() => MultiTaskDataset.fromD4RL(inf)).toThrow(/non-finite/);
    expect(() => MultiTaskDataset.fromD4RL({ a: { observations: [], actions: [], rewards: [] } })).toThrow(/empty task/);
    expect(() => MultiTaskDataset.fromD4RL(d4rl(), { stateDim: 3 })).toThrow(ShapeError);
    expect(() => MultiTaskDataset.fromTrajectories([])).toThrow(OptionError);
    expect(() =>
      MultiTaskDataset.fromTrajectories([{ task: 'x', observations: [[1]], actions: [[0]], rewards: [1] }], { taskNames: ['x', 'y'] }),
    ).toThrow(/empty task/);
  });

  it('select keeps a task\'s normalisation and renumbers ids', () => {
    const data = MultiTaskDataset.fromD4RL(d4rl());
    const b = data.select(['b']);
    expect(b.taskNames).toEqual(['b']);
    expect(b.normalization.stateMean[0]).toEqual([8, 8]);
    expect(b.episodes[0][0].task).toBe(0);
  });
});
