/**
 * Per-task state normalisation and the return-to-go scale (harmodt.md §2 "Data": per-task
 * state mean/std; §S1: returns are divided by `scale`). A trained policy carries this object
 * and checkpoints save it, so evaluation and deployment normalise exactly as training did.
 */
import { FormatError, ShapeError } from '@paperkit/tensor-core';

export interface Normalization {
  /** Task names, index = task id. */
  taskNames: string[];
  stateDim: number;
  actDim: number;
  /** stateMean[task][j]. */
  stateMean: number[][];
  /** stateStd[task][j] (>= 1e-6; constant features get std 1). */
  stateStd: number[][];
  /** Returns-to-go are divided by this before entering the model. */
  rtgScale: number;
  /** Size of the timestep embedding table (longest episode the model can see). */
  maxEpisodeLength: number;
  /** Default evaluation target return per task (the best return in the training data, harmodt.md §5). */
  targetReturns?: number[];
}

/** (s - mean_task) / std_task, written into `out` at `offset`. */
export function normalizeStateInto(norm: Normalization, task: number, state: ArrayLike<number>, out: Float32Array, offset: number): void {
  const mean = norm.stateMean[task];
  const std = norm.stateStd[task];
  for (let j = 0; j < norm.stateDim; j++) out[offset + j] = (state[j] - mean[j]) / std[j];
}

/** Identity normalisation (mean 0, std 1) for `numTasks` tasks. */
export function identityNormalization(opts: { taskNames: string[]; stateDim: number; actDim: number; rtgScale?: number; maxEpisodeLength: number }): Normalization {
  return {
    taskNames: [...opts.taskNames],
    stateDim: opts.stateDim,
    actDim: opts.actDim,
    stateMean: opts.taskNames.map(() => new Array(opts.stateDim).fill(0)),
    stateStd: opts.taskNames.map(() => new Array(opts.stateDim).fill(1)),
    rtgScale: opts.rtgScale ?? 1,
    maxEpisodeLength: opts.maxEpisodeLength,
  };
}

/** Check a parsed Normalization (e.g. from a checkpoint's JSON); throws FormatError naming the field. */
export function checkNormalization(value: unknown, source = 'normalization'): Normalization {
  const n = value as Normalization;
  const fail = (why: string) => {
    throw new FormatError(source, why);
  };
  if (n === null || typeof n !== 'object') fail('expected an object');
  if (!Array.isArray(n.taskNames) || n.taskNames.length === 0) fail('taskNames must be a non-empty array');
  if (!Number.isInteger(n.stateDim) || n.stateDim < 1) fail('stateDim must be a positive integer');
  if (!Number.isInteger(n.actDim) || n.actDim < 1) fail('actDim must be a positive integer');
  if (!(n.rtgScale > 0)) fail('rtgScale must be > 0');
  if (!Number.isInteger(n.maxEpisodeLength) || n.maxEpisodeLength < 1) fail('maxEpisodeLength must be a positive integer');
  for (const key of ['stateMean', 'stateStd'] as const) {
    const rows = n[key];
    if (!Array.isArray(rows) || rows.length !== n.taskNames.length) fail(`${key} must have one row per task`);
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== n.stateDim) throw new ShapeError(`${source}.${key}[${i}]`, `[${n.stateDim}]`, Array.isArray(row) ? [row.length] : 'not an array');
      if (!row.every(Number.isFinite)) fail(`${key}[${i}] has a non-finite value`);
    });
  }
  return n;
}
