/**
 * Next-token training of any causal LM of the reproduction (the dense base and
 * experts, and the MoE fine-tuning stage): seeded batches from a pool of
 * length-24 sequences, mean cross-entropy over every next-token position.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, softmaxCrossEntropy, trainSteps, type Rng } from '@paperkit/tensor-core';
import type { CausalLM } from '../lm-eval.js';

export const SEQ_LEN = 24;

/** `batch` random rows of a row-major [rows, T] pool. */
export function batchFrom(pool: Int32Array, T: number, batch: number, rng: Rng): Int32Array {
  const rows = pool.length / T;
  const out = new Int32Array(batch * T);
  for (let i = 0; i < batch; i++) {
    const r = rng.int(rows);
    out.set(pool.subarray(r * T, (r + 1) * T), i * T);
  }
  return out;
}

/** Mean next-token cross-entropy of the model on ids [B, T]. */
export function nextTokenLoss(model: CausalLM, ids: tf.Tensor2D, vocab: number): tf.Scalar {
  const [B, T] = ids.shape;
  const logits = model.logits(ids);
  const x = tf.reshape(tf.slice(logits, [0, 0, 0], [B, T - 1, vocab]), [-1, vocab]) as tf.Tensor2D;
  const y = tf.reshape(tf.slice(ids, [0, 1], [B, T - 1]), [-1]) as tf.Tensor1D;
  // softmaxCrossEntropy on an int32 one-hot: tensor-core's sparse variant asks tf.oneHot for
  // float32, which the wasm backend of tfjs 4.22 returns with int32 bits (loss ~1e-45).
  return softmaxCrossEntropy(tf.oneHot(y, vocab), x);
}

export interface TrainLMOptions {
  steps: number;
  /** Variables to update (the model's own, or a subset such as the router rows). */
  variables: tf.Variable[];
  /** Adam learning rate, or an optimizer to reuse across calls (keeps its moments). */
  optimizer: number | tf.Optimizer;
  batch: number;
  vocab: number;
  /** Batch sampler; pass the same one across calls to continue one sequence of batches. */
  rng: Rng | string;
}

/** Train `steps` Adam steps on batches drawn from `pool`; returns the steps taken. */
export async function trainLM(model: CausalLM, pool: Int32Array, o: TrainLMOptions): Promise<number> {
  const rng = typeof o.rng === 'string' ? createRng(o.rng) : o.rng;
  const res = await trainSteps({
    steps: o.steps,
    variables: o.variables,
    optimizer: typeof o.optimizer === 'number' ? { name: 'adam', lr: o.optimizer } : o.optimizer,
    progress: false,
    syncEvery: Math.max(o.steps, 1),
    loss: () => nextTokenLoss(model, tf.tensor2d(batchFrom(pool, SEQ_LEN, o.batch, rng), [o.batch, SEQ_LEN], 'int32'), o.vocab),
  });
  return res.steps;
}
