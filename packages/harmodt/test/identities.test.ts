import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '@paperkit/tensor-core';
import { DecisionTransformer, trainDecisionTransformer } from '@paperkit/offline-rl';
import { HarmoDT, changeCount, erkDensities, erkMask, harmonyMaskUpdate, removalScores } from '../src/index.js';
import { setupBackend, small, smallDT, smallData } from './helpers.js';

beforeAll(setupBackend);

const weightsOf = async (vars: tf.Variable[]) => Promise.all(vars.map(async (v) => Array.from((await v.data()) as Float32Array)));

describe('HarmoDT identities (harmodt.md section 7)', () => {
  it('with all-ones masks and no outer step, 20 steps give bit-identical losses and parameters to MT-DT (same seed)', async () => {
    const opts = { lr: 1e-3, weightDecay: 1e-4, gradClip: 1, seed: 5 };
    const harmo = new HarmoDT({ ...small, ...opts, maskUpdate: false });
    harmo.loadMasks({ ...harmo.masks(), masks: harmo.masks().masks.map((m) => m.fill(1)) });
    const mt = new DecisionTransformer({ ...smallDT, conditioning: 'none', seed: 5 });
    // Same initial weights: the DT inside HarmoDT is built from the same seed and options.
    const [a0, b0] = [await weightsOf(harmo.dt.variables), await weightsOf(mt.variables)];
    expect(a0).toEqual(b0);
    const h = await harmo.fit(smallData, { steps: 20 });
    const m = await trainDecisionTransformer(mt, smallData, { steps: 20, batchSize: small.batchSize, ...opts });
    expect(Array.from(h.losses)).toEqual(Array.from(m.losses));
    expect(await weightsOf(harmo.dt.variables)).toEqual(await weightsOf(mt.variables));
    harmo.dispose();
    mt.dispose();
  });

  it('coordinates with m_i = 0 are bitwise unchanged after a task-i step, under Adam and weight decay', async () => {
    const model = new HarmoDT({ ...small, weightDecay: 0.1, lr: 1e-2, sparsity: 0.5, maskUpdate: false });
    const opt = tf.train.adam(1e-2);
    const { makeOptimizer } = await import('@paperkit/tensor-core');
    const adamw = makeOptimizer({ name: 'adamw', lr: 1e-2, weightDecay: 0.1 });
    const mask = model.masks().masks[2];
    for (const optimizer of [adamw, opt]) {
      // Warm the moments with steps of other tasks, so Adam momentum is non-zero everywhere.
      for (const t of [0, 1, 3]) model.maskedStep(smallData.sampleWindows(t, 8, 5, createRng(t)), t, optimizer).dispose();
      const before = new Float32Array((await model.flatWeights()).slice());
      model.maskedStep(smallData.sampleWindows(2, 8, 5, createRng(9)), 2, optimizer).dispose();
      const after = await model.flatWeights();
      let changedActive = 0;
      for (let k = 0; k < mask.length; k++) {
        if (!mask[k]) expect(Object.is(after[k], before[k])).toBe(true);
        else if (after[k] !== before[k]) changedActive++;
      }
      expect(changedActive).toBeGreaterThan(0);
    }
    opt.dispose();
    adamw.dispose();
    model.dispose();
  });

  it('the count of ones per task is invariant across outer updates; removed were active, revived inactive, |removed| = |revived| = k', async () => {
    const model = new HarmoDT({ ...small, maskInterval: 5, changeMax: 0.05 });
    const counts = model.masks().masks.map((m) => m.reduce((a, b) => a + b, 0));
    await model.fit(smallData, { steps: 31 });
    expect(model.updates.length).toBe(6);
    expect(model.updates.some((u) => u.k > 0)).toBe(true);
    expect(model.masks().masks.map((m) => m.reduce((a, b) => a + b, 0))).toEqual(counts);
    const rng = createRng(1);
    const mask = erkMask([[4, 6], [6, 4]], 0.5, rng);
    const grad = Float32Array.from({ length: 48 }, () => rng.normal());
    const mean = Float32Array.from({ length: 48 }, () => rng.normal());
    const r = harmonyMaskUpdate({ mask, grad, meanGrad: mean, k: 5, gamma: 10, importance: 'fisher' });
    expect(r.removed.length).toBe(5);
    expect(r.revived.length).toBe(5);
    for (const i of r.removed) expect(mask[i]).toBe(1);
    for (const i of r.revived) expect(mask[i]).toBe(0);
    expect(r.mask.reduce((a, b) => a + b, 0)).toBe(mask.reduce((a, b) => a + b, 0));
    model.dispose();
  });

  it('k(0) = k(1) = 0 and k(1/2) = eta_max', () => {
    expect(changeCount(0, 1000, 100)).toBe(0);
    expect(changeCount(1000, 1000, 100)).toBe(0);
    expect(changeCount(500, 1000, 100)).toBe(100);
    expect(changeCount(250, 1000, 100)).toBe(50);
  });

  it('ERK masks hit global density 1 - s within 1/n, and 1-D tensors are dense', () => {
    const shapes = [[32, 32], [32, 128], [128, 32], [32], [64, 8]];
    for (const density of [0.8, 0.5, 0.2]) {
      const mask = erkMask(shapes, density, createRng(3));
      const n = mask.length;
      const ones = mask.reduce((a, b) => a + b, 0);
      expect(Math.abs(ones / n - density)).toBeLessThanOrEqual(shapes.length / n);
      const d = erkDensities(shapes, density);
      expect(d[3]).toBe(1);
      expect(d.every((x) => x <= 1)).toBe(true);
      // Smaller fan tensors get higher density (ERK).
      expect(d[0]).toBeGreaterThanOrEqual(d[1]);
    }
    // The CPU model: 24,576 maskable weights at D 32, L 2.
    const model = new HarmoDT({ stateDim: 8, actDim: 2, numTasks: 6, maxEpisodeLength: 40 });
    expect(model.maskableTotal).toBe(24576);
    const ones = model.masks().masks[0].reduce((a, b) => a + b, 0);
    expect(Math.abs(ones / 24576 - 0.8)).toBeLessThanOrEqual(12 / 24576);
    model.dispose();
  });
});

describe('mask scores by hand', () => {
  it('g1 = [2, -1, .5], g2 = [2, 1, -.5]: mean [2, 0, 0], agree_1 = [4, 0, 0], Fisher scores [44, 1, .25], index 2 removed (k = 1)', () => {
    const g1 = Float32Array.from([2, -1, 0.5]);
    const g2 = Float32Array.from([2, 1, -0.5]);
    const mean = Float32Array.from([0, 1, 2].map((k) => (g1[k] + g2[k]) / 2));
    expect(Array.from(mean)).toEqual([2, 0, 0]);
    const agree = Float32Array.from([0, 1, 2].map((k) => mean[k] * g1[k]));
    expect(Array.from(agree)).toEqual([4, -0, 0]);
    expect(Array.from(removalScores(agree, g1, 10, 'fisher'))).toEqual([44, 1, 0.25]);
    const r = harmonyMaskUpdate({ mask: Uint8Array.from([1, 1, 1, 0]), grad: Float32Array.from([...g1, 3]), meanGrad: Float32Array.from([...mean, 1]), k: 1, gamma: 10, importance: 'fisher' });
    expect(Array.from(r.removed)).toEqual([2]);
    expect(Array.from(r.revived)).toEqual([3]);
  });
});
