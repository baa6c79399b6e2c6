import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@paperkit/tensor-core';
import { TINY_LLAMA_CONFIG } from '../../src/llama/llama-config.js';
import { MixtralModel } from '../../src/mixtral-forward.js';
import { mixtralConfig, mixtralTensorPlan } from '../../src/mixtral-layout.js';
import { generateDomain } from '../../src/reproduce/data.js';
import { CURVE_FRACTIONS, curveMetrics, fineTuneCurve, stepsToReach, type CurvePoint } from '../../src/reproduce/fine-tune.js';
import { trainLM } from '../../src/reproduce/train.js';
import { createRng } from '@paperkit/tensor-core';

beforeAll(async () => {
  await initBackend({ quiet: true });
});

function tinyMoE(): MixtralModel {
  const rng = createRng(5);
  const plan = mixtralTensorPlan(TINY_LLAMA_CONFIG, 3);
  const tensors = new Map(plan.map((t) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    return [t.name, { shape: t.shape, data: t.name.includes('norm') ? new Float32Array(n).fill(1) : rng.normalArray(n, 0, 0.2) }];
  }));
  return new MixtralModel(mixtralConfig(TINY_LLAMA_CONFIG, 3, 2, 'float32'), tensors, 'test', { trainable: true });
}

const point = (step: number, nll: number): CurvePoint => ({ step, metrics: { nll } });

describe('MoE fine-tuning stage', () => {
  it('steps to reach a target interpolates linearly between measured points (hand values)', () => {
    const curve = [point(0, 2), point(20, 1.5), point(40, 1.0), point(60, 0.9)];
    expect(stepsToReach(curve, 1.25)).toBeCloseTo(30, 9); // halfway between 1.5 @20 and 1.0 @40
    expect(stepsToReach(curve, 2.5)).toBe(0);
    expect(stepsToReach(curve, 0.5)).toBeUndefined();
  });

  it('router-only fine-tuning changes the gate rows only, and the loss of full fine-tuning falls', async () => {
    const m = tinyMoE();
    const pool = generateDomain('general', 64, 'ft-test');
    const before = m.variables.map((v) => Float32Array.from(v.dataSync()));
    const gateIds = new Set(m.routerVariables.map((v) => v.id));
    expect(gateIds.size).toBe(TINY_LLAMA_CONFIG.num_hidden_layers);
    await trainLM(m, pool, { steps: 3, variables: m.routerVariables, optimizer: 1e-2, batch: 8, vocab: 32, rng: 'r' });
    m.variables.forEach((v, i) => {
      const changed = v.dataSync().some((x, j) => x !== before[i][j]);
      expect(changed).toBe(gateIds.has(v.id));
    });
    const test = [tf.tensor2d(generateDomain('math', 16, 'held'), [16, 24], 'int32')];
    const curve = await fineTuneCurve(m, m.variables, pool, test, { steps: 8, lr: 1e-2, batch: 8, vocab: 32, batchSeed: 'b', evalFrom: 8 });
    expect(curve.map((p) => p.step)).toEqual(CURVE_FRACTIONS.map((f) => Math.round(f * 8)));
    expect(curve[curve.length - 1].metrics.nll).toBeLessThan(curve[0].metrics.nll);
    tf.dispose(test);
    m.dispose();
  });

  it('leaks no tensors over many fine-tuning steps', async () => {
    const m = tinyMoE();
    const pool = generateDomain('general', 64, 'ft-leak');
    await trainLM(m, pool, { steps: 2, variables: m.variables, optimizer: 1e-3, batch: 8, vocab: 32, rng: 'w' });
    const before = tf.memory().numTensors;
    await trainLM(m, pool, { steps: 10, variables: m.variables, optimizer: 1e-3, batch: 8, vocab: 32, rng: 'x' });
    await trainLM(m, pool, { steps: 10, variables: m.routerVariables, optimizer: 1e-3, batch: 8, vocab: 32, rng: 'y' });
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('table metrics: mean and per-domain NLL at 0/25/50/100%', () => {
    const curve = CURVE_FRACTIONS.map((f, i) => ({ step: f * 8, metrics: { nll: 2 - i * 0.1, nll_math: 1 - i * 0.1 } }));
    const m = curveMetrics(curve, ['math']);
    expect(m['nll@0%']).toBe(2);
    expect(m['nll@50%']).toBeCloseTo(1.8, 9);
    expect(m['nll@100%']).toBeCloseTo(2 - 0.1 * (CURVE_FRACTIONS.length - 1), 9);
    expect(m['math@25%']).toBeCloseTo(0.9, 9);
  });
});
