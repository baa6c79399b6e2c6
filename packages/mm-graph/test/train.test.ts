import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticLP, makeSyntheticNC } from '../src/synthetic.js';
import { GCN } from '../src/models/gcn.js';
import { SAGE } from '../src/models/sage.js';
import { MMGCN } from '../src/models/mmgcn.js';
import { MLPEncoder } from '../src/models/mlp.js';
import { trainNodeClassification } from '../src/train-nc.js';
import { trainLinkPrediction } from '../src/train-lp.js';
import { makeGraphInput } from '../src/graph-input.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('training', () => {
  const nc = makeSyntheticNC({ seed: 5, numNodes: 300 });

  it('NC: GCN on text+image beats chance (1/8) by far within 30 epochs and reports the best-validation epoch', async () => {
    const model = new GCN({ inDim: 48, outDim: 8, seed: 1 });
    const r = await trainNodeClassification(model, nc, { epochs: 30, seed: 1 });
    expect(r.test).toBeGreaterThan(0.5);
    expect(r.val).toBe(Math.max(...r.history.val));
    expect(r.history.val[r.history.epoch.indexOf(r.bestEpoch)]).toBe(r.val);
    model.dispose();
  });

  it('leak test: tf.memory().numTensors stays flat over many NC and LP training steps', async () => {
    const input = makeGraphInput(nc, 'both');
    const models = [new GCN({ inDim: 48, outDim: 8 }), new SAGE({ inDim: 48, outDim: 8 }), new MMGCN({ textDim: 32, imageDim: 16, numNodes: 300, numClasses: 8 })];
    const lp = makeSyntheticLP({ seed: 2, numNodes: 200 });
    const empty = tf.memory().numTensors;
    for (const make of [() => new GCN({ inDim: 48, outDim: 8 }), () => new MMGCN({ textDim: 32, imageDim: 16, numNodes: 300, numClasses: 8 })]) make().dispose();
    expect(tf.memory().numTensors).toBe(empty);
    const before = tf.memory().numTensors;
    for (const m of models) await trainNodeClassification(m, nc, { input, epochs: 3, seed: 0 });
    const afterShort = tf.memory().numTensors;
    for (const m of models) await trainNodeClassification(m, nc, { input, epochs: 40, seed: 0 });
    expect(tf.memory().numTensors).toBe(afterShort);
    expect(afterShort).toBe(before);
    const enc = new MLPEncoder({ inDim: 48, outDim: 16, layerNorm: true });
    const r1 = await trainLinkPrediction(enc, 'hadamard-mlp', lp, { epochs: 2, evalEvery: 1 });
    const mid = tf.memory().numTensors;
    const r2 = await trainLinkPrediction(enc, r1.decoder, lp, { epochs: 30, evalEvery: 5 });
    expect(tf.memory().numTensors).toBe(mid);
    r2.decoder.dispose();
    enc.dispose();
    models.forEach((m) => m.dispose());
    input.dispose();
  });

  it('LP: GCN with the Hadamard-MLP decoder ranks held-out edges above random (MRR ≈ 0.05)', async () => {
    const lp = makeSyntheticLP({ seed: 3, numNodes: 300 });
    const model = new GCN({ inDim: 48, outDim: 32, seed: 1 });
    const r = await trainLinkPrediction(model, 'hadamard-mlp', lp, { epochs: 30, evalEvery: 10, seed: 1 });
    expect(r.test.mrr).toBeGreaterThan(0.1);
    expect(r.test.hits10).toBeGreaterThanOrEqual(r.test.hits3);
    r.decoder.dispose();
    model.dispose();
  });
});
