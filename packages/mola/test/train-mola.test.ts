import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '@paperkit/tensor-core';
import {
  SeparateModels, addMoLA, evaluateMoLA, gatePurity, hardParameterSharing, paramMatchedWidth, routingEntropy, sharedLoRA,
  signFlipDomains, trainMoLA, trainSeparateModels,
} from '../src/index.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

function mlp(inDim: number, hidden = 16): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [inDim], units: hidden, activation: 'relu', name: 'h1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: hidden, activation: 'relu', name: 'h2', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.dense({ units: 4, name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
}

const small = { train: 60, val: 30, test: 30 };

describe('trainMoLA', () => {
  it('does not leak tensors: tf.memory().numTensors is flat over many router+TwD steps and evaluations', async () => {
    const data = signFlipDomains({ seed: 1, nPerDomain: small });
    const m = addMoLA(mlp(data.inputDim), { numAdapters: 4, mode: 'router', twd: { weight: 1, temperature: 0.3 } });
    await trainMoLA(m, data.train, { steps: 5, batchSize: 64, validation: data.val, evalEvery: 5 });
    const before = tf.memory().numTensors;
    await trainMoLA(m, data.train, { steps: 40, batchSize: 64, validation: data.val, evalEvery: 10 });
    evaluateMoLA(m, data.test);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
    data.dispose();
  });

  it('restores the best-validation checkpoint: the model ends at the selected step\'s validation accuracy', async () => {
    const data = signFlipDomains({ seed: 2, nPerDomain: small });
    const m = addMoLA(mlp(data.inputDim), { numAdapters: 4, mode: 'grad' });
    const r = await trainMoLA(m, data.train, { steps: 60, batchSize: 64, validation: data.val, evalEvery: 10, optimizer: { name: 'adam', lr: 0.03 } });
    const best = Math.max(...r.history.map((p) => p.valAccuracy!));
    expect(r.selectedValAccuracy).toBe(best);
    expect(r.history.find((p) => p.step === r.selectedStep)!.valAccuracy).toBe(best);
    expect(evaluateMoLA(m, data.val).meanTaskAccuracy).toBeCloseTo(best, 10);
    m.dispose();
    data.dispose();
  });

  it('learns the sign-flipped domains: MoLA-Grad beats chance by far after a short run', async () => {
    const data = signFlipDomains({ seed: 3, nPerDomain: { train: 250, val: 50, test: 100 } });
    const m = addMoLA(mlp(data.inputDim, 24), { numAdapters: 4, mode: 'grad' });
    await trainMoLA(m, data.train, { steps: 150, validation: data.val, evalEvery: 50 });
    expect(evaluateMoLA(m, data.test).meanTaskAccuracy).toBeGreaterThan(0.6);
    m.dispose();
    data.dispose();
  });

  it('rejects bad options with typed errors', async () => {
    const data = signFlipDomains({ seed: 4, nPerDomain: small });
    const m = hardParameterSharing(mlp(data.inputDim), { numTasks: 4 });
    await expect(trainMoLA(m, data.train, { steps: 0 })).rejects.toThrow(OptionError);
    await expect(trainMoLA(m, data.train, { select: 'best-val' })).rejects.toThrow(/validation/);
    await expect(trainMoLA(m, { ...data.train, y: [1, 2] })).rejects.toThrow(/y/);
    m.dispose();
    data.dispose();
  });
});

describe('baselines', () => {
  it('HPS has no adapters; single LoRA one; param-matched width reaches the MoLA-Grad count', () => {
    const hps = hardParameterSharing(mlp(12), { numTasks: 4 });
    expect(hps.adapters()).toHaveLength(0);
    // backbone 12*16+16 + 16*16+16, four heads 4*(16*4+4)
    expect(hps.trainableParameterCount()).toBe(12 * 16 + 16 + 16 * 16 + 16 + 4 * (16 * 4 + 4));
    const lora = sharedLoRA(mlp(12), { numTasks: 4 });
    expect(lora.numAdapters).toBe(1);
    const grad = addMoLA(mlp(12), { numAdapters: 4, mode: 'grad' });
    const target = grad.trainableParameterCount();
    const wide = paramMatchedWidth((w) => mlp(12, w), 4, target, { min: 16, max: 64 });
    expect(wide.params).toBeGreaterThanOrEqual(target);
    const narrower = hardParameterSharing(mlp(12, wide.width - 1), { numTasks: 4 });
    expect(narrower.trainableParameterCount()).toBeLessThan(target);
    [hps, lora, grad, narrower].forEach((m) => m.dispose());
  });

  it('separate models each see only their task and predict by task id', async () => {
    const data = signFlipDomains({ seed: 5, nPerDomain: small });
    const sep = new SeparateModels(() => mlp(data.inputDim), 4);
    const results = await trainSeparateModels(sep, data.train, { steps: 20, batchSize: 64, validation: data.val, evalEvery: 10 });
    expect(results).toHaveLength(4);
    const ev = evaluateMoLA(sep, data.test);
    expect(ev.perTask).toHaveLength(4);
    expect(() => sep.predict(data.test.x)).toThrow(/taskIds/);
    sep.dispose();
    data.dispose();
  });
});

describe('routing diagnostics', () => {
  it('gate purity and routing entropy match hand values', () => {
    // Task 0: argmax 0, 0, 1 -> 2/3; task 1: argmax 1, 1 -> 1; mean 5/6.
    const g = tf.tensor2d([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.3, 0.7], [0.5 - 0.1, 0.5 + 0.1]]);
    expect(gatePurity(g, [0, 0, 0, 1, 1])).toBeCloseTo(5 / 6, 10);
    const h = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    expect(routingEntropy(g)).toBeCloseTo((h(0.9) + h(0.6) + h(0.2) + h(0.3) + h(0.4)) / 5, 5);
    expect(routingEntropy(tf.tensor2d([[1, 0], [0, 1]]))).toBe(0);
    expect(routingEntropy(tf.tensor2d([[0.25, 0.25, 0.25, 0.25]]))).toBeCloseTo(Math.log(4), 6);
  });
});

describe('signFlipDomains', () => {
  it('is seeded, flips the stated number of coordinates (none in domain 0), and shares one labelling', () => {
    const a = signFlipDomains({ seed: 9, domains: 8, flips: 6, nPerDomain: small });
    const b = signFlipDomains({ seed: 9, domains: 8, flips: 6, nPerDomain: small });
    expect(a.inputDim).toBe(16);
    expect(a.flipped[0]).toEqual([]);
    expect(a.flipped.slice(1).every((f) => f.length === 6)).toBe(true);
    expect(Array.from(a.train.y)).toEqual(Array.from(b.train.y));
    expect(Array.from(a.train.x.dataSync().slice(0, 32))).toEqual(Array.from(b.train.x.dataSync().slice(0, 32)));
    expect(() => signFlipDomains({ seed: 0, flips: 9 })).toThrow(/flips/);
    a.dispose();
    b.dispose();
  });
});
