/**
 * V-REx penalty (Krueger et al. 2021; spec section 2): spread of the environment risks.
 *
 *   'pairSquared' (CMNIST script): mean over environment pairs a < b of (R_a - R_b)^2,
 *                                  i.e. (R_1 - R_2)^2 with two environments
 *   'variance'    (DomainBed):     mean_e (R_e - mean_e' R_e')^2
 *
 * Built from the risk tensors themselves, so the penalty carries gradient (the official
 * graph code rebuilds it from Python floats, which silently gives it none).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';

export type VrexForm = 'pairSquared' | 'variance';

export interface VrexPenaltyOptions {
  /** Default 'pairSquared' (the CMNIST script's form, which the CMNIST penalty weight was tuned for). */
  form?: VrexForm;
}

export function vrexPenalty(risks: tf.Scalar[], options: VrexPenaltyOptions = {}): tf.Scalar {
  const form = options.form ?? 'pairSquared';
  if (form !== 'pairSquared' && form !== 'variance') throw new OptionError('vrexPenalty.form', "'pairSquared' or 'variance'", form);
  if (!Array.isArray(risks) || risks.length < 2) {
    throw new OptionError('vrexPenalty.risks', 'at least 2 environment risks (V-REx compares environments)', Array.isArray(risks) ? risks.length : risks);
  }
  return tf.tidy(() => {
    const r = tf.stack(risks) as tf.Tensor1D;
    if (form === 'variance') return tf.mean(tf.square(tf.sub(r, tf.mean(r)))) as tf.Scalar;
    // (R_a - R_b)^2 over all ordered pairs is twice the unordered sum; the diagonal is 0.
    const e = risks.length;
    const diff = tf.sub(tf.reshape(r, [e, 1]), tf.reshape(r, [1, e]));
    return tf.div(tf.sum(tf.square(diff)), e * (e - 1)) as tf.Scalar;
  });
}
