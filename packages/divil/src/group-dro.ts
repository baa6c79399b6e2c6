/**
 * GroupDRO (Sagawa et al. 2020, online version as in DomainBed): environment weights
 * follow exponentiated risks, and the objective is the weighted risk.
 *
 *   q_e <- q_e * exp(eta * R_e)  (R_e taken as a constant),  q <- q / sum q
 *   L   = sum_e q_e R_e
 *
 * The weights stay on the device (a tf.Variable), so no per-step read is needed.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, stopGradient } from '@paperkit/tensor-core';

/** One GroupDRO step: the updated weights and the weighted risk (gradient flows through the risks only). */
export function groupDroStep(weights: tf.Tensor1D, risks: tf.Scalar[], eta: number): { weights: tf.Tensor1D; loss: tf.Scalar } {
  if (!(Number.isFinite(eta) && eta >= 0)) throw new OptionError('groupDroEta', 'a finite number >= 0', eta);
  if (risks.length !== weights.shape[0]) throw new OptionError('envs', `${weights.shape[0]} environments (as on the first step)`, risks.length);
  return tf.tidy(() => {
    const r = tf.stack(risks) as tf.Tensor1D;
    const raised = tf.mul(weights, tf.exp(tf.mul(stopGradient(r), eta)));
    const q = tf.div(raised, tf.sum(raised)) as tf.Tensor1D;
    return { weights: stopGradient(q), loss: tf.sum(tf.mul(stopGradient(q), r)) as tf.Scalar };
  });
}
