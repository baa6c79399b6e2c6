/**
 * Centered kernel alignment (Kornblith et al. 2019) as a differentiable
 * tf.Scalar, for reprogramming-distill's feature-alignment loss (1 - CKA) and
 * for representation diagnostics (reprogramming-distill.md section 2).
 *
 * X [n, p] and Y [n, q] have paired rows. With kernels K (from X) and L (from Y),
 * H = I - 11^T / n:
 *   biased HSIC    HSIC_b(K, L) = tr(K H L H) / (n - 1)^2
 *   unbiased HSIC  HSIC_u(K, L) (Song et al. 2012): with K~, L~ the kernels with
 *                  zeroed diagonals,
 *                  [tr(K~ L~) + (1'K~1)(1'L~1) / ((n-1)(n-2)) - 2/(n-2) 1'K~L~1] / (n (n-3))
 *   CKA(K, L) = HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)).
 *
 * Numerics (reprogramming-distill.md section 2): features are centred by
 * subtracting column means (H is never built) and divided by their Frobenius
 * norm (CKA is scale invariant; this avoids 4th powers overflowing float32).
 * Biased linear CKA uses the feature-space form
 *   ||Yc' Xc||_F^2 / (||Xc' Xc||_F ||Yc' Yc||_F)
 * when max(p, q) <= n (cheaper) and the equivalent Gram form otherwise. The
 * denominator is floored at 1e-30 before the square root, so constant
 * (zero-variance) features give CKA = 0 with finite (zero) gradients rather
 * than NaN. Unbiased values may fall slightly outside [0, 1]; they are not clamped.
 *
 * RBF kernel: k(x, x') = exp(-||x - x'||^2 / (2 sigma^2)). Default sigma =
 * median pairwise Euclidean distance (over i < j) of that input, chosen per
 * input, read once with dataSync (tfjs has no median op) and treated as a
 * constant: no gradient flows through the bandwidth choice. This default makes
 * RBF CKA invariant to isotropic scaling of either input.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';

export interface CKAOptions {
  /** Use the unbiased HSIC estimator of Song et al. 2012 (needs n >= 4). Default false. */
  debiased?: boolean;
  /** Linear biased CKA only: 'auto' (default), 'feature' or 'gram' evaluation. */
  form?: 'auto' | 'feature' | 'gram';
}

export interface RBFCKAOptions {
  /** Bandwidth: one value for both inputs or [sigmaX, sigmaY]. Default: median pairwise distance of each input. */
  sigma?: number | [number, number];
  /** Multiplies the median-distance default (ignored when sigma is given). Default 1. */
  sigmaFraction?: number;
  debiased?: boolean;
}

const DENOMINATOR_FLOOR = 1e-30;

function checkPair(x: tf.Tensor, y: tf.Tensor, minRows: number): number {
  if (x.rank !== 2) throw new ShapeError('CKA X', '[n, p]', x.shape);
  if (y.rank !== 2 || y.shape[0] !== x.shape[0]) throw new ShapeError('CKA Y', `[${x.shape[0]}, q] (rows paired with X)`, y.shape);
  const n = x.shape[0] as number;
  if (n < minRows) throw new ShapeError('CKA X', `at least ${minRows} rows${minRows === 4 ? ' for the debiased estimator' : ''}`, x.shape);
  return n;
}

/** Column-centred, Frobenius-normalised copy of x (epsilon keeps the gradient finite for constant x). */
function centreAndScale(x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const centred = tf.sub(x, tf.mean(x, 0, true));
    return tf.mul(centred, tf.rsqrt(tf.add(tf.sum(tf.square(centred)), 1e-12))) as tf.Tensor2D;
  });
}

/** Double-centred kernel H K H without building H. */
function doubleCentre(k: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const rowMeans = tf.mean(k, 1, true);
    const colMeans = tf.mean(k, 0, true);
    return tf.add(tf.sub(tf.sub(k, rowMeans), colMeans), tf.mean(k));
  });
}

/**
 * HSIC of two [n, n] kernel matrices: biased tr(K H L H) / (n-1)^2 by default,
 * Song et al.'s unbiased U-statistic with `debiased` (n >= 4).
 * Hand values (reprogramming-distill.md section 7): K = [[1,.5,0,0],[.5,1,0,0],[0,0,1,.5],[0,0,.5,1]]
 * gives HSIC_b(K, K) = 11/36 and HSIC_u(K, K) = 1/6.
 */
export function hsic(k: tf.Tensor, l: tf.Tensor, options: { debiased?: boolean } = {}): tf.Scalar {
  if (k.rank !== 2 || k.shape[0] !== k.shape[1]) throw new ShapeError('hsic K', '[n, n]', k.shape);
  const n = k.shape[0] as number;
  if (l.rank !== 2 || l.shape[0] !== n || l.shape[1] !== n) throw new ShapeError('hsic L', `[${n}, ${n}]`, l.shape);
  if (options.debiased) {
    if (n < 4) throw new ShapeError('hsic K', 'n >= 4 for the unbiased estimator', k.shape);
    return tf.tidy(() => {
      const offDiagonal = tf.sub(1, tf.eye(n));
      const kt = tf.mul(k, offDiagonal);
      const lt = tf.mul(l, offDiagonal);
      const trace = tf.sum(tf.mul(kt, lt));
      const sums = tf.div(tf.mul(tf.sum(kt), tf.sum(lt)), (n - 1) * (n - 2));
      // 1' K~ L~ 1 = (column sums of K~) . (row sums of L~)
      const cross = tf.mul(tf.sum(tf.mul(tf.sum(kt, 0), tf.sum(lt, 1))), 2 / (n - 2));
      return tf.div(tf.sub(tf.add(trace, sums), cross), n * (n - 3)) as tf.Scalar;
    });
  }
  return tf.tidy(() => tf.div(tf.sum(tf.mul(doubleCentre(k), doubleCentre(l))), (n - 1) * (n - 1)) as tf.Scalar);
}

