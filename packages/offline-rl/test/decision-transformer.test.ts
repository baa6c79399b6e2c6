import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, ShapeError, createRng, makeOptimizer } from '@paperkit/tensor-core';
import {
  CONFLICT6, DecisionTransformer, PlanarSuite, dtLoss, dtStep, evaluatePolicy, loadDecisionTransformer, saveDecisionTransformer,
  trainDecisionTransformer, attachDataset, type WindowBatch,
} from '../src/index.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

const suite = PlanarSuite.create({ tasks: CONFLICT6 });
const data = suite.dataset({ episodesPerTask: 8, seed: 0 });

function clone(b: WindowBatch): WindowBatch {
  return { ...b, states: b.states.slice(), actions: b.actions.slice(), returnsToGo: b.returnsToGo.slice(), timesteps: b.timesteps.slice(), mask: b.mask.slice() };
}

describe('DecisionTransformer (S1, S2)', () => {
  it('causality: changing a_t or any later token leaves the action predicted at s_t unchanged', () => {
    for (const conditioning of ['none', 'taskEmbedding', 'prompt'] as const) {
      const model = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40, conditioning, numTasks: 6, seed: 3 });
      attachDataset(model, data);
      const batch = data.sampleWindows(2, 4, 5, createRng(1));
      const t = 2; // change a_2, and R̂, s, a of steps 3, 4
      const changed = clone(batch);
      for (let b = 0; b < 4; b++) {
        for (let k = t; k < 5; k++) {
          changed.actions[(b * 5 + k) * 2] += 0.7;
          if (k > t) {
            changed.states[(b * 5 + k) * 8] += 1.3;
            changed.returnsToGo[b * 5 + k] -= 0.4;
          }
        }
      }
      const [p0, p1] = [model.forward(batch), model.forward(changed)];
      const upTo = (p: tf.Tensor3D) => Array.from(tf.tidy(() => tf.slice(p, [0, 0, 0], [4, t + 1, 2])).dataSync());
      expect(upTo(p1)).toEqual(upTo(p0));
      const later = (p: tf.Tensor3D) => Array.from(tf.tidy(() => tf.slice(p, [0, t + 1, 0], [4, 1, 2])).dataSync());
      expect(later(p1)).not.toEqual(later(p0));
      tf.dispose([p0, p1]);
      model.dispose();
    }
  });

  it('the loss is the mean over unpadded steps of the squared action error, summed over action dims', () => {
    const batch = data.sampleWindows(0, 3, 5, createRng(2));
    batch.mask.fill(0);
    batch.mask[4] = 1;
    batch.mask[9] = 1;
    const pred = tf.zeros([3, 5, 2]);
    const loss = dtLoss(pred, batch).dataSync()[0];
    const sq = (i: number) => batch.actions[i * 2] ** 2 + batch.actions[i * 2 + 1] ** 2;
    expect(loss).toBeCloseTo((sq(4) + sq(9)) / 2, 5);
    pred.dispose();
  });

  it('does not leak tensors over many training steps', async () => {
    const model = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40, conditioning: 'prompt', numTasks: 6 });
    await trainDecisionTransformer(model, data, { steps: 3, batchSize: 4 });
    const before = tf.memory().numTensors;
    await trainDecisionTransformer(model, data, { steps: 30, batchSize: 4, syncEvery: 7 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a few hundred steps fit the actions of one task (loss falls by half)', async () => {
    const model = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40 });
    const r = await trainDecisionTransformer(model, data.select(['reach']), { steps: 150, batchSize: 16 });
    const head = r.losses.slice(0, 10).reduce((a, b) => a + b) / 10;
    const tail = r.losses.slice(-10).reduce((a, b) => a + b) / 10;
    expect(tail).toBeLessThan(head / 2);
    model.dispose();
  });

  it('checkpoints round-trip weights, normalisation and prompts (identical predictions)', async () => {
    const model = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40, conditioning: 'prompt', numTasks: 6, seed: 9 });
    await trainDecisionTransformer(model, data, { steps: 2, batchSize: 4 });
    const bytes = await saveDecisionTransformer(model);
    const { model: loaded } = loadDecisionTransformer(bytes);
    const batch = data.sampleWindows(1, 4, 5, createRng(4));
    const [a, b] = [model.predictLast(batch), loaded.predictLast(batch)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(loaded.normalization).toEqual(model.normalization);
    tf.dispose([a, b]);
    model.dispose();
    loaded.dispose();
    expect(() => loadDecisionTransformer(new Uint8Array([1, 2, 3]))).toThrow();
  });

  it('rejects a stateDim mismatch, an unknown task id and bad options', async () => {
    const model = new DecisionTransformer({ stateDim: 7, actDim: 2, maxEpisodeLength: 40 });
    await expect(trainDecisionTransformer(model, data, { steps: 1 })).rejects.toThrow(ShapeError);
    model.dispose();
    expect(() => new DecisionTransformer({ stateDim: 8, actDim: 2, context: 0 })).toThrow(OptionError);
    const te = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40, conditioning: 'taskEmbedding', numTasks: 2 });
    const batch = data.sampleWindows(5, 2, 5, createRng(0));
    expect(() => te.forward(batch)).toThrow(/task id/);
    te.dispose();
  });
});

