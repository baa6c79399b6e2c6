/**
 * Global gradient-norm clipping (torch.nn.utils.clip_grad_norm_, used by every DT trainer in
 * harmodt.md §2): g <- g * min(1, c / (‖g‖₂ + 1e-6)), ‖g‖₂ over all tensors together. The scale
 * stays on the device (no sync).
 */
import * as tf from '@tensorflow/tfjs';

export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) return grads;
  const names = Object.keys(grads);
  return tf.tidy(() => {
    const squares = names.map((n) => tf.sum(tf.square(grads[n])));
    const norm = tf.sqrt(tf.addN(squares));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.mul(grads[n], scale);
    return out;
  });
}
