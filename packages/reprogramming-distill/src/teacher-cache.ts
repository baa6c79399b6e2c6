/**
 * Cached teacher features (spec sections 2 and 5, speed note). The FM is frozen, so for
 * feature-space RD its features of every (jittered) training input are computed once:
 * `copies` augmented copies of each example, the student trains on the same copies.
 * Row r = c * n + i is copy c of example i.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, toRng, type Rng, type Seed } from '@paperkit/tensor-core';
import type { Augment } from './augment.js';
import { checkFeatureShape, checkFinite, teacherFeatureFn, type Teacher } from './teacher-features.js';
import { checkLabels, oneHot } from './labels.js';

export interface TeacherCache {
  /** Student inputs, [copies * n, ...] (augmented copies of the training inputs). */
  x: tf.Tensor;
  /** Teacher features of exactly those inputs, [copies * n, p_T]. */
  features: tf.Tensor2D;
  /** One-hot labels, [copies * n, K]. */
  labels: tf.Tensor2D;
  /** Class ids of the rows, length copies * n. */
  classIds: Int32Array;
  numClasses: number;
  copies: number;
  /** Examples per copy. */
  n: number;
  /** Free the cached tensors. */
  dispose(): void;
}

export interface CacheTeacherOptions {
  teacher: Teacher;
  teacherFeatureLayer?: string;
  data: { x: tf.Tensor; y: ArrayLike<number> | tf.Tensor };
  numClasses: number;
  /** Augmentation of each copy; without it there is one (clean) copy. */
  augment?: Augment;
  /** Jittered copies per example when `augment` is given. Default 8 (spec section 5). */
  copies?: number;
  /** Rows per teacher forward. Default 256. */
  batchSize?: number;
  seed?: Seed;
  rng?: Rng;
}

export const CACHE_TEACHER_DEFAULTS = Object.freeze({ copies: 8, batchSize: 256 });

/** Run the frozen teacher once over `copies` augmented copies of the data and keep the features. */
export function cacheTeacherFeatures(options: CacheTeacherOptions): TeacherCache {
  const { data, numClasses } = options;
  if (!data || !(data.x instanceof tf.Tensor)) throw new OptionError('data.x', 'a tf.Tensor [n, ...]', typeof data?.x);
  const n = data.x.shape[0] as number;
  if (data.x.rank < 2 || n < 1) throw new ShapeError('data.x', '[n, ...] with n >= 1', data.x.shape);
  const ids = checkLabels(data.y, n, numClasses);
  const copies = options.augment ? (options.copies ?? CACHE_TEACHER_DEFAULTS.copies) : 1;
  if (!Number.isInteger(copies) || copies < 1) throw new OptionError('cacheTeacher.copies', 'an integer >= 1', copies);
  const batchSize = options.batchSize ?? CACHE_TEACHER_DEFAULTS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError('cacheTeacher.batchSize', 'an integer >= 1', batchSize);
  const featureFn = teacherFeatureFn(options.teacher, options.teacherFeatureLayer);
  const rng = options.rng ?? toRng(options.seed ?? 0);
  const { x, features } = tf.tidy(() => {
    const xs: tf.Tensor[] = [];
    for (let c = 0; c < copies; c++) xs.push(options.augment ? options.augment(data.x, rng.fork(`copy${c}`)) : data.x);
    const all = copies === 1 ? tf.clone(xs[0]) : tf.concat(xs, 0);
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < all.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, all.shape[0] - start);
      const chunk = tf.slice(all, start, size);
      const h = featureFn(chunk);
      checkFeatureShape('teacher features', h, size);
      parts.push(h);
    }
    return { x: all, features: (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor2D };
  });
  try {
    checkFinite('teacher features', features);
  } catch (error) {
    tf.dispose([x, features]);
    throw error;
  }
  const classIds = new Int32Array(copies * n);
  for (let c = 0; c < copies; c++) classIds.set(ids, c * n);
  const labels = oneHot(classIds, numClasses);
  return {
    x,
    features,
    labels,
    classIds,
    numClasses,
    copies,
    n,
    dispose: () => tf.dispose([x, features, labels]),
  };
}