/** hxy / sqrt(hxx hyy) with the denominator floored (no NaN for constant inputs). */
function ratio(hxy: tf.Tensor, hxx: tf.Tensor, hyy: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const product = tf.mul(tf.relu(hxx), tf.relu(hyy));
    return tf.div(hxy, tf.sqrt(tf.maximum(product, DENOMINATOR_FLOOR))) as tf.Scalar;
  });
}

function ckaFromKernels(k: tf.Tensor, l: tf.Tensor, debiased: boolean): tf.Scalar {
  return tf.tidy(() => ratio(hsic(k, l, { debiased }), hsic(k, k, { debiased }), hsic(l, l, { debiased })));
}

/** Linear CKA of X [n, p] and Y [n, q]. Invariant to orthogonal transforms, isotropic scaling and translation. */
export function linearCKA(x: tf.Tensor, y: tf.Tensor, options: CKAOptions = {}): tf.Scalar {
  const debiased = options.debiased ?? false;
  const n = checkPair(x, y, debiased ? 4 : 2);
  const form = options.form ?? 'auto';
  if (form !== 'auto' && form !== 'feature' && form !== 'gram') throw new OptionError('form', "'auto' | 'feature' | 'gram'", form);
  return tf.tidy(() => {
    const xs = centreAndScale(x);
    const ys = centreAndScale(y);
    if (debiased) return ckaFromKernels(tf.matMul(xs, xs, false, true), tf.matMul(ys, ys, false, true), true);
    const useFeature = form === 'feature' || (form === 'auto' && Math.max(x.shape[1] as number, y.shape[1] as number) <= n);
    if (useFeature) {
      const hxy = tf.sum(tf.square(tf.matMul(ys, xs, true, false)));
      const hxx = tf.sum(tf.square(tf.matMul(xs, xs, true, false)));
      const hyy = tf.sum(tf.square(tf.matMul(ys, ys, true, false)));
      return ratio(hxy, hxx, hyy);
    }
    // Centred features make K = Xs Xs' already double-centred, so <K, L>_F is tr(KHLH) up to the cancelling (n-1)^2.
    const k = tf.matMul(xs, xs, false, true);
    const l = tf.matMul(ys, ys, false, true);
    return ratio(tf.sum(tf.mul(k, l)), tf.sum(tf.square(k)), tf.sum(tf.square(l)));
  });
}

/** Squared Euclidean distances [n, n] (clamped at 0, exact zero diagonal). */
export function pairwiseSquaredDistances(x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const n = x.shape[0] as number;
    const centred = tf.sub(x, tf.mean(x, 0, true));
    const gram = tf.matMul(centred as tf.Tensor2D, centred as tf.Tensor2D, false, true);
    const norms = tf.sum(tf.square(centred), 1);
    const d2 = tf.sub(tf.add(tf.reshape(norms, [n, 1]), tf.reshape(norms, [1, n])), tf.mul(gram, 2));
    return tf.mul(tf.relu(d2), tf.sub(1, tf.eye(n))) as tf.Tensor2D;
  });
}

/** Median of the pairwise distances over i < j (JS side); 1 when every distance is 0. */
export function medianPairwiseDistance(squaredDistances: tf.Tensor): number {
  const n = squaredDistances.shape[0] as number;
  const values = squaredDistances.dataSync();
  const upper: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) upper.push(Math.sqrt(values[i * n + j]));
  if (upper.length === 0) return 1;
  upper.sort((a, b) => a - b);
  const mid = upper.length >> 1;
  const median = upper.length % 2 === 1 ? upper[mid] : 0.5 * (upper[mid - 1] + upper[mid]);
  return median > 0 ? median : 1;
}

/** RBF-kernel CKA of X [n, p] and Y [n, q]; see the file comment for the bandwidth default. */
export function rbfCKA(x: tf.Tensor, y: tf.Tensor, options: RBFCKAOptions = {}): tf.Scalar {
  const debiased = options.debiased ?? false;
  checkPair(x, y, debiased ? 4 : 2);
  const fraction = options.sigmaFraction ?? 1;
  if (!(fraction > 0)) throw new OptionError('sigmaFraction', 'a positive number', options.sigmaFraction);
  const sigmas = options.sigma === undefined ? undefined : Array.isArray(options.sigma) ? options.sigma : [options.sigma, options.sigma];
  if (sigmas && !sigmas.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s))) {
    throw new OptionError('sigma', 'a positive number or [sigmaX, sigmaY]', options.sigma);
  }
  return tf.tidy(() => {
    const kernel = (input: tf.Tensor, which: number) => {
      const d2 = pairwiseSquaredDistances(input);
      const sigma = sigmas ? sigmas[which] : fraction * medianPairwiseDistance(d2);
      return tf.exp(tf.div(d2, -2 * sigma * sigma));
    };
    return ckaFromKernels(kernel(x, 0), kernel(y, 1), debiased);
  });
}