describe('evaluatePolicy', () => {
  it('runs every task in one batch per timestep and reports per-task success; mismatched suites are rejected', async () => {
    const model = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40, conditioning: 'taskEmbedding', numTasks: 6 });
    attachDataset(model, data);
    let calls = 0;
    const counting = { ...model, context: model.context, stateDim: 8, actDim: 2, normalization: model.normalization, predictLast: (b: WindowBatch) => { calls++; expect(b.size).toBe(12); return model.predictLast(b); } };
    const before = tf.memory().numTensors;
    const ev = await evaluatePolicy(counting, suite, { episodes: 2, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(calls).toBe(suite.horizon);
    expect(ev.tasks.map((t) => t.task)).toEqual([...CONFLICT6]);
    expect(ev.tasks.every((t) => t.success >= 0 && t.success <= 1)).toBe(true);
    const other = PlanarSuite.create({ tasks: ['push'] });
    await expect(evaluatePolicy(model, other, { episodes: 1 })).rejects.toThrow(OptionError);
    model.dispose();
  });

  it('an oracle policy that replays the expert succeeds on every episode', async () => {
    const { expertAction } = await import('../src/index.js');
    // A policy with access to the env: evaluate with a wrapper suite that records the envs.
    const envs: Array<{ env: import('../src/index.js').PlanarEnv }> = [];
    const wrapped = { ...suite, taskNames: suite.taskNames, stateDim: 8, actDim: 2, horizon: 40, makeEnv: (t: number, s: string | number) => { const e = suite.makeEnv(t, s); envs.push(e); return e; } };
    const model = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40 });
    attachDataset(model, data);
    const oracle = { context: 5, stateDim: 8, actDim: 2, normalization: model.normalization, predictLast: (b: WindowBatch) => tf.tensor2d(envs.flatMap((e) => Array.from(expertAction(e.env))), [b.size, 2]) };
    const ev = await evaluatePolicy(oracle, wrapped, { episodes: 3 });
    expect(ev.meanSuccess).toBe(1);
    model.dispose();
  });
});

describe('dtStep', () => {
  it('takes one clipped Adam step', () => {
    const model = new DecisionTransformer({ stateDim: 8, actDim: 2, maxEpisodeLength: 40 });
    const opt = makeOptimizer({ name: 'adam', lr: 1e-3 });
    const batch = data.sampleWindows(0, 4, 5, createRng(0));
    const l = dtStep(model, opt, batch, 1);
    expect(Number.isFinite(l.dataSync()[0])).toBe(true);
    l.dispose();
    opt.dispose();
    model.dispose();
  });
});
