import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@paperkit/tensor-core';
import { PerplexityRoutedMoE } from '../src/perplexity-routed-moe.js';
import type { CausalLM } from '../src/lm-eval.js';

/** A fake LM that predicts token (x + step) mod V with high confidence. */
function stepper(step: number, V = 8): CausalLM {
  return {
    logits: (ids) => {
      const rows = ids.arraySync();
      const out = new Float32Array(rows.length * rows[0].length * V);
      rows.forEach((row, b) => row.forEach((x, t) => (out[(b * row.length + t) * V + ((x + step) % V)] = 10)));
      return tf.tensor3d(out, [rows.length, rows[0].length, V]);
    },
  };
}

beforeAll(async () => {
  await initBackend({ quiet: true });
});

describe('PerplexityRoutedMoE', () => {
  it('routes each sequence to the expert with the lowest prefix perplexity and returns its logits', () => {
    const experts = [stepper(1), stepper(2), stepper(3)];
    const moe = new PerplexityRoutedMoE(experts, { topK: 1, prefixTokens: 4 });
    const ids = tf.tensor2d([[0, 2, 4, 6, 0, 2], [1, 2, 3, 4, 5, 6], [0, 3, 6, 1, 4, 7]], undefined, 'int32');
    const { weights, top1 } = moe.route(ids);
    expect(Array.from(top1.dataSync())).toEqual([1, 0, 2]);
    expect(Array.from(tf.sum(weights, 1).dataSync()).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
    const mixed = moe.logits(ids);
    const direct = experts[1].logits(tf.slice(ids, [0, 0], [1, 6]) as tf.Tensor2D);
    expect(tf.max(tf.abs(tf.sub(tf.slice(mixed, [0, 0, 0], [1, 6, 8]), direct))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([ids, weights, top1, mixed, direct]);
  });
  it('top-K weights are a softmax over the K largest inverse perplexities', () => {
    const moe = new PerplexityRoutedMoE([stepper(1), stepper(2), stepper(3)], { topK: 2, prefixTokens: 4 });
    const ids = tf.tensor2d([[0, 2, 4, 6, 0, 2]], undefined, 'int32');
    const { weights, top1 } = moe.route(ids);
    const w = Array.from(weights.dataSync());
    expect(w.filter((v) => v > 0).length).toBe(2);
    expect(w[1]).toBeGreaterThan(0.5);
    tf.dispose([ids, weights, top1]);
  });
  it('rejects topK larger than the number of experts', () => {
    expect(() => new PerplexityRoutedMoE([stepper(1)], { topK: 2 })).toThrow(/topK/);
  });
});
