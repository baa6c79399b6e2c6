import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import { CausalTransformer } from '../../src/layers/causal-transformer.js';
import { Dense } from '../../src/layers/dense.js';
import { collectVariables } from '../../src/layers/module.js';
import { sparseSoftmaxCrossEntropy } from '../../src/losses/cross-entropy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const small = { dModel: 16, nHeads: 2, nLayers: 2, dFF: 32, maxLen: 8 };

function rowsDiff(a: tf.Tensor, b: tf.Tensor, from: number, to: number): number {
  return tf.tidy(() => {
    const [bsz, , d] = a.shape;
    const sa = tf.slice(a, [0, from, 0], [bsz, to - from, d]);
    const sb = tf.slice(b, [0, from, 0], [bsz, to - from, d]);
    return tf.max(tf.abs(tf.sub(sa, sb))).dataSync()[0];
  });
}

describe('CausalTransformer', () => {
  it('maps token ids [B, T] and continuous tokens [B, T, inputDim] to [B, T, dModel]', () => {
    const tokens = new CausalTransformer({ ...small, vocabSize: 11, seed: 0 });
    const ids = tf.tensor2d([[1, 2, 3, 4, 5], [0, 0, 10, 9, 8]], undefined, 'int32');
    const h = tokens.apply(ids);
    expect(h.shape).toEqual([2, 5, 16]);
    const cont = new CausalTransformer({ ...small, inputDim: 3, seed: 0 });
    const x = tf.randomNormal([4, 6, 3], 0, 1, 'float32', 1);
    const hc = cont.apply(x);
    expect(hc.shape).toEqual([4, 6, 16]);
    expect(Array.from(hc.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([ids, h, x, hc]);
    tokens.dispose();
    cont.dispose();
  });

  it('is causal: changing the token at position t leaves every output before t unchanged', () => {
    const model = new CausalTransformer({ ...small, vocabSize: 11, seed: 2 });
    const a = tf.tensor2d([[1, 2, 3, 4, 5, 6]], undefined, 'int32');
    const b = tf.tensor2d([[1, 2, 3, 9, 0, 7]], undefined, 'int32');
    const ha = model.apply(a);
    const hb = model.apply(b);
    expect(rowsDiff(ha, hb, 0, 3)).toBe(0);
    expect(rowsDiff(ha, hb, 3, 6)).toBeGreaterThan(1e-4);
    // Continuous inputs too (the decision-transformer use: a later action must not leak into an earlier state token).
    const cont = new CausalTransformer({ ...small, inputDim: 2, seed: 2 });
    const x = tf.randomNormal([2, 5, 2], 0, 1, 'float32', 3);
    const x2 = tf.concat([tf.slice(x, [0, 0, 0], [2, 4, 2]), tf.ones([2, 1, 2])], 1);
    const hx = cont.apply(x);
    const hx2 = cont.apply(x2);
    expect(rowsDiff(hx, hx2, 0, 4)).toBe(0);
    tf.dispose([a, b, ha, hb, x, x2, hx, hx2]);
    model.dispose();
    cont.dispose();
  });

  it('attentionMask hides padded keys: changing a padded token does not change the other outputs', () => {
    const model = new CausalTransformer({ ...small, vocabSize: 11, seed: 4 });
    const mask = tf.tensor2d([[0, 0, 1, 1, 1]]);
    const a = tf.tensor2d([[3, 4, 5, 6, 7]], undefined, 'int32');
    const b = tf.tensor2d([[9, 1, 5, 6, 7]], undefined, 'int32');
    const ha = model.apply(a, { attentionMask: mask });
    const hb = model.apply(b, { attentionMask: mask });
    expect(rowsDiff(ha, hb, 2, 5)).toBeLessThan(1e-6);
    tf.dispose([mask, a, b, ha, hb]);
    model.dispose();
  });

  it("'gather' and 'onehot' embeddings give the same outputs; same seed gives identical weights", () => {
    const m1 = new CausalTransformer({ ...small, vocabSize: 7, seed: 5 });
    const m2 = new CausalTransformer({ ...small, vocabSize: 7, seed: 5, embedding: 'gather' });
    const m3 = new CausalTransformer({ ...small, vocabSize: 7, seed: 6 });
    const v1 = m1.variables.map((v) => Array.from(v.dataSync()));
    expect(m2.variables.map((v) => Array.from(v.dataSync()))).toEqual(v1);
    expect(m3.variables.map((v) => Array.from(v.dataSync()))).not.toEqual(v1);
    const ids = tf.tensor2d([[0, 6, 3, 3]], undefined, 'int32');
    const h1 = m1.apply(ids);
    const h2 = m2.apply(ids);
    expect(rowsDiff(h1, h2, 0, 4)).toBeLessThan(1e-6);
    tf.dispose([ids, h1, h2]);
    [m1, m2, m3].forEach((m) => m.dispose());
  });

  it('leaks no tensors over many forward/backward steps (with dropout), and dispose frees everything', () => {
    const start = tf.memory().numTensors;
    const model = new CausalTransformer({ ...small, vocabSize: 9, dropout: 0.1, seed: 7 });
    const head = new Dense({ inDim: 16, outDim: 9, seed: 8 });
    const vars = collectVariables(model, head);
    const ids = tf.tensor2d([[1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 7]], undefined, 'int32');
    const targets = tf.tensor1d([2, 3, 4, 5, 6, 7, 3, 4, 5, 6, 7, 8], 'int32');
    const opt = tf.train.adam(1e-3);
    const step = () =>
      opt.minimize(() => {
        const logits = tf.reshape(head.apply(model.apply(ids, { training: true })), [12, 9]);
        return sparseSoftmaxCrossEntropy(targets, logits);
      }, false, vars);
    step(); // Adam creates its slot variables on the first step.
    const afterFirst = tf.memory().numTensors;
    for (let i = 0; i < 15; i++) step();
    expect(tf.memory().numTensors).toBe(afterFirst);
    opt.dispose();
    tf.dispose([ids, targets]);
    model.dispose();
    head.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('learns next-token prediction on a deterministic sequence (x_{t+1} = x_t + 1 mod V)', () => {
    const V = 6;
    const model = new CausalTransformer({ dModel: 16, nHeads: 2, nLayers: 1, dFF: 32, maxLen: 6, vocabSize: V, seed: 9 });
    const head = new Dense({ inDim: 16, outDim: V, seed: 10 });
    const seqs = Array.from({ length: V }, (_, s) => Array.from({ length: 6 }, (_, t) => (s + t) % V));
    const ids = tf.tensor2d(seqs.map((r) => r.slice(0, 5)), undefined, 'int32');
    const targets = tf.tensor1d(seqs.flatMap((r) => r.slice(1)), 'int32');
    const opt = tf.train.adam(0.01);
    const loss = () => sparseSoftmaxCrossEntropy(targets, tf.reshape(head.apply(model.apply(ids)), [V * 5, V]));
    const first = tf.tidy(loss).dataSync()[0];
    for (let i = 0; i < 80; i++) opt.minimize(loss, false, collectVariables(model, head));
    const last = tf.tidy(loss).dataSync()[0];
    expect(last).toBeLessThan(0.2 * first);
    opt.dispose();
    tf.dispose([ids, targets]);
    model.dispose();
    head.dispose();
  });

  it('validates options and input shapes', () => {
    expect(() => new CausalTransformer({ ...small, nHeads: 3, vocabSize: 5 })).toThrow(OptionError);
    expect(() => new CausalTransformer({ ...small })).toThrow(OptionError);
    expect(() => new CausalTransformer({ ...small, vocabSize: 5, inputDim: 3 })).toThrow(OptionError);
    const model = new CausalTransformer({ ...small, vocabSize: 5 });
    const tooLong = tf.zeros([1, 9], 'int32');
    expect(() => model.apply(tooLong)).toThrow(ShapeError);
    expect(() => model.apply(tooLong)).toThrow(/maxLen = 8/);
    tooLong.dispose();
    model.dispose();
  });
});
