/**
 * Causal grouped-query self-attention of Llama/Mistral (no biases): query head
 * h reads key/value head floor(h / (heads / kvHeads)), as transformers'
 * `repeat_kv` does. Weights are in the checkpoint's [out, in] layout.
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

function repeatKv(x: tf.Tensor4D, rep: number): tf.Tensor4D {
  if (rep === 1) return x;
  const [b, h, t, d] = x.shape;
  // Rank-3 tile (tfjs has no rank-5 tile gradient): copies of one KV head end up adjacent.
  return tf.reshape(tf.tile(tf.reshape(x, [b, h, t * d]), [1, 1, rep]), [b, h * rep, t, d]);
}

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above (caller owns it). */
export function causalMask(length: number): tf.Tensor2D {
  const m = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) m[i * length + j] = -1e9;
  return tf.tensor2d(m, [length, length]);
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
    const q = applyRope(splitHeads(linear(x, w.q), batch, length, heads, headDim), rope);
    const k = repeatKv(applyRope(splitHeads(linear(x, w.k), batch, length, kvHeads, headDim), rope), heads / kvHeads);
    const v = repeatKv(splitHeads(linear(x, w.v), batch, length, kvHeads, headDim), heads / kvHeads);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headDim)), mask);
    const context = tf.matMul(tf.softmax(scores, -1), v);
    const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * length, heads * headDim]) as tf.Tensor2D;
    return linear(merged, w.o);
  });
}
