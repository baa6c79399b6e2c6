/**
 * Contrastive losses.
 *
 * infoNCE (van den Oord et al. 2018; the CLIP/SimCLR cross-view form): rows of
 * a and b are paired views, logits = a_n b_n^T / tau (a_n, b_n L2-normalised
 * rows by default), and each row i is a softmax classification whose correct
 * class is column i. `symmetric` averages the a->b and b->a directions.
 *
 * supervisedContrastive (Khosla et al. 2020, "L_out" form): features are
 * L2-normalised, s_ij = f_i . f_j / tau, and for every anchor i
 *   l_i = -1/|P(i)| sum_{p in P(i)} [ s_ip - log sum_{k != i} exp(s_ik) ],
 * P(i) = other samples with i's label. Anchors without a positive are left out
 * of the mean; if no anchor has one the loss is exactly 0 (never NaN). MoLA's
 * task-wise decorrelation loss is this loss on projected router outputs with
 * task ids as labels (mola.md section 2).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';

export interface InfoNCEOptions {
  /** Softmax temperature tau > 0. Default 0.1. */
  temperature?: number;
  /** Average the a->b and b->a losses. Default false. */
  symmetric?: boolean;
  /** L2-normalise rows first (cosine similarities). Default true. */
  normalize?: boolean;
}

export interface SupervisedContrastiveOptions {
  /** Softmax temperature tau > 0. Default 0.1. */
  temperature?: number;
  /**
   * How the per-pair terms -[s_ip - log sum_{k != i} exp(s_ik)] are averaged.
   * 'anchor' (default, Khosla's L_out): mean over positives within each anchor,
   * then over anchors. 'pair': one mean over every ordered positive pair (i, p),
   * which is MoLA's TwD loss (mola.md section 2); the two agree when every
   * anchor has the same number of positives.
   */
  reduction?: 'anchor' | 'pair';
}

function checkTemperature(tau: unknown): number {
  if (typeof tau !== 'number' || !(tau > 0) || !Number.isFinite(tau)) throw new OptionError('temperature', 'a positive number', tau);
  return tau;
}

/** Row-wise x / ||x||; the epsilon keeps the gradient finite for an all-zero row. */
export function l2NormalizeRows(x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, tf.rsqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-12))) as tf.Tensor2D);
}

export function infoNCE(a: tf.Tensor, b: tf.Tensor, options: InfoNCEOptions = {}): tf.Scalar {
  const tau = checkTemperature(options.temperature ?? 0.1);
  if (a.rank !== 2) throw new ShapeError('infoNCE a', '[B, D]', a.shape);
  if (b.rank !== 2 || b.shape[0] !== a.shape[0] || b.shape[1] !== a.shape[1]) {
    throw new ShapeError('infoNCE b', `[${a.shape.join(', ')}] (same as a)`, b.shape);
  }
  const n = a.shape[0] as number;
  return tf.tidy(() => {
    const normalize = options.normalize ?? true;
    const an = normalize ? l2NormalizeRows(a) : (a as tf.Tensor2D);
    const bn = normalize ? l2NormalizeRows(b) : (b as tf.Tensor2D);
    const logits = tf.div(tf.matMul(an, bn, false, true), tau);
    const eye = tf.eye(n);
    const direction = (z: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(eye, tf.logSoftmax(z, -1)), -1)));
    const forward = direction(logits);
    if (!options.symmetric) return forward as tf.Scalar;
    return tf.mul(tf.add(forward, direction(tf.transpose(logits))), 0.5) as tf.Scalar;
  });
}

/**
 * features [N, D]; labels: N integer labels (a JS array, or an int32 [N] tensor;
 * either way they only build constant masks, so they need no gradient).
 */
export function supervisedContrastive(
  features: tf.Tensor,
  labels: ArrayLike<number> | tf.Tensor,
  options: SupervisedContrastiveOptions = {},
): tf.Scalar {
  const tau = checkTemperature(options.temperature ?? 0.1);
  const reduction = options.reduction ?? 'anchor';
  if (reduction !== 'anchor' && reduction !== 'pair') throw new OptionError('reduction', "'anchor' or 'pair'", reduction);
  if (features.rank !== 2) throw new ShapeError('supervisedContrastive features', '[N, D]', features.shape);
  const n = features.shape[0] as number;
  const labelCount = labels instanceof tf.Tensor ? (labels.rank === 1 ? labels.shape[0] : -1) : labels.length;
  if (labelCount !== n) {
    throw new ShapeError('supervisedContrastive labels', `[${n}] (one label per feature row)`, labels instanceof tf.Tensor ? labels.shape : [labels.length]);
  }
  return tf.tidy(() => {
    const eye = tf.eye(n);
    let same: tf.Tensor2D;
    if (labels instanceof tf.Tensor) {
      const l = tf.cast(labels, 'int32');
      same = tf.cast(tf.equal(tf.reshape(l, [n, 1]), tf.reshape(l, [1, n])), 'float32') as tf.Tensor2D;
    } else {
      const m = new Float32Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = labels[i] === labels[j] ? 1 : 0;
      same = tf.tensor2d(m, [n, n]);
    }
    const positives = tf.sub(same, eye);
    const positiveCount = tf.sum(positives, -1);
    // 1 for anchors with at least one positive (counts are integers), else 0.
    const hasPositive = tf.minimum(positiveCount, 1);

    const f = l2NormalizeRows(features);
    const similarity = tf.div(tf.matMul(f, f, false, true), tau);
    // log sum_{k != i} exp(s_ik), shifted by the constant 1/tau: rows are unit vectors, so s_ik <= 1/tau
    // (no overflow) and every term is >= exp(-2/tau) (no underflow for tau >= 0.023; below that the sum is
    // floored at the smallest normal float). A constant shift keeps tf.max and its slow backward off the tape;
    // the self term is removed by multiplying with the constant off-diagonal mask.
    const shift = 1 / tau;
    const offDiagonal = tf.sub(1, eye);
    const terms = tf.mul(tf.exp(tf.sub(similarity, shift)), offDiagonal);
    const logDenominator = tf.add(tf.log(tf.maximum(tf.sum(terms, -1, true), 1.2e-38)), shift);
    const logProb = tf.sub(similarity, logDenominator);
    if (reduction === 'pair') {
      const pairs = tf.sum(positives);
      return tf.div(tf.neg(tf.sum(tf.mul(positives, logProb))), tf.maximum(pairs, 1)) as tf.Scalar;
    }
    const perAnchor = tf.div(tf.sum(tf.mul(positives, logProb), -1), tf.maximum(positiveCount, 1));
    const anchors = tf.sum(hasPositive);
    return tf.div(tf.neg(tf.sum(tf.mul(perAnchor, hasPositive))), tf.maximum(anchors, 1)) as tf.Scalar;
  });
}
