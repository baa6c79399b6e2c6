/**
 * The dense layers and losses must train on the wasm backend without any cpu
 * fallback kernel (wasm lacks UnsortedSegmentSum, so tf.gather's gradient and
 * unsortedSegmentSum-based code would throw there; ecosystem notes, section B).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CausalTransformer } from '../../src/layers/causal-transformer.js';
import { Dense } from '../../src/layers/dense.js';
import { LoRADense } from '../../src/layers/lora-dense.js';
import { MLP } from '../../src/layers/mlp.js';
import { collectVariables } from '../../src/layers/module.js';
import { MultiAdapterDense } from '../../src/layers/multi-adapter-dense.js';
import { linearCKA, rbfCKA } from '../../src/losses/cka.js';
import { sparseSoftmaxCrossEntropy } from '../../src/losses/cross-entropy.js';
import { infoNCE, supervisedContrastive } from '../../src/losses/info-nce.js';
import { kdLoss } from '../../src/losses/kd-loss.js';

beforeAll(async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
});

function allFinite(grads: tf.NamedTensorMap): boolean {
  const nulls = Object.keys(grads).filter((k) => !grads[k]);
  if (nulls.length) throw new Error(`no gradient for ${nulls.join(", ")}`);
  return Object.values(grads).every((g) => Array.from(g.dataSync()).every(Number.isFinite));
}

describe('wasm backend', () => {
  it('runs on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('trains the causal transformer (one-hot embedding) with dropout and a padding mask', () => {
    const model = new CausalTransformer({ vocabSize: 10, dModel: 16, nHeads: 2, nLayers: 2, dFF: 32, maxLen: 6, dropout: 0.1, seed: 0 });
    const head = new Dense({ inDim: 16, outDim: 10, seed: 1 });
    const ids = tf.tensor2d([[1, 2, 3, 4, 5], [0, 0, 7, 8, 9]], undefined, 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1]]);
    const targets = tf.tensor1d([2, 3, 4, 5, 6, 0, 0, 8, 9, 1], 'int32');
    const { value, grads } = tf.variableGrads(
      () => sparseSoftmaxCrossEntropy(targets, tf.reshape(head.apply(model.apply(ids, { training: true, attentionMask: mask })), [10, 10])),
      collectVariables(model, head),
    );
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(allFinite(grads)).toBe(true);
    tf.dispose([value, ...Object.values(grads), ids, mask, targets]);
    model.dispose();
    head.dispose();
  });

  it('trains MultiAdapterDense, LoRADense and MLP with KD, InfoNCE, SupCon and CKA losses', () => {
    const mad = new MultiAdapterDense({ inDim: 8, outDim: 6, numAdapters: 3, rank: 2, alpha: 4, seed: 2 });
    const lora = new LoRADense({ inDim: 6, outDim: 6, rank: 2, alpha: 2, seed: 3 });
    const mlp = new MLP({ sizes: [6, 12, 4], layerNorm: true, dropout: 0.2, seed: 4 });
    const x = tf.randomNormal([9, 8], 0, 1, 'float32', 5);
    const mix = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2], 'int32'), 3, 1, 0, 'float32');
    const teacher = tf.randomNormal([9, 4], 0, 1, 'float32', 6);
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2], 'int32');
    const vars = collectVariables(mad, lora, mlp).filter((v) => v.trainable);
    const { value, grads } = tf.variableGrads(() => {
      const h = lora.apply(tf.relu(mad.apply(x, mix)));
      const logits = mlp.apply(h, { training: true });
      return tf.addN([
        kdLoss(logits, teacher, { temperature: 2 }),
        infoNCE(logits, teacher),
        supervisedContrastive(h, labels),
        tf.sub(1, linearCKA(h, teacher)),
        tf.sub(1, rbfCKA(h, teacher, { debiased: true })),
      ]) as tf.Scalar;
    }, vars);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(allFinite(grads)).toBe(true);
    tf.dispose([value, ...Object.values(grads), x, mix, teacher, labels]);
    [mad, lora, mlp].forEach((m) => m.dispose());
  });
});
