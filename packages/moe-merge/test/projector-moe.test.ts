import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, softmaxCrossEntropy, trainSteps } from '@paperkit/tensor-core';
import { ProjectorMoE } from '../src/projector-moe.js';
import { TinyLlama } from '../src/llama/tiny-llama.js';
import { TINY_LLAMA_CONFIG } from '../src/llama/llama-config.js';

beforeAll(async () => {
  await initBackend({ quiet: true });
});

describe('ProjectorMoE (heterogeneous experts)', () => {
  it('combines experts of different widths, fine-tunes end to end, and leaks no tensors over many steps', async () => {
    const narrow = new TinyLlama({ config: { ...TINY_LLAMA_CONFIG, hidden_size: 16, head_dim: 4, intermediate_size: 32, num_hidden_layers: 1 }, seed: 1 });
    const wide = new TinyLlama({ config: { ...TINY_LLAMA_CONFIG, num_hidden_layers: 1 }, seed: 2 });
    const moe = new ProjectorMoE({ experts: [narrow, wide], topK: 1, seed: 3 });
    expect(moe.width).toBe(32);
    const seqs = [Array.from({ length: 10 }, (_, i) => (2 * i) % 32), Array.from({ length: 10 }, (_, i) => (5 + 3 * i) % 32)];
    const ids = tf.tensor2d(seqs, undefined, 'int32');
    const loss = () => {
      const logits = moe.logits(ids);
      const x = tf.reshape(tf.slice(logits, [0, 0, 0], [2, 9, 32]), [18, 32]);
      const y = tf.oneHot(tf.reshape(tf.slice(ids, [0, 1], [2, 9]), [18]) as tf.Tensor1D, 32);
      return softmaxCrossEntropy(y, x);
    };
    const before = tf.tidy(() => loss().dataSync()[0]);
    await trainSteps({ steps: 20, model: moe, optimizer: { name: 'adam', lr: 1e-2 }, progress: false, loss });
    const tensors = tf.memory().numTensors;
    await trainSteps({ steps: 40, model: moe, optimizer: { name: 'adam', lr: 1e-2 }, progress: false, loss });
    expect(tf.memory().numTensors).toBe(tensors);
    const after = tf.tidy(() => loss().dataSync()[0]);
    expect(after).toBeLessThan(before * 0.5);
    const w = moe.routeWeights(ids);
    expect(Array.from(tf.sum(w, 1).dataSync()).every((v) => Math.abs(v - 1) < 1e-5)).toBe(true);
    expect(Array.from(w.dataSync()).filter((v) => v > 1e-6).length).toBe(2); // top-1 per sequence
    tf.dispose([w, ids]);
    moe.dispose();
  });
});
