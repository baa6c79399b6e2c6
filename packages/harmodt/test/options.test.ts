import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '@paperkit/tensor-core';
import { GHARMODT_DEFAULTS, GHarmoDT, HARMODT_DEFAULTS, HARMODT_PAPER_VALUES, HarmoDT, resolveHarmoDTOptions } from '../src/index.js';
import { setupBackend, small, smallData } from './helpers.js';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OptionError);
    return (error as Error).message;
  }
  throw new Error('expected an OptionError');
}

beforeAll(setupBackend);

describe('HarmoDT / G-HarmoDT options (tensor-core defineOptions)', () => {
  it('CPU defaults of spec §5/§6 beside the official values', () => {
    expect(HARMODT_DEFAULTS).toMatchObject({ embedDim: 32, layers: 2, heads: 2, context: 5, lr: 1e-3, batchSize: 32, gradClip: 1, sparsity: 0.2, maskInterval: 25, changeMax: 0.005, gamma: 10, importance: 'fisher', revive: 'unmasked' });
    expect(HARMODT_PAPER_VALUES).toMatchObject({ embedDim: 256, layers: 6, heads: 8, context: 20, lr: 1e-4, batchSize: 8, gradClip: 0.25, maskInterval: 500, changeMax: 100 });
    expect(GHARMODT_DEFAULTS).toMatchObject({ clusterFraction: 0.1, clusterThreshold: 0.3, gateHidden: 64, gateSteps: 300 });
    expect(resolveHarmoDTOptions({ stateDim: 8, actDim: 2, numTasks: 3 }).ffnDim).toBe(128);
  });

  it('a typed OptionError naming the option and what was expected', () => {
    expect(message(() => new HarmoDT({ ...small, sparsity: 1 }))).toMatch(/HarmoDT\.sparsity.*< 1/);
    expect(message(() => new HarmoDT({ ...small, changeMax: 2.5 }))).toMatch(/HarmoDT\.changeMax.*fraction in \[0, 1\).*integer count/);
    expect(message(() => new HarmoDT({ ...small, importance: 'random' as never }))).toMatch(/HarmoDT\.importance.*"fisher"/);
    expect(message(() => new HarmoDT({ ...small, maskInterval: 0 }))).toMatch(/HarmoDT\.maskInterval/);
    expect(message(() => new HarmoDT({ ...small, numTasks: undefined } as never))).toMatch(/HarmoDT\.numTasks/);
    expect(message(() => new HarmoDT({ ...small, steps: 10 } as never))).toMatch(/HarmoDT\.steps.*unknown option/);
    expect(message(() => new GHarmoDT({ ...small, clusterFraction: 1 }))).toMatch(/GHarmoDT\.clusterFraction/);
    expect(message(() => new GHarmoDT({ ...small, groups: 9 }))).toMatch(/GHarmoDT\.groups/);
    expect(message(() => new GHarmoDT({ ...small, conditioning: 'prompt' }))).toMatch(/GHarmoDT\.conditioning.*infers the task/);
  });

  it('fit options are checked before training', async () => {
    const model = new HarmoDT(small);
    await expect(model.fit(smallData, { steps: 0 })).rejects.toThrow(/HarmoDT\.fit\.steps/);
    await expect(model.fit(smallData, { steps: 2, syncEvery: -1 })).rejects.toThrow(/HarmoDT\.fit\.syncEvery/);
    model.dispose();
  });
});
