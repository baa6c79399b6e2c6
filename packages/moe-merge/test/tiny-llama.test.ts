import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, softmaxCrossEntropy, trainSteps } from '@paperkit/tensor-core';
import { TinyLlama } from '../src/llama/tiny-llama.js';
import { loadTinyLlama, saveTinyLlama } from '../src/node-models.js';
import { llamaTensorShapes, TINY_LLAMA_CONFIG } from '../src/llama/llama-config.js';
import { loadCheckpoint } from '../src/checkpoint.js';

let dir: string;
beforeAll(async () => {
  await initBackend({ quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'moe-llama-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tiny Llama', () => {
  it('has the spec size (about 21k parameters) and real Llama tensor names', () => {
    const m = new TinyLlama({ seed: 1 });
    expect(m.parameterCount()).toBeGreaterThan(20000);
    expect(m.parameterCount()).toBeLessThan(23000);
    expect(m.tensorNames).toContain('model.layers.1.self_attn.k_proj.weight');
    expect(m.tensor('model.layers.1.self_attn.k_proj.weight').shape).toEqual([16, 32]);
    m.dispose();
  });

  it('attention is causal: changing a later token leaves earlier logits unchanged', () => {
    const m = new TinyLlama({ seed: 2 });
    const a = tf.tensor2d([[3, 4, 5, 6, 7]], undefined, 'int32');
    const b = tf.tensor2d([[3, 4, 5, 9, 9]], undefined, 'int32');
    const la = m.logits(a).arraySync()[0];
    const lb = m.logits(b).arraySync()[0];
    for (let t = 0; t < 3; t++) la[t].forEach((v, j) => expect(v).toBeCloseTo(lb[t][j], 5));
    expect(Math.abs(la[4][0] - lb[4][0])).toBeGreaterThan(1e-6);
    m.dispose();
    tf.dispose([a, b]);
  });

  it('saves a Hugging Face checkpoint and loads it back to identical logits', async () => {
    const m = new TinyLlama({ seed: 3 });
    const out = join(dir, 'ckpt');
    await saveTinyLlama(m, out);
    const ck = await loadCheckpoint(out);
    expect(new Set(ck.names)).toEqual(new Set(llamaTensorShapes(TINY_LLAMA_CONFIG).keys()));
    expect(ck.config.model_type).toBe('llama');
    ck.close();
    const back = await loadTinyLlama(out);
    const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6]], undefined, 'int32');
    const d = tf.max(tf.abs(tf.sub(m.logits(ids), back.logits(ids)))).dataSync()[0];
    expect(d).toBe(0);
    m.dispose();
    back.dispose();
    ids.dispose();
  });

  it('learns a deterministic sequence and leaks no tensors over many steps', async () => {
    const m = new TinyLlama({ seed: 4 });
    const seq = Array.from({ length: 12 }, (_, i) => (i * 3) % 32);
    const ids = tf.tensor2d([seq, seq], undefined, 'int32');
    const before = tf.memory().numTensors;
    const t0 = Date.now();
    const res = await trainSteps({
      steps: 60,
      variables: m.trainableVariables,
      optimizer: { name: 'adam', lr: 1e-2 },
      progress: false,
      loss: () => {
        const logits = m.logits(ids);
        const x = tf.reshape(tf.slice(logits, [0, 0, 0], [2, 11, 32]), [22, 32]) as tf.Tensor2D;
        const y = tf.reshape(tf.slice(ids, [0, 1], [2, 11]), [22]) as tf.Tensor1D;
        return softmaxCrossEntropy(tf.oneHot(y, 32), x);
      },
    });
    const afterFirst = tf.memory().numTensors;
    await trainSteps({
      steps: 60,
      variables: m.trainableVariables,
      optimizer: { name: 'adam', lr: 1e-2 },
      progress: false,
      loss: () => {
        const logits = m.logits(ids);
        const x = tf.reshape(tf.slice(logits, [0, 0, 0], [2, 11, 32]), [22, 32]) as tf.Tensor2D;
        const y = tf.reshape(tf.slice(ids, [0, 1], [2, 11]), [22]) as tf.Tensor1D;
        return softmaxCrossEntropy(tf.oneHot(y, 32), x);
      },
    });
    console.log('120 steps ms', Date.now() - t0, 'loss', res.lastLoss);
    expect(res.lastLoss).toBeLessThan(1);
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(afterFirst).toBe(before);
    m.dispose();
    ids.dispose();
  });
});
