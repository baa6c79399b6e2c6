/**
 * The RD objective (spec section 2), per batch at step s of S:
 *
 *   L = CE(C(h_S), y) + a_s CE(C(R(h_T)), y)
 *       + b_s tau^2 KL( softmax(C(R(h_T)) / tau) || softmax(C(h_S) / tau) )
 *       + lam (1 - CKA(R(h_T), h_S))
 *
 * with C the shared classifier, R the reprogrammer and h_T the frozen FM features. With
 * co-training (the default) the KL and CKA gradients reach both R and the student; without
 * it the reprogrammed side is a constant target (stop-gradient), as in classic two-stage KD.
 * KL is the 'batchmean' reduction (sum over classes, mean over the batch).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, ckaLoss, kdLoss, mse, rbfCKA, softmaxCrossEntropy, stopGradient } from '@paperkit/tensor-core';

/** How the reprogrammed teacher features and the student features are aligned. */
export interface AlignmentOptions {
  /** 'cka' (the paper) or 'mse' (the ablation the variance claim is measured against). Default 'cka'. */
  measure?: 'cka' | 'mse';
  /** CKA kernel. Default 'linear'. */
  kernel?: 'linear' | 'rbf';
  /** HSIC estimator: 'biased' (default, the training loss) or 'unbiased' (needs batches of >= 4). */
  estimator?: 'biased' | 'unbiased';
  /** RBF bandwidth = this times the median pairwise distance (read once per step from the device). Default 1. */
  rbfSigmaFrac?: number;
}

/**
 * Alignment loss between paired feature batches a, b [B, p]: 1 - CKA(a, b) (linear or RBF,
 * biased or unbiased HSIC; tensor-core's ckaLoss / rbfCKA), or mean (a - b)^2 for 'mse'.
 */
export function alignmentLoss(a: tf.Tensor, b: tf.Tensor, options: AlignmentOptions = {}): tf.Scalar {
  const { measure = 'cka', kernel = 'linear', estimator = 'biased', rbfSigmaFrac = 1 } = options;
  if (measure === 'mse') return mse(a, b);
  if (measure !== 'cka') throw new OptionError('loss.cka.measure', "'cka' | 'mse'", measure);
  if (estimator !== 'biased' && estimator !== 'unbiased') throw new OptionError('loss.cka.estimator', "'biased' | 'unbiased'", estimator);
  const debiased = estimator === 'unbiased';
  if (kernel === 'linear') return ckaLoss(a, b, { kernel: 'linear', debiased });
  if (kernel === 'rbf') return tf.tidy(() => tf.sub(1, rbfCKA(a, b, { debiased, sigmaFraction: rbfSigmaFrac })) as tf.Scalar);
  throw new OptionError('loss.cka.kernel', "'linear' | 'rbf'", kernel);
}

/**
 * tau^2 KL(softmax(z_T / tau) || softmax(z_S / tau)), batch mean, with gradients into BOTH
 * logits (co-training). Same value as tensor-core's kdLoss, which blocks the teacher side.
 */
export function coTrainedKL(teacherLogits: tf.Tensor, studentLogits: tf.Tensor, temperature: number): tf.Scalar {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new OptionError('loss.kl.temperature', 'a positive number', temperature);
  if (teacherLogits.rank !== 2 || teacherLogits.shape.some((d, i) => d !== studentLogits.shape[i]) || studentLogits.rank !== 2) {
    throw new ShapeError('teacherLogits', `[${studentLogits.shape.join(', ')}] (same as studentLogits)`, teacherLogits.shape);
  }
  return tf.tidy(() => {
    const logPT = tf.logSoftmax(tf.div(teacherLogits, temperature), -1);
    const logPS = tf.logSoftmax(tf.div(studentLogits, temperature), -1);
    return tf.mul(tf.mean(tf.sum(tf.mul(tf.exp(logPT), tf.sub(logPT, logPS)), -1)), temperature * temperature) as tf.Scalar;
  });
}

export interface RDLossInput {
  /** C(h_S), [B, K]. */
  studentLogits: tf.Tensor;
  /** C(R(h_T)), [B, K]. */
  teacherLogits: tf.Tensor;
  /** h_S, [B, p_S]. */
  studentFeatures: tf.Tensor;
  /** R(h_T), [B, p_S]. */
  teacherFeatures: tf.Tensor;
  /** One-hot labels [B, K]. */
  labels: tf.Tensor;
  /** This step's weights: a_s, b_s and lam (a term with weight 0 is not computed). */
  weights: { teacherCe: number; kl: number; align: number };
  /** Default 4. */
  temperature?: number;
  alignment?: AlignmentOptions;
  /** Let KL and the alignment term reach the reprogrammed side too. Default true. */
  coTrain?: boolean;
}

export interface RDLossTerms {
  total: tf.Scalar;
  studentCe: tf.Scalar;
  teacherCe: tf.Scalar;
  kl: tf.Scalar;
  align: tf.Scalar;
}

/** Every term of L and their weighted sum (call inside a tidy or a training step). */
export function rdLoss(input: RDLossInput): RDLossTerms {
  const { weights, temperature = 4, coTrain = true } = input;
  const zero = () => tf.scalar(0);
  const studentCe = softmaxCrossEntropy(input.labels, input.studentLogits);
  const teacherCe = weights.teacherCe > 0 ? softmaxCrossEntropy(input.labels, input.teacherLogits) : zero();
  let kl = zero();
  if (weights.kl > 0) {
    kl = coTrain ? coTrainedKL(input.teacherLogits, input.studentLogits, temperature) : kdLoss(input.studentLogits, input.teacherLogits, { temperature });
  }
  let align = zero();
  if (weights.align > 0) {
    const target = coTrain ? input.teacherFeatures : stopGradient(input.teacherFeatures);
    if (target.rank !== 2 || input.studentFeatures.rank !== 2 || target.shape[1] !== input.studentFeatures.shape[1]) {
      throw new ShapeError('reprogrammed teacher features R(h_T)', `[B, ${input.studentFeatures.shape[1]}] (student features h_S are [${input.studentFeatures.shape.join(', ')}])`, target.shape);
    }
    align = alignmentLoss(target, input.studentFeatures, input.alignment);
  }
  const total = tf.tidy(() =>
    tf.addN([studentCe, tf.mul(teacherCe, weights.teacherCe), tf.mul(kl, weights.kl), tf.mul(align, weights.align)]),
  ) as tf.Scalar;
  return { total, studentCe, teacherCe, kl, align };
}
