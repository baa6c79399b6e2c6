/**
 * Task-wise Decorrelation loss (mola.md section 2; official scl_loss.py
 * `moe_cl_loss`). Router outputs are projected, u_n = scores_n P + c, and
 * normalised, u^_n = u_n / ||u_n||; with S_mn = exp(u^_m . u^_n / tau) and
 * S_nn := 0,
 *   L_TwD = mean over ordered pairs (n, m), m != n, task(m) = task(n), of
 *           -log( S_mn / sum_k S_kn ).
 * This is tensor-core's supervisedContrastive with task ids as labels and the
 * 'pair' reduction. It is never exactly 0 at tau = 1. A batch in which no task
 * has two samples has no pair: the loss is 0 (with a warning), never NaN.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, supervisedContrastive } from '@paperkit/tensor-core';

export interface TwDLossOptions {
  /** tau > 0. Default 1 (official). */
  temperature?: number;
  /** Projection P [E, D] (and bias c [D]) applied before normalising; omitted = no projection. */
  projection?: { kernel: tf.Tensor; bias?: tf.Tensor | null };
  /** Called when the batch has no same-task pair. Default console.warn; pass null to silence. */
  warn?: ((message: string) => void) | null;
}

/** routerOut [N, E] (router logits, or gates), taskIds: N task ids (JS array or int32 tensor). */
export function twdLoss(routerOut: tf.Tensor, taskIds: ArrayLike<number> | tf.Tensor, options: TwDLossOptions = {}): tf.Scalar {
  if (routerOut.rank !== 2) throw new ShapeError('twdLoss routerOut', '[N, E]', routerOut.shape);
  const n = routerOut.shape[0] as number;
  const ids = taskIds instanceof tf.Tensor ? (taskIds.dataSync() as ArrayLike<number>) : taskIds;
  if (ids.length !== n) throw new ShapeError('twdLoss taskIds', `[${n}] (one task id per row)`, [ids.length]);
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const t = ids[i];
    if (!Number.isInteger(t) || t < 0) throw new OptionError(`twdLoss taskIds[${i}]`, 'a non-negative integer', t);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const tau = options.temperature ?? 1;
  if (!(tau > 0) || !Number.isFinite(tau)) throw new OptionError('twd.temperature', 'a positive number', tau);
  if (![...counts.values()].some((c) => c >= 2)) {
    const warn = options.warn === undefined ? console.warn : options.warn;
    warn?.('twdLoss: no task has two samples in this batch, so there is no same-task pair; returning 0');
    return tf.scalar(0);
  }
  return tf.tidy(() => {
    let u: tf.Tensor = routerOut;
    const p = options.projection;
    if (p) {
      if (p.kernel.rank !== 2 || p.kernel.shape[0] !== routerOut.shape[1]) {
        throw new ShapeError('twdLoss projection.kernel', `[${routerOut.shape[1]}, D]`, p.kernel.shape);
      }
      u = tf.matMul(routerOut as tf.Tensor2D, p.kernel as tf.Tensor2D);
      if (p.bias) u = tf.add(u, p.bias);
    }
    return supervisedContrastive(u, Array.from(ids), { temperature: tau, reduction: 'pair' });
  });
}
