import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '@paperkit/tensor-core';
import {
  CONFLICT6, DECISION_TRANSFORMER_DEFAULTS, DecisionTransformer, EVALUATE_DEFAULTS, PlanarSuite, TRAIN_DT_DEFAULTS,
  attachDataset, evaluatePolicy, resolveDTConfig, resolveTrainDTOptions, trainDecisionTransformer,
} from '../src/index.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

/** The OptionError a call throws (fails the test when it throws nothing or something else). */
function optionError(fn: () => unknown): OptionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OptionError);
    return error as OptionError;
  }
  throw new Error('expected an OptionError');
}

describe('public option objects (tensor-core defineOptions)', () => {
  it('DecisionTransformer: the spec CPU defaults, and a typed error naming the option and what was expected', () => {
    expect(DECISION_TRANSFORMER_DEFAULTS).toMatchObject({ context: 5, embedDim: 32, layers: 2, heads: 2, dropout: 0, activation: 'relu', conditioning: 'none' });
    expect(resolveDTConfig({ stateDim: 8, actDim: 2 }).ffnDim).toBe(128);
    expect(optionError(() => new DecisionTransformer({ stateDim: 8, actDim: 2, context: 0 })).message).toMatch(/DecisionTransformer\.context.*integer >= 1/);
    expect(optionError(() => new DecisionTransformer({ stateDim: 8 } as never)).message).toMatch(/DecisionTransformer\.actDim/);
    expect(optionError(() => new DecisionTransformer({ stateDim: 8, actDim: 2, conditioning: 'task' as never })).message).toMatch(/DecisionTransformer\.conditioning.*"taskEmbedding"/);
    expect(optionError(() => new DecisionTransformer({ stateDim: 8, actDim: 2, dropout: 1 })).message).toMatch(/DecisionTransformer\.dropout/);
    expect(optionError(() => new DecisionTransformer({ stateDim: 8, actDim: 2, embedDim: 30, heads: 4 })).message).toMatch(/DecisionTransformer\.heads.*divisor/);
    expect(optionError(() => new DecisionTransformer({ stateDim: 8, actDim: 2, embeddim: 16 } as never)).message).toMatch(/DecisionTransformer\.embeddim.*unknown option/);
  });

  it('trainDecisionTransformer: defaults, and bad values rejected before any step', async () => {
    expect(TRAIN_DT_DEFAULTS).toMatchObject({ steps: 1800, batchSize: 32, lr: 1e-3, weightDecay: 0, gradClip: 1, sampling: 'round-robin' });
    expect(optionError(() => resolveTrainDTOptions({ lr: 0 })).message).toMatch(/trainDecisionTransformer\.lr.*> 0/);
    expect(optionError(() => resolveTrainDTOptions({ sampling: 'mixed' as never })).message).toMatch(/trainDecisionTransformer\.sampling/);
    expect(optionError(() => resolveTrainDTOptions({ onLog: 3 as never })).message).toMatch(/trainDecisionTransformer\.onLog.*function/);
    const suite = PlanarSuite.create({ tasks: CONFLICT6.slice(0, 2) });
    const data = suite.dataset({ episodesPerTask: 2, seed: 0 });
    const model = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40, embedDim: 8, layers: 1 });
    await expect(trainDecisionTransformer(model, data, { steps: 1.5 })).rejects.toThrow(/trainDecisionTransformer\.steps/);
    attachDataset(model, data);
    await expect(evaluatePolicy(model, suite, { episodes: 0 })).rejects.toThrow(/evaluatePolicy\.episodes.*integer >= 1/);
    await expect(evaluatePolicy(model, suite, { targetScale: -1 })).rejects.toThrow(/evaluatePolicy\.targetScale/);
    await expect(evaluatePolicy(model, suite, { targetReturn: [1, 2, 3] })).rejects.toThrow(/evaluatePolicy\.targetReturn.*one target per evaluated task/);
    await expect(evaluatePolicy(model, suite, { targetReturn: Number.NaN })).rejects.toThrow(/evaluatePolicy\.targetReturn/);
    expect(EVALUATE_DEFAULTS).toMatchObject({ episodes: 20, targetScale: 1 });
    model.dispose();
  });
});
