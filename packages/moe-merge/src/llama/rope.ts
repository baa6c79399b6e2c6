/**
 * Rotary position embedding in the transformers Llama convention
 * ("rotate_half": the head dimension is split in two halves, not interleaved
 * pairs), so checkpoints trained here load unchanged in transformers.
 * inv_freq_i = theta^(-2i/d), angle(t, i) = t * inv_freq_i,
 * x' = x * cos + rotate_half(x) * sin with rotate_half([a, b]) = [-b, a].
 */
import * as tf from '@tensorflow/tfjs';

export interface RopeTables {
  /** [T, headDim] */
  cos: tf.Tensor2D;
  sin: tf.Tensor2D;
  /** [headDim, headDim]: x R = rotate_half(x) (one matmul instead of split/neg/concat). */
  rotate: tf.Tensor2D;
}

/** cos/sin tables for positions 0..T-1 (the caller owns them). */
export function ropeTables(length: number, headDim: number, theta: number): RopeTables {
  const half = headDim / 2;
  const cos = new Float32Array(length * headDim);
  const sin = new Float32Array(length * headDim);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < half; i++) {
      const angle = t * Math.pow(theta, (-2 * i) / headDim);
      for (const j of [i, i + half]) {
        cos[t * headDim + j] = Math.cos(angle);
        sin[t * headDim + j] = Math.sin(angle);
      }
    }
  }
  const rotate = new Float32Array(headDim * headDim);
  for (let i = 0; i < half; i++) {
    rotate[(i + half) * headDim + i] = -1; // out[i] = -x[i + half]
    rotate[i * headDim + i + half] = 1; // out[i + half] = x[i]
  }
  return { cos: tf.tensor2d(cos, [length, headDim]), sin: tf.tensor2d(sin, [length, headDim]), rotate: tf.tensor2d(rotate, [headDim, headDim]) };
}

/** Rotate x [B, heads, T, headDim] by the tables. */
export function applyRope(x: tf.Tensor4D, tables: RopeTables): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, H, T, d] = x.shape;
    const rotated = tf.reshape(tf.matMul(tf.reshape(x, [B * H * T, d]), tables.rotate), [B, H, T, d]);
    return tf.add(tf.mul(x, tables.cos), tf.mul(rotated, tables.sin)) as tf.Tensor4D;
  });
}
