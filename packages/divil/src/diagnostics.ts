/**
 * Diagnostics that make over-invariance visible (issue 14, spec section 5): accuracy on the
 * training, validation and test environments, on the colour-free ("grey") test and the two
 * half-masked tests, plus the linear-probe accuracy and the effective rank of the features.
 * The probe reads the clean class from Phi on the validation environment (colour carries no
 * label information there): first half to fit, second half to score.
 */
import * as tf from '@tensorflow/tfjs';
import type { InvarianceDataset, LabelledEnv } from './data/colored-digits.js';
import { effectiveRank } from './effective-rank.js';
import type { Env } from './environments.js';
import { linearProbe, type LinearProbeOptions } from './linear-probe.js';
import { accuracyOf, type TaskLoss } from './task-loss.js';

/** Anything with predict (logits) and features (Phi), e.g. a DivilLearner. */
export interface PredictsAndEmbeds {
  predict(x: tf.Tensor): tf.Tensor;
  features(x: tf.Tensor): tf.Tensor;
}

export interface OverInvarianceReport {
  train: number;
  validation: number;
  test: number;
  grey: number;
  halfFirst: number;
  halfSecond: number;
  /** min(halfFirst, halfSecond). */
  worstHalf: number;
  /** Linear-probe accuracy of the clean class from Phi (validation env, held-out half). */
  probe: number;
  /** Effective rank of Phi on the validation env. */
  effectiveRank: number;
}

/** Accuracy of a model's logits on one environment. */
export async function accuracyOn(model: Pick<PredictsAndEmbeds, 'predict'>, env: Env, taskLoss: TaskLoss | 'auto' = 'auto'): Promise<number> {
  const logits = model.predict(env.x);
  try {
    return await accuracyOf(logits, env.y, taskLoss);
  } finally {
    logits.dispose();
  }
}

export async function probeAccuracy(model: Pick<PredictsAndEmbeds, 'features'>, env: LabelledEnv, options: LinearProbeOptions = {}): Promise<number> {
  const h = model.features(env.x);
  const n = h.shape[0];
  const half = Math.floor(n / 2);
  const [a, b] = tf.split(h, [half, n - half]);
  try {
    return await linearProbe(a, env.cleanClass.subarray(0, half), b, env.cleanClass.subarray(half), options);
  } finally {
    tf.dispose([h, a, b]);
  }
}

export async function overInvarianceReport(model: PredictsAndEmbeds, data: InvarianceDataset, options: { probe?: LinearProbeOptions } = {}): Promise<OverInvarianceReport> {
  let train = 0;
  for (const env of data.train) train += (await accuracyOn(model, env)) / data.train.length;
  const [validation, test, grey, halfFirst, halfSecond] = [
    await accuracyOn(model, data.validation),
    await accuracyOn(model, data.test),
    await accuracyOn(model, data.grey),
    await accuracyOn(model, data.halfFirst),
    await accuracyOn(model, data.halfSecond),
  ];
  const h = model.features(data.validation.x);
  const rank = effectiveRank(h);
  h.dispose();
  const probe = await probeAccuracy(model, data.validation, options.probe);
  return { train, validation, test, grey, halfFirst, halfSecond, worstHalf: Math.min(halfFirst, halfSecond), probe, effectiveRank: rank };
}
