/** Training rows shared by the baselines: a teacher cache, or raw {x, y} (one clean copy). */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { checkLabels, oneHot } from '../labels.js';
import type { TeacherCache } from '../teacher-cache.js';

export type BaselineData = TeacherCache | { x: tf.Tensor; y: ArrayLike<number> | tf.Tensor };

export interface Rows {
  x: tf.Tensor;
  labels: tf.Tensor2D;
  /** Teacher features when the data is a cache. */
  features: tf.Tensor2D | null;
  rows: number;
  dispose(): void;
}

export function isTeacherCache(data: BaselineData): data is TeacherCache {
  return (data as TeacherCache).features instanceof tf.Tensor && (data as TeacherCache).labels instanceof tf.Tensor;
}

export function baselineRows(data: BaselineData, numClasses: number, option: string): Rows {
  if (!data || !((data as { x?: unknown }).x instanceof tf.Tensor)) throw new OptionError(option, 'a teacher cache or {x, y}', typeof data);
  if (isTeacherCache(data)) {
    if (data.numClasses !== numClasses) throw new OptionError(option, `a cache built for numClasses = ${numClasses}`, data.numClasses);
    return { x: data.x, labels: data.labels, features: data.features, rows: data.x.shape[0] as number, dispose() {} };
  }
  const n = data.x.shape[0] as number;
  const labels = oneHot(checkLabels(data.y, n, numClasses), numClasses);
  return { x: data.x, labels, features: null, rows: n, dispose: () => labels.dispose() };
}

/** Shared training knobs of every baseline (the spec: same data, augmentation and steps as RD). */
export interface BaselineTraining {
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: number | string;
  progress?: boolean | string;
}

export const BASELINE_TRAINING_DEFAULTS = Object.freeze({ steps: 600, batchSize: 64, lr: 3e-3, seed: 0 });

export function training(o: BaselineTraining) {
  const d = BASELINE_TRAINING_DEFAULTS;
  return { steps: o.steps ?? d.steps, batchSize: o.batchSize ?? d.batchSize, lr: o.lr ?? d.lr, seed: o.seed ?? d.seed, progress: o.progress };
}
