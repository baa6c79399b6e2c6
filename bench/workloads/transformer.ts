/**
 * A small causal transformer training step: vocabulary 64, dModel 64, 4 heads,
 * 2 pre-LN blocks with a GELU MLP of width 256, sequences of 32 tokens, batch
 * 16, a linear head and next-token cross-entropy, one Adam step. The raw-tfjs
 * flavour writes the same architecture out in plain tfjs ops, the PyTorch twin
 * (`transformer-step` in bench/torch/workloads.py) in torch ops.
 */
import * as tf from '@tensorflow/tfjs';
import { oneHotRows, rawAdamStep, seededInts, seededUniform, type BenchStep, type CoreWorkload } from '../workload.js';

const VOCAB = 64;
const D = 64;
const HEADS = 4;
const LAYERS = 2;
const DFF = 256;
const T = 32;
const B = 16;
const LR = 1e-3;

function data(): { tokens: tf.Tensor2D; targets: tf.Tensor2D; oneHotTokens: tf.Tensor2D } {
  const ids = seededInts(B * (T + 1), VOCAB, 31);
  const inputs = new Int32Array(B * T);
  const next = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = ids[b * (T + 1) + t];
      next[b * T + t] = ids[b * (T + 1) + t + 1];
    }
  }
  const tokens = tf.tensor2d(inputs, [B, T], 'int32');
  const targets = tf.tensor2d(oneHotRows(next, VOCAB), [B * T, VOCAB]);
  const oneHotTokens = tf.tensor2d(oneHotRows(inputs, VOCAB), [B * T, VOCAB]);
  return { tokens, targets, oneHotTokens };
}

async function paperkit(): Promise<BenchStep> {
  const { CausalTransformer } = await import('../../packages/tensor-core/src/layers/causal-transformer.js');
  const { Dense } = await import('../../packages/tensor-core/src/layers/dense.js');
  const { softmaxCrossEntropy } = await import('../../packages/tensor-core/src/losses/cross-entropy.js');
  const { FusedAdamOptimizer } = await import('../../packages/tensor-core/src/training/fused-adam.js');
  const { tokens, targets, oneHotTokens } = data();
  oneHotTokens.dispose(); // the paperkit model embeds its int32 tokens itself
  const model = new CausalTransformer({ vocabSize: VOCAB, dModel: D, nHeads: HEADS, nLayers: LAYERS, dFF: DFF, maxLen: T, seed: 0 });
  const head = new Dense({ inDim: D, outDim: VOCAB, seed: 1, name: 'bench_head' });
  const optimizer = new FusedAdamOptimizer({ learningRate: LR });
  const variables = [...model.trainableVariables, ...head.trainableVariables];
  return {
    step() {
      optimizer.minimize(
        () => softmaxCrossEntropy(targets, tf.reshape(head.apply(model.apply(tokens)), [B * T, VOCAB])),
        false,
        variables,
      );
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
      head.dispose();
      tokens.dispose();
      targets.dispose();
    },
  };
}

async function raw(): Promise<BenchStep> {
  const { tokens, targets, oneHotTokens } = data();
  let seed = 100;
  const dense = (inDim: number, outDim: number) => {
    const limit = Math.sqrt(6 / (inDim + outDim));
    return {
      w: tf.variable(tf.tensor2d(seededUniform(inDim * outDim, seed++, -limit, limit), [inDim, outDim])),
      b: tf.variable(tf.zeros([outDim])),
    };
  };
  const norm = () => ({ g: tf.variable(tf.ones([D])), b: tf.variable(tf.zeros([D])) });
  const embedding = tf.variable(tf.tensor2d(seededUniform(VOCAB * D, seed++, -0.03, 0.03), [VOCAB, D]));
  const positions = tf.variable(tf.tensor2d(seededUniform(T * D, seed++, -0.03, 0.03), [T, D]));
  const blocks = Array.from({ length: LAYERS }, () => ({
    ln1: norm(), q: dense(D, D), k: dense(D, D), v: dense(D, D), o: dense(D, D), ln2: norm(), fc1: dense(D, DFF), fc2: dense(DFF, D),
  }));
  const lnf = norm();
  const head = dense(D, VOCAB);
  const maskValues = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) maskValues[i * T + j] = -1e9;
  const mask = tf.tensor2d(maskValues, [T, T]);
  const variables: tf.Variable[] = [embedding, positions];
  for (const blk of blocks) for (const part of Object.values(blk)) variables.push(...Object.values(part));
  variables.push(lnf.g, lnf.b, head.w, head.b);

  const linear = (x: tf.Tensor2D, l: { w: tf.Variable; b: tf.Variable }) => tf.add(tf.matMul(x, l.w), l.b) as tf.Tensor2D;
  const layerNorm = (x: tf.Tensor2D, n: { g: tf.Variable; b: tf.Variable }) => {
    const centred = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.square(centred), -1, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), n.g), n.b) as tf.Tensor2D;
  };
  const gelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const dh = D / HEADS;
  const split = (x: tf.Tensor2D) => tf.transpose(tf.reshape(x, [B, T, HEADS, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
  const loss = (): tf.Scalar => {
    let h = tf.add(tf.reshape(tf.matMul(oneHotTokens, embedding), [B, T, D]), positions);
    let rows = tf.reshape(h, [B * T, D]) as tf.Tensor2D;
    for (const blk of blocks) {
      const x = layerNorm(rows, blk.ln1);
      const q = split(linear(x, blk.q));
      const k = split(linear(x, blk.k));
      const v = split(linear(x, blk.v));
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), mask);
      const context = tf.matMul(tf.softmax(scores, -1) as tf.Tensor4D, v);
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [B * T, D]) as tf.Tensor2D;
      rows = tf.add(rows, linear(merged, blk.o));
      const y = linear(gelu(linear(layerNorm(rows, blk.ln2), blk.fc1)) as tf.Tensor2D, blk.fc2);
      rows = tf.add(rows, y);
    }
    h = layerNorm(rows, lnf);
    const logits = linear(h as tf.Tensor2D, head);
    return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits, -1)), -1))) as tf.Scalar;
  };
  return rawAdamStep(LR, loss, variables, [tokens, targets, mask, oneHotTokens]);

}

export const coreWorkloads: CoreWorkload[] = [{ name: 'transformer-step', torch: 'transformer-step', paperkit, raw }];
