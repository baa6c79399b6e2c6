/**
 * Hinton knowledge-distillation loss:
 *   L = tau^2 * KL( softmax(z_T / tau) || softmax(z_S / tau) ),
 * per sample sum over classes, 'batchmean' = divided by the batch size (PyTorch's
 * KLDivLoss(reduction='batchmean'), LoRKD's SoftTarget: lorkd.md section 2).
 * The tau^2 factor keeps gradient magnitudes comparable across temperatures.
 * The teacher logits go through a zero-gradient identity, so nothing is ever
 * back-propagated into the teacher even if its logits come from variables.
 * Hand values: z_S = [0, 0], z_T = [ln 3, 0]: tau 1 -> 0.130812, tau 2 -> 0.145363.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { stopGradient } from './stop-gradient.js';

export interface KDLossOptions {
  /** Softening temperature tau > 0. Default 1. */
  temperature?: number;
  /** 'batchmean' (scalar, default) or 'none' (one value per sample, [B]). */
  reduction?: 'batchmean' | 'none';
}

export function kdLoss(studentLogits: tf.Tensor, teacherLogits: tf.Tensor, options?: KDLossOptions & { reduction?: 'batchmean' }): tf.Scalar;
export function kdLoss(studentLogits: tf.Tensor, teacherLogits: tf.Tensor, options: KDLossOptions & { reduction: 'none' }): tf.Tensor1D;
export function kdLoss(studentLogits: tf.Tensor, teacherLogits: tf.Tensor, options?: KDLossOptions): tf.Tensor;
export function kdLoss(studentLogits: tf.Tensor, teacherLogits: tf.Tensor, options: KDLossOptions = {}): tf.Tensor {
  const tau = options.temperature ?? 1;
  if (typeof tau !== 'number' || !(tau > 0) || !Number.isFinite(tau)) throw new OptionError('temperature', 'a positive number', tau);
  const reduction = options.reduction ?? 'batchmean';
  if (reduction !== 'batchmean' && reduction !== 'none') throw new OptionError('reduction', "'batchmean' | 'none'", reduction);
  if (studentLogits.rank !== 2) throw new ShapeError('studentLogits', '[B, C]', studentLogits.shape);
  if (teacherLogits.rank !== 2 || teacherLogits.shape[0] !== studentLogits.shape[0] || teacherLogits.shape[1] !== studentLogits.shape[1]) {
    throw new ShapeError('teacherLogits', `[${studentLogits.shape.join(', ')}] (same as studentLogits)`, teacherLogits.shape);
  }
  return tf.tidy(() => {
    const logPT = tf.logSoftmax(tf.div(stopGradient(teacherLogits), tau), -1);
    const logPS = tf.logSoftmax(tf.div(studentLogits, tau), -1);
    const perSample = tf.mul(tf.sum(tf.mul(tf.exp(logPT), tf.sub(logPT, logPS)), -1), tau * tau);
    return reduction === 'none' ? perSample : tf.mean(perSample);
  });
}
