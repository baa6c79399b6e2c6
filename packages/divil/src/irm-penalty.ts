/**
 * IRMv1 penalty (Arjovsky et al. 2019; spec section 2): the squared gradient of the
 * environment risk with respect to a dummy scale s on the logits, at s = 1.
 *
 *   g_e = dR_e(s z)/ds |_{s=1}
 *       = mean_i (sigma(z_i) - y_i) z_i                 (BCE with logits)
 *       = mean_i sum_k (p_ik - y_ik) z_ik               (softmax cross-entropy)
 *   P_IRM(e) = g_e^2, or g_e(even rows) * g_e(odd rows) (DomainBed's unbiased form)
 *
 * The closed forms avoid double backpropagation, which tfjs cannot do through every op;
 * a test checks them against tf.grad of R(s z). The gradient of the penalty with respect
 * to the model flows through z as usual.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '@paperkit/tensor-core';
import { targetsFor, taskLossOf, type TaskLoss } from './task-loss.js';

export interface IrmPenaltyOptions {
  /** Which risk the scale derivative is taken of. Default 'auto' (bce for one logit, softmax otherwise). */
  loss?: TaskLoss | 'auto';
  /** DomainBed's unbiased estimate g(even rows) * g(odd rows) instead of g^2. Default false (CMNIST script). */
  unbiased?: boolean;
}

/** Per-row terms of g: (sigma(z) - y) z summed over classes, shape [N]. */
function scaleGradientTerms(logits: tf.Tensor, targets: tf.Tensor, kind: TaskLoss): tf.Tensor1D {
  const p = kind === 'bce' ? tf.sigmoid(logits) : tf.softmax(logits);
  const terms = tf.mul(tf.sub(p, targets), logits);
  return (terms.rank === 1 ? terms : tf.sum(terms, 1)) as tf.Tensor1D;
}

/** g_e = dR_e(s z)/ds at s = 1 for one environment (a scalar, differentiable in the logits). */
export function irmScaleGradient(logits: tf.Tensor, labels: tf.Tensor, options: IrmPenaltyOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const kind = taskLossOf(logits, options.loss ?? 'auto');
    return tf.mean(scaleGradientTerms(logits, targetsFor(logits, labels, kind), kind)) as tf.Scalar;
  });
}

/** IRMv1 penalty of one environment: g_e^2 (or the unbiased even/odd product). */
export function irmPenalty(logits: tf.Tensor, labels: tf.Tensor, options: IrmPenaltyOptions = {}): tf.Scalar {
  return tf.tidy(() => {
    const kind = taskLossOf(logits, options.loss ?? 'auto');
    const terms = scaleGradientTerms(logits, targetsFor(logits, labels, kind), kind);
    if (!options.unbiased) return tf.square(tf.mean(terms)) as tf.Scalar;
    const n = terms.shape[0];
    if (n < 2) throw new ShapeError('logits', '[N >= 2, ...] for the unbiased IRM penalty (even and odd rows)', logits.shape);
    const half = Math.floor(n / 2);
    const pairs = tf.reshape(tf.slice(terms, [0], [2 * half]), [half, 2]);
    const even = tf.mean(tf.slice(pairs, [0, 0], [half, 1]));
    const odd = tf.mean(tf.slice(pairs, [0, 1], [half, 1]));
    return tf.mul(even, odd) as tf.Scalar;
  });
}

/** Mean of irmPenalty over environments (P_IRM = mean_e g_e^2). */
export function irmPenaltyOverEnvs(envLogits: tf.Tensor[], envLabels: tf.Tensor[], options: IrmPenaltyOptions = {}): tf.Scalar {
  if (envLogits.length === 0 || envLogits.length !== envLabels.length) {
    throw new OptionError('envs', 'one labels tensor per logits tensor, at least one environment', `${envLogits.length} logits, ${envLabels.length} labels`);
  }
  return tf.tidy(() => tf.mean(tf.stack(envLogits.map((z, e) => irmPenalty(z, envLabels[e], options)))) as tf.Scalar);
}
