/**
 * Coupled L2 weight decay as PyTorch's `Adam(weight_decay=wd)` applies it (gradient += wd·w),
 * expressed as the loss term wd/2 · Σ‖w‖² so any tfjs optimizer reproduces it (spec §5: wd 5e-4).
 */
import * as tf from '@tensorflow/tfjs';

export function l2Penalty(variables: tf.Variable[], weightDecay: number): tf.Scalar {
  return tf.tidy(() => {
    if (weightDecay <= 0 || variables.length === 0) return tf.scalar(0);
    return tf.mul(tf.addN(variables.map((v) => tf.sum(tf.square(v)))), weightDecay / 2) as tf.Scalar;
  });
}

/** Copies of the variables' current values (kept outside any tidy; dispose them). */
export function snapshot(variables: tf.Variable[]): tf.Tensor[] {
  return variables.map((v) => tf.keep(tf.clone(v)));
}

export function restore(variables: tf.Variable[], values: tf.Tensor[]): void {
  variables.forEach((v, i) => v.assign(values[i]));
}
