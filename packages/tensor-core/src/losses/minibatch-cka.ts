/**
 * Minibatch CKA (Nguyen, Raghu & Kornblith 2021) and the CKA alignment loss.
 *
 * Linear CKA over a whole dataset needs every row at once. Minibatch CKA
 * averages the unbiased HSIC estimates of each batch instead,
 *   CKA_mb = mean_i HSIC_u(K_i, L_i) / sqrt(mean_i HSIC_u(K_i, K_i) * mean_i HSIC_u(L_i, L_i)),
 * which is unbiased in the batch count and so can be accumulated over an
 * evaluation set of any size (reprogramming-distill.md section 2: use it for
 * evaluation; per-batch biased CKA is the training loss). Per-batch HSICs are
 * read back as numbers once per `update`, so keep it out of training steps.
 */
import * as tf from '@tensorflow/tfjs';
import { PaperkitError, ShapeError } from '../errors.js';
import { hsic, linearCKA, rbfCKA } from './cka.js';

export class MinibatchCKA {
  private xy = 0;
  private xx = 0;
  private yy = 0;
  private count = 0;

  /** Number of batches accumulated so far. */
  get batches(): number {
    return this.count;
  }

  /** Add one batch of paired rows: x [n, p], y [n, q], n >= 4 (the unbiased estimator needs it). */
  update(x: tf.Tensor, y: tf.Tensor): void {
    if (x.rank !== 2) throw new ShapeError('MinibatchCKA x', '[n, p]', x.shape);
    if (y.rank !== 2 || y.shape[0] !== x.shape[0]) throw new ShapeError('MinibatchCKA y', `[${x.shape[0]}, q] (rows paired with x)`, y.shape);
    if ((x.shape[0] as number) < 4) throw new ShapeError('MinibatchCKA x', 'at least 4 rows per batch (unbiased HSIC)', x.shape);
    const stacked = tf.tidy(() => {
      const k = tf.matMul(x as tf.Tensor2D, x as tf.Tensor2D, false, true);
      const l = tf.matMul(y as tf.Tensor2D, y as tf.Tensor2D, false, true);
      return tf.stack([hsic(k, l, { debiased: true }), hsic(k, k, { debiased: true }), hsic(l, l, { debiased: true })]);
    });
    const [hxy, hxx, hyy] = stacked.dataSync();
    stacked.dispose();
    this.xy += hxy;
    this.xx += hxx;
    this.yy += hyy;
    this.count += 1;
  }

  /** The minibatch CKA of everything added so far. Throws before the first batch or when one side has no variance. */
  value(): number {
    if (this.count === 0) throw new PaperkitError('MinibatchCKA.value(): no batch has been added yet');
    const denominator = Math.sqrt(Math.max(this.xx, 0) * Math.max(this.yy, 0));
    if (denominator === 0) throw new PaperkitError('MinibatchCKA.value(): x or y has zero variance over the batches seen');
    return this.xy / denominator;
  }

  /** Forget every batch. */
  reset(): void {
    this.xy = this.xx = this.yy = 0;
    this.count = 0;
  }
}

export interface CKALossOptions {
  /** 'linear' (default) or 'rbf' (bandwidth: median pairwise distance unless `sigma` is given). */
  kernel?: 'linear' | 'rbf';
  /** Unbiased HSIC (n >= 4). Default false: the biased per-batch CKA the spec trains with. */
  debiased?: boolean;
  /** RBF bandwidth: one value for both inputs or [sigmaX, sigmaY]. */
  sigma?: number | [number, number];
}

/**
 * Feature-alignment loss 1 - CKA(x, y), differentiable in both inputs. A side
 * with no variance gives CKA 0, so the loss is 1 with a zero (finite) gradient.
 */
export function ckaLoss(x: tf.Tensor, y: tf.Tensor, options: CKALossOptions = {}): tf.Scalar {
  const { kernel = 'linear', debiased = false, sigma } = options;
  return tf.tidy(() => {
    const cka = kernel === 'rbf' ? rbfCKA(x, y, { debiased, sigma }) : linearCKA(x, y, { debiased });
    return tf.sub(1, cka) as tf.Scalar;
  });
}
