/**
 * DivIL's contrastive term (spec section 2, step 4; official `ColoredMNIST/infonce.py`): an
 * InfoNCE on squared Euclidean distances between a sample's projection z_i and that of its
 * masked view z_j, with the other samples' un-augmented projections as negatives.
 *
 *   d+_n  = ||z_i,n - z_j,n||^2 / (2 tau)
 *   d_nm  = ||z_i,n - z_i,m||^2 / (2 tau)            (m != n)
 *   L_div = -mean_n log( e^{-d+_n} / (sum_{m in K_n} e^{-d_nm} + e^{-d+_n} + 1e-5) )
 *
 * K_n is every other row ('all', our default), or the K = min(floor(f B), maxNegatives, B - 1)
 * rows with the LARGEST distance ('farthest', what the official code does, which picks the
 * easiest negatives and looks unintended) or the smallest ('nearest', hard negatives).
 * tfjs has no gradient for topk, so the 0/1 selection is built as a constant inside a
 * zero-gradient custom op and multiplied in; the distances themselves carry the gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '@paperkit/tensor-core';

export type NegativeSelection = 'all' | 'farthest' | 'nearest';

export interface DistanceInfoNCEOptions {
  /** tau > 0. Default 0.5 (CMNIST script; its README command uses 0.7). */
  temperature?: number;
  /** Default 'all' (ours); the official code uses 'farthest'. */
  negatives?: NegativeSelection;
  /** Cap on K for 'farthest' / 'nearest'. Default 100 (official). */
  maxNegatives?: number;
  /** K <= floor(negativeFraction * B) for 'farthest' / 'nearest'. Default 0.7 (official). */
  negativeFraction?: number;
}

export const DISTANCE_INFONCE_DEFAULTS = Object.freeze({
  temperature: 0.5,
  negatives: 'all' as NegativeSelection,
  maxNegatives: 100,
  negativeFraction: 0.7,
});

/** Negatives per anchor for a batch of B rows. */
export function negativesPerAnchor(batch: number, options: DistanceInfoNCEOptions = {}): number {
  const o = { ...DISTANCE_INFONCE_DEFAULTS, ...options };
  if (o.negatives === 'all') return batch - 1;
  return Math.max(1, Math.min(Math.floor(o.negativeFraction * batch), o.maxNegatives, batch - 1));
}

type CustomGradFunction = Parameters<typeof tf.customGrad>[0];

/** 0/1 matrix of the selected negatives (self excluded), with zero gradient. */
function selectionMask(distances: tf.Tensor2D, mode: 'farthest' | 'nearest', k: number): tf.Tensor2D {
  const op = tf.customGrad(((d: tf.Tensor2D) => {
    const b = d.shape[0];
    const eye = tf.eye(b);
    // Score so that the wanted negatives rank highest; self gets -inf and is never picked.
    const score = tf.add(mode === 'farthest' ? d : tf.neg(d), tf.mul(eye, -1e30));
    const kth = tf.slice(tf.topk(score, k).values, [0, k - 1], [b, 1]);
    const value = tf.mul(tf.cast(tf.greaterEqual(score, kth), 'float32'), tf.sub(1, eye));
    return { value, gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  }) as unknown as CustomGradFunction);
  return op(distances) as tf.Tensor2D;
}

export function distanceInfoNCE(zi: tf.Tensor, zj: tf.Tensor, options: DistanceInfoNCEOptions = {}): tf.Scalar {
  const o = { ...DISTANCE_INFONCE_DEFAULTS, ...options };
  if (!(typeof o.temperature === 'number' && o.temperature > 0 && Number.isFinite(o.temperature))) {
    throw new OptionError('temperature', 'a finite number > 0', o.temperature);
  }
  if (!['all', 'farthest', 'nearest'].includes(o.negatives)) throw new OptionError('negatives', "'all', 'farthest' or 'nearest'", o.negatives);
  if (!(Number.isInteger(o.maxNegatives) && o.maxNegatives >= 1)) throw new OptionError('maxNegatives', 'an integer >= 1', o.maxNegatives);
  if (!(o.negativeFraction > 0 && o.negativeFraction <= 1)) throw new OptionError('negativeFraction', 'a number in (0, 1]', o.negativeFraction);
  if (zi.rank !== 2) throw new ShapeError('zi', '[B, D]', zi.shape);
  if (zj.rank !== 2 || zj.shape[0] !== zi.shape[0] || zj.shape[1] !== zi.shape[1]) throw new ShapeError('zj', `[${zi.shape.join(', ')}] (same as zi)`, zj.shape);
  const b = zi.shape[0];
  if (b < 2) throw new ShapeError('zi', '[B >= 2, D] (InfoNCE needs at least one negative per anchor)', zi.shape);
  const scale = 1 / (2 * o.temperature);
  return tf.tidy(() => {
    // Centre both views on z_i's mean: distances are unchanged, the Gram form loses less precision.
    const mu = tf.mean(zi, 0, true);
    const a = tf.sub(zi, mu);
    const c = tf.sub(zj, mu);
    const dPos = tf.mul(tf.sum(tf.square(tf.sub(a, c)), 1), scale);
    const sq = tf.sum(tf.square(a), 1);
    const gram = tf.matMul(a, a, false, true);
    const dAll = tf.mul(tf.relu(tf.sub(tf.add(tf.reshape(sq, [b, 1]), tf.reshape(sq, [1, b])), tf.mul(gram, 2))), scale) as tf.Tensor2D;
    const k = negativesPerAnchor(b, o);
    const mask = o.negatives === 'all' || k === b - 1 ? tf.sub(1, tf.eye(b)) : selectionMask(dAll, o.negatives as 'farthest' | 'nearest', k);
    const negSum = tf.sum(tf.mul(mask, tf.exp(tf.neg(dAll))), 1);
    const perAnchor = tf.add(dPos, tf.log(tf.add(tf.add(negSum, tf.exp(tf.neg(dPos))), 1e-5)));
    return tf.mean(perAnchor) as tf.Scalar;
  });
}
