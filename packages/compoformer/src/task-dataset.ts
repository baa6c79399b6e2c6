/**
 * One task's offline data: a list of trajectories, with the per-task state
 * normalisation and return-to-go scale a Decision Transformer needs
 * (harmodt.md S1: R_t = sum_{t' >= t} r_t'; conditioning R_t / scale).
 * Accepts D4RL-style flat arrays (split at terminal or timeout) or a
 * trajectory list; every array is checked for length and finite values.
 */
import { FormatError, OptionError, ShapeError } from '@paperkit/tensor-core';

export interface Trajectory {
  /** [T * stateDim] row-major, or T rows. */
  observations: ArrayLike<number> | ArrayLike<number>[];
  /** [T * actDim] row-major, or T rows; actions in [-1, 1]. */
  actions: ArrayLike<number> | ArrayLike<number>[];
  rewards: ArrayLike<number>;
}

export interface D4RLArrays {
  observations: ArrayLike<number> | ArrayLike<number>[];
  actions: ArrayLike<number> | ArrayLike<number>[];
  rewards: ArrayLike<number>;
  terminals?: ArrayLike<number | boolean>;
  timeouts?: ArrayLike<number | boolean>;
}

/** A checked trajectory: flat Float32Arrays. */
export interface Episode {
  observations: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  length: number;
}

/** The per-task constants saved with a learner: state normalisation and return scale/target. */
export interface TaskNormalization {
  stateMean: Float32Array;
  stateStd: Float32Array;
  /** Returns-to-go are divided by this. */
  returnScale: number;
  /** R_0 at inference (best episode return in the data, ~expert). */
  targetReturn: number;
}

function flatten(name: string, x: ArrayLike<number> | ArrayLike<number>[], rows: number, width: number): Float32Array {
  const first = (x as ArrayLike<unknown>)[0];
  const nested = rows > 0 && typeof first === 'object' && first !== null;
  const out = new Float32Array(rows * width);
  if (nested) {
    const list = x as ArrayLike<number>[];
    if (list.length !== rows) throw new ShapeError(name, `${rows} rows`, `${list.length} rows`);
    for (let r = 0; r < rows; r++) {
      if (list[r].length !== width) throw new ShapeError(`${name}[${r}]`, `[${width}]`, `[${list[r].length}]`);
      for (let c = 0; c < width; c++) out[r * width + c] = list[r][c];
    }
  } else {
    const flat = x as ArrayLike<number>;
    if (flat.length !== rows * width) throw new ShapeError(name, `[${rows} * ${width}] = ${rows * width} values`, `${flat.length} values`);
    for (let i = 0; i < out.length; i++) out[i] = flat[i];
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw new FormatError(name, `non-finite value ${out[i]}`, `row ${Math.floor(i / width)}`);
  }
  return out;
}

export class TaskDataset {
  private constructor(
    readonly stateDim: number,
    readonly actDim: number,
    readonly episodes: Episode[],
  ) {}

  /** From a list of trajectories (each at least one step). */
  static fromTrajectories(trajectories: Trajectory[], dims: { stateDim: number; actDim: number }): TaskDataset {
    const { stateDim, actDim } = dims;
    if (!Number.isInteger(stateDim) || stateDim < 1) throw new OptionError('stateDim', 'a positive integer', stateDim);
    if (!Number.isInteger(actDim) || actDim < 1) throw new OptionError('actDim', 'a positive integer', actDim);
    if (!Array.isArray(trajectories) || trajectories.length === 0) throw new OptionError('trajectories', 'a non-empty list of trajectories', trajectories);
    const episodes = trajectories.map((t, i) => {
      const length = t.rewards?.length ?? 0;
      if (length < 1) throw new ShapeError(`trajectories[${i}].rewards`, '[T >= 1]', `[${length}]`);
      const rewards = flatten(`trajectories[${i}].rewards`, t.rewards, length, 1);
      return {
        observations: flatten(`trajectories[${i}].observations`, t.observations, length, stateDim),
        actions: flatten(`trajectories[${i}].actions`, t.actions, length, actDim),
        rewards,
        length,
      };
    });
    return new TaskDataset(stateDim, actDim, episodes);
  }

  /** From D4RL-style flat arrays; episodes end at a terminal or timeout flag (and at the end of the arrays). */
  static fromD4RL(data: D4RLArrays, dims: { stateDim: number; actDim: number }): TaskDataset {
    const n = data.rewards?.length ?? 0;
    if (n < 1) throw new ShapeError('rewards', '[N >= 1]', `[${n}]`);
    const obs = flatten('observations', data.observations, n, dims.stateDim);
    const act = flatten('actions', data.actions, n, dims.actDim);
    const rew = flatten('rewards', data.rewards, n, 1);
    for (const key of ['terminals', 'timeouts'] as const) {
      const flags = data[key];
      if (flags && flags.length !== n) throw new ShapeError(key, `[${n}] (same length as rewards)`, `[${flags.length}]`);
    }
    const trajectories: Trajectory[] = [];
    let start = 0;
    for (let i = 0; i < n; i++) {
      const end = Boolean(data.terminals?.[i]) || Boolean(data.timeouts?.[i]) || i === n - 1;
      if (!end) continue;
      trajectories.push({
        observations: obs.subarray(start * dims.stateDim, (i + 1) * dims.stateDim),
        actions: act.subarray(start * dims.actDim, (i + 1) * dims.actDim),
        rewards: rew.subarray(start, i + 1),
      });
      start = i + 1;
    }
    return TaskDataset.fromTrajectories(trajectories, dims);
  }

  get size(): number {
    return this.episodes.reduce((a, e) => a + e.length, 0);
  }

  /** Per-task state mean/std (std floored at 1e-6) and the return scale/target from the best episode. */
  normalization(): TaskNormalization {
    const S = this.stateDim;
    const mean = new Float64Array(S);
    const sq = new Float64Array(S);
    let rows = 0;
    let best = -Infinity;
    for (const e of this.episodes) {
      for (let t = 0; t < e.length; t++) for (let j = 0; j < S; j++) {
        const v = e.observations[t * S + j];
        mean[j] += v;
        sq[j] += v * v;
      }
      rows += e.length;
      best = Math.max(best, e.rewards.reduce((a, r) => a + r, 0));
    }
    const stateMean = new Float32Array(S);
    const stateStd = new Float32Array(S);
    for (let j = 0; j < S; j++) {
      stateMean[j] = mean[j] / rows;
      stateStd[j] = Math.max(1e-6, Math.sqrt(Math.max(0, sq[j] / rows - stateMean[j] ** 2)));
    }
    const returnScale = Math.max(Math.abs(best), 1e-6);
    return { stateMean, stateStd, returnScale, targetReturn: best };
  }
}
