/**
 * Global gradient-norm clipping (torch.nn.utils.clip_grad_norm_, used by every DT trainer in
 * harmodt.md §2): g <- g * min(1, c / (‖g‖₂ + 1e-6)), ‖g‖₂ over all tensors together. The norm
 * is one square-sum over the concatenated gradients (3 kernels instead of 2 per tensor: this
 * loop runs every training step) and the scale stays on the device (no sync).
 */
import * as tf from '@tensorflow/tfjs';

export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) return grads;
  const names = Object.keys(grads);
  return tf.tidy(() => {
    const flat = tf.concat(names.map((n) => tf.reshape(grads[n], [-1])));
    const norm = tf.sqrt(tf.sum(tf.square(flat)));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.mul(grads[n], scale);
    return out;
  });
}
