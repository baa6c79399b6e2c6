/** Llama's SwiGLU feed-forward: down(silu(gate(x)) * up(x)), weights in [out, in] layout. */
import * as tf from '@tensorflow/tfjs';
import { linear } from './attention.js';

export function swiglu(x: tf.Tensor2D, gate: tf.Tensor2D, up: tf.Tensor2D, down: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const g = linear(x, gate);
    return linear(tf.mul(tf.mul(g, tf.sigmoid(g)), linear(x, up)) as tf.Tensor2D, down);
  });
}
