/**
 * Causal grouped-query self-attention of Llama/Mistral (no biases): query head
 * h reads key/value head floor(h / (heads / kvHeads)), as transformers'
 * `repeat_kv` does. Weights are in the checkpoint's [out, in] layout; `mask`
 * comes from `causalMask(T, heads / kvHeads)`.
 */
import * as tf from '@tensorflow/tfjs';
import { applyRope, type RopeTables } from './rope.js';

export interface AttentionWeights {
  q: tf.Tensor2D;
  k: tf.Tensor2D;
  v: tf.Tensor2D;
  o: tf.Tensor2D;
}

export interface AttentionShape {
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** y = x W^T for x [N, in] and W [out, in]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(x, w, false, true);
}

function splitHeads(x: tf.Tensor2D, batch: number, length: number, heads: number, headDim: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [batch, length, heads, headDim]), [0, 2, 1, 3]);
}

/**
 * Additive causal mask [groups * T, T]: 0 on and below the diagonal, -1e9 above,
 * repeated for the `groups` query heads that share one KV head (caller owns it).
 */
export function causalMask(length: number, groups = 1): tf.Tensor2D {
  const m = new Float32Array(groups * length * length);
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) m[(g * length + i) * length + j] = -1e9;
  }
  return tf.tensor2d(m, [groups * length, length]);
}

/** Self-attention of x [B*T, H] (rows ordered batch-major); returns [B*T, H]. */
export function gqaAttention(
  x: tf.Tensor2D,
  batch: number,
  length: number,
  w: AttentionWeights,
  shape: AttentionShape,
  rope: RopeTables,
  mask: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const { heads, kvHeads, headDim } = shape;
    const groups = heads / kvHeads;
    // Query heads h = g * groups + r share KV head g (transformers' repeat_kv), so stacking a
    // group's queries along time, [B, kvHeads, groups * T, d], needs no copies of K and V.
    const q = tf.reshape(applyRope(splitHeads(linear(x, w.q), batch, length, heads, headDim), rope), [batch, kvHeads, groups * length, headDim]);
    const k = applyRope(splitHeads(linear(x, w.k), batch, length, kvHeads, headDim), rope);
    const v = splitHeads(linear(x, w.v), batch, length, kvHeads, headDim);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), mask);
    const context = tf.reshape(tf.matMul(tf.softmax(scores, -1), v), [batch, heads, length, headDim]);
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * length, heads * headDim]) as tf.Tensor2D;
    return linear(merged, w.o);
  });
}
