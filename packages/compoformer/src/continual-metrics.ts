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
 * FWT is the paper's zero-shot quantity, not Continual World's AUC-based one
 * (see `aucForwardTransfer` for that). Only the cells these formulas read
 * (diagonal, last row, first superdiagonal) must be finite; the others may be
 * NaN ("not measured"), which lets an evaluation skip them.
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
      const used = i === j || i === n - 1 || j === i + 1;
      if (used && !Number.isFinite(row[j])) throw new OptionError(`continualMetrics matrix[${i}][${j}]`, 'a finite number', row[j]);
      if (!used && !(Number.isFinite(row[j]) || Number.isNaN(row[j]))) throw new OptionError(`continualMetrics matrix[${i}][${j}]`, 'a finite number or NaN (not measured)', row[j]);
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

/**
 * Continual World's forward transfer (Wolczyk et al. 2021), for comparison with
 * the paper's zero-shot FWT: per task, the normalised area between the
 * continual learner's success curve and a reference (single-task) curve,
 *   FWT_i = (AUC_i - AUCref_i) / (1 - AUCref_i),
 * with AUC the mean success over the curve's evaluation points. Returns the mean over tasks.
 */
export function aucForwardTransfer(curves: ArrayLike<number>[], reference: ArrayLike<number>[]): number {
  if (curves.length === 0 || curves.length !== reference.length) {
    throw new ShapeError('aucForwardTransfer reference', `${curves.length} curves (one per task, N >= 1)`, `${reference.length}`);
  }
  let total = 0;
  curves.forEach((c, i) => {
    const r = reference[i];
    if (c.length === 0 || c.length !== r.length) throw new ShapeError(`aucForwardTransfer curve ${i}`, `${r.length} points (same as its reference, >= 1)`, `${c.length}`);
    const auc = Array.from(c).reduce((a, v) => a + v, 0) / c.length;
    const ref = Array.from(r).reduce((a, v) => a + v, 0) / r.length;
    total += ref < 1 ? (auc - ref) / (1 - ref) : 0;
  });
  return total / curves.length;
}
