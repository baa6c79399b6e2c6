import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, ShapeError, createRng } from '@paperkit/tensor-core';
import { DecisionTransformer, evaluatePolicy } from '@paperkit/offline-rl';
import { GHarmoDT, HarmoDT, PerTaskDT, clusterTasks, conflictReport, loadHarmoDT, saveHarmoDT } from '../src/index.js';
import { setupBackend, small, smallDT, smallData, suite } from './helpers.js';

beforeAll(setupBackend);

describe('HarmoDT', () => {
  it('does not leak tensors over many training steps (outer steps included)', async () => {
    const model = new HarmoDT({ ...small, maskInterval: 4 });
    await model.fit(smallData, { steps: 5 });
    const before = tf.memory().numTensors;
    await model.fit(smallData, { steps: 40 });
    expect(tf.memory().numTensors).toBe(before);
    const ev = await evaluatePolicy(model, suite, { episodes: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(ev.tasks.length).toBe(6);
    model.dispose();
  });

  it('masks()/loadMasks() round-trip and checkpoints restore weights, masks and normalisation', async () => {
    const model = new HarmoDT({ ...small, conditioning: 'taskEmbedding', maskInterval: 3, changeMax: 0.05 });
    await model.fit(smallData, { steps: 10 });
    const bytes = await saveHarmoDT(model);
    const loaded = loadHarmoDT(bytes);
    expect(loaded.masks()).toEqual(model.masks());
    expect(loaded.normalization).toEqual(model.normalization);
    const batch = smallData.sampleWindows(Int32Array.from([0, 3, 5, 1]), 4, 5, createRng(2));
    const [a, b] = [model.predictLast(batch), loaded.predictLast(batch)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    const other = new HarmoDT({ ...small, seed: 3 });
    other.loadMasks(model.masks());
    expect(other.masks().masks).toEqual(model.masks().masks);
    expect(() => other.loadMasks({ ...model.masks(), masks: [new Uint8Array(3)] })).toThrow(ShapeError);
    other.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('act() follows a live history and rejects an unknown task id', async () => {
    const model = new HarmoDT({ ...small });
    await model.fit(smallData, { steps: 2 });
    const env = suite.makeEnv(0, 1);
    const a = await model.act('reach', { observations: [Array.from(env.observe())], actions: [], rewards: [] });
    expect(a.length).toBe(2);
    await expect(model.act(9, { observations: [Array.from(env.observe())], actions: [], rewards: [] })).rejects.toThrow(OptionError);
    await expect(model.act('fly', { observations: [Array.from(env.observe())], actions: [], rewards: [] })).rejects.toThrow(/taskId/);
    model.dispose();
  });

  it('must throw: sparsity outside [0, 1), stateDim mismatch, task-count mismatch', async () => {
    expect(() => new HarmoDT({ ...small, sparsity: 1 })).toThrow(OptionError);
    expect(() => new HarmoDT({ ...small, sparsity: -0.1 })).toThrow(/sparsity/);
    const wrong = new HarmoDT({ ...small, stateDim: 7 });
    await expect(wrong.fit(smallData, { steps: 1 })).rejects.toThrow(ShapeError);
    wrong.dispose();
    const fewer = new HarmoDT({ ...small, numTasks: 4 });
    await expect(fewer.fit(smallData, { steps: 1 })).rejects.toThrow(/numTasks/);
    fewer.dispose();
  });

  it('conflictReport gives a symmetric cosine matrix and rates in [0, 1] for HarmoDT and plain DT', async () => {
    const model = new HarmoDT({ ...small });
    const r = await conflictReport(model, smallData, { batches: 1, batchSize: 8 });
    expect(r.cosines.length).toBe(6);
    expect(r.cosines[1][2]).toBeCloseTo(r.cosines[2][1], 6);
    expect(r.conflictRate.every((x) => x >= 0 && x <= 1)).toBe(true);
    const dt = new DecisionTransformer({ ...smallDT, conditioning: 'none' });
    const d = await conflictReport(dt, smallData, { batches: 1, batchSize: 8 });
    expect(d.meanConflictRate).toBeGreaterThan(0);
    dt.dispose();
    model.dispose();
  });
});

describe('G-HarmoDT', () => {
  it('clusters similar tasks together and never merges conflicting ones', () => {
    const cos = [
      [1, 0.8, -0.5, 0.1],
      [0.8, 1, -0.4, 0.0],
      [-0.5, -0.4, 1, 0.2],
      [0.1, 0.0, 0.2, 1],
    ];
    expect(clusterTasks(cos, { threshold: 0.3 })).toEqual([0, 0, 1, 2]);
    expect(clusterTasks(cos, { groups: 2 })).toHaveLength(4);
    expect(new Set(clusterTasks(cos, { groups: 2 })).size).toBe(2);
  });

  it('trains, gates without task ids, and keeps the tensor count flat', async () => {
    const model = new GHarmoDT({ ...small, gateSteps: 20, maskInterval: 5 });
    await model.fit(smallData, { steps: 20 });
    expect(model.groupOf.length).toBe(6);
    const before = tf.memory().numTensors;
    const batch = smallData.sampleWindows(Int32Array.from([0, 1, 2, 3]), 4, 5, createRng(0));
    batch.taskIds.fill(0); // ignored by the gate
    const p = model.predictLast(batch);
    expect(p.shape).toEqual([4, 2]);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new GHarmoDT({ ...small, conditioning: 'taskEmbedding' })).toThrow(OptionError);
    model.dispose();
  });
});

describe('PerTaskDT', () => {
  it('routes each row to its task model', async () => {
    const model = new PerTaskDT({ stateDim: 8, actDim: 2, maxEpisodeLength: 40, embedDim: 16, layers: 1 }, 6);
    await model.fit(smallData, { steps: 6, batchSize: 4 });
    const batch = smallData.sampleWindows(Int32Array.from([4, 0]), 2, 5, createRng(0));
    const both = model.predictLast(batch);
    const sub = { ...batch, size: 1, states: batch.states.slice(40), actions: batch.actions.slice(10), returnsToGo: batch.returnsToGo.slice(5), timesteps: batch.timesteps.slice(5), mask: batch.mask.slice(5), taskIds: Int32Array.from([0]) };
    const alone = model.models[0].predictLast(sub);
    expect(Array.from(both.dataSync().slice(2))).toEqual(Array.from(alone.dataSync()));
    tf.dispose([both, alone]);
    model.dispose();
  });
});
