/**
 * Continual-learning metrics from the task-by-task success matrix
 * (compoformer.md section 2 "Metrics", the official `dt/Metric.py`).
 *
 * a[i][j] = success on task j after finishing task i (N x N), a0[j] = success
 * on task j before any training.
 *   P   = mean_j a[N-1][j]                              average final performance
 *   F   = mean_i (a[i][i] - a[N-1][i])   over all N     forgetting (last term is 0)
 *   BWT = mean_{i<N-1} (a[N-1][i] - a[i][i])            backward transfer
 *   FWT = mean_{i<N-1} (a[i][i+1] - a0[i+1])            zero-shot transfer to the next task
 * FWT is the paper's zero-shot quantity, not Continual World's AUC-based one.
 */
import { OptionError, ShapeError } from '@paperkit/tensor-core';

export interface ContinualMetrics {
  /** Average final performance. */
  P: number;
  /** Forgetting, averaged over all N tasks. */
  F: number;
  /** Backward transfer (negative = forgetting). */
  BWT: number;
  /** Forward transfer: success on the next task before training on it, minus a0. NaN for N = 1. */
  FWT: number;
}

/** P, F, BWT and FWT of an N x N success matrix; `init` (a0) defaults to zeros. */
export function continualMetrics(matrix: ArrayLike<ArrayLike<number>>, init?: ArrayLike<number>): ContinualMetrics {
  const n = matrix?.length ?? 0;
  if (n === 0) throw new ShapeError('continualMetrics matrix', '[N, N] with N >= 1', '[0]');
  for (let i = 0; i < n; i++) {
    const row = matrix[i];
    if (!row || row.length !== n) throw new ShapeError(`continualMetrics matrix row ${i}`, `length ${n}`, row ? `length ${row.length}` : 'missing');
    for (let j = 0; j < n; j++) {
      if (!Number.isFinite(row[j])) throw new OptionError(`continualMetrics matrix[${i}][${j}]`, 'a finite number', row[j]);
    }
  }
  const a0 = init ?? new Array<number>(n).fill(0);
  if (a0.length !== n) throw new ShapeError('continualMetrics init', `length ${n}`, `length ${a0.length}`);
  for (let j = 0; j < n; j++) if (!Number.isFinite(a0[j])) throw new OptionError(`continualMetrics init[${j}]`, 'a finite number', a0[j]);

  const last = matrix[n - 1];
  let p = 0;
  let f = 0;
  for (let i = 0; i < n; i++) {
    p += last[i];
    f += matrix[i][i] - last[i];
  }
  let bwt = 0;
  let fwt = 0;
  for (let i = 0; i < n - 1; i++) {
    bwt += last[i] - matrix[i][i];
    fwt += matrix[i][i + 1] - a0[i + 1];
  }
  return {
    P: p / n,
    F: f / n,
    BWT: n > 1 ? bwt / (n - 1) : 0,
    FWT: n > 1 ? fwt / (n - 1) : Number.NaN,
  };
}
