/**
 * Offline trajectory datasets for one or many tasks (harmodt.md §6 "Your own data").
 *
 * - `fromD4RL({[task]: {observations, actions, rewards, terminals, timeouts}})`: D4RL's flat
 *   step arrays (Float32Array with a row width, or number[][]); episodes end after a step whose
 *   terminal or timeout flag is set (a trailing unfinished episode is kept).
 * - `fromTrajectories([{task, observations, actions, rewards}])`: one entry per episode.
 *
 * Every value is checked (lengths, widths, finiteness, non-empty tasks) and rejected with a
 * typed error naming the task, field and row. States are normalised per task with the
 * task's own mean/std (§2 "Data"); returns-to-go (§S1) are divided by one dataset-wide
 * `rtgScale` (default: the largest episode return, so conditioning stays near [0, 1]).
 */
import { FormatError, OptionError, ShapeError, type Rng } from '@paperkit/tensor-core';
import { normalizeStateInto, type Normalization } from './normalization.js';
import { returnToGo } from './return-to-go.js';
import { emptyPromptBatch, emptyWindowBatch, type PromptBatch, type WindowBatch } from './window-batch.js';

/** Flat step arrays: a Float32Array/number[] of N*width values, or N rows of width values. */
export type StepArray = Float32Array | number[] | number[][];

/** One task in D4RL layout. */
export interface D4RLTaskData {
  observations: StepArray;
  actions: StepArray;
  rewards: ArrayLike<number>;
  /** Episode ended by the environment (defaults to all false). */
  terminals?: ArrayLike<number | boolean>;
  /** Episode cut by a time limit (defaults to all false). */
  timeouts?: ArrayLike<number | boolean>;
}

/** One episode of one task. */
export interface TrajectoryInput {
  task: string;
  observations: StepArray;
  actions: StepArray;
  rewards: ArrayLike<number>;
}

/** A stored episode (states raw and normalised, returns-to-go raw). */
export interface Episode {
  task: number;
  length: number;
  observations: Float32Array;
  normalizedStates: Float32Array;
  actions: Float32Array;
  rewards: Float32Array;
  returnsToGo: Float32Array;
  /** Σ r_t. */
  return: number;
}

export interface DatasetOptions {
  /** Required width of every observation; default: inferred from the first task. */
  stateDim?: number;
  /** Required width of every action; default: inferred. */
  actDim?: number;
  /** 'per-task' (default) mean/std normalisation, 'global' (one mean/std over all tasks, for task-agnostic policies), or 'none'. */
  normalize?: 'per-task' | 'global' | 'none';
  /** Divide returns-to-go by this; default the largest episode return (at least 1e-6). */
  rtgScale?: number;
  /** Timestep table size; default the longest episode. */
  maxEpisodeLength?: number;
}

export class MultiTaskDataset {
  readonly taskNames: string[];
  readonly stateDim: number;
  readonly actDim: number;
  /** episodes[task] in input order. */
  readonly episodes: Episode[][];
  readonly normalization: Normalization;
  /** Per task: the episode index of every step and its timestep, for uniform window sampling. */
  private readonly stepIndex: Array<{ episode: Int32Array; t: Int32Array }>;

  private constructor(taskNames: string[], episodes: Episode[][], normalization: Normalization) {
    this.taskNames = taskNames;
    this.episodes = episodes;
    this.normalization = normalization;
    this.stateDim = normalization.stateDim;
    this.actDim = normalization.actDim;
    this.stepIndex = episodes.map((list) => {
      const total = list.reduce((n, ep) => n + ep.length, 0);
      const episode = new Int32Array(total);
      const t = new Int32Array(total);
      let k = 0;
      list.forEach((ep, i) => {
        for (let s = 0; s < ep.length; s++, k++) {
          episode[k] = i;
          t[k] = s;
        }
      });
      return { episode, t };
    });
  }

  get numTasks(): number {
    return this.taskNames.length;
  }

  /** Task id of a name; throws OptionError for an unknown name. */
  taskIndex(task: string | number): number {
    if (typeof task === 'number') {
      if (!Number.isInteger(task) || task < 0 || task >= this.numTasks) throw new OptionError('task', `a task id in [0, ${this.numTasks})`, task);
      return task;
    }
    const i = this.taskNames.indexOf(task);
    if (i < 0) throw new OptionError('task', `one of ${this.taskNames.join(', ')}`, task);
    return i;
  }

  /** Number of steps of a task. */
  steps(task: number): number {
    return this.stepIndex[task].t.length;
  }

  /** Largest episode return of a task (the default evaluation target, harmodt.md §5). */
  bestReturn(task: number): number {
    return Math.max(...this.episodes[task].map((ep) => ep.return));
  }

  /** Mean episode return of a task. */
  meanReturn(task: number): number {
    const eps = this.episodes[task];
    return eps.reduce((a, ep) => a + ep.return, 0) / eps.length;
  }

  /** Build from D4RL-layout arrays, one entry per task; episodes split after terminal or timeout steps. */
  static fromD4RL(data: Record<string, D4RLTaskData>, options: DatasetOptions = {}): MultiTaskDataset {
    if (data === null || typeof data !== 'object') throw new OptionError('fromD4RL(data)', 'a record {task: {observations, actions, rewards, terminals, timeouts}}', data);
    const names = Object.keys(data);
    if (names.length === 0) throw new OptionError('fromD4RL(data)', 'at least one task', '{}');
    const trajectories: TrajectoryInput[] = [];
    let stateDim = options.stateDim;
    let actDim = options.actDim;
    for (const task of names) {
      const d = data[task];
      const where = `fromD4RL ${task}`;
      if (d === null || typeof d !== 'object') throw new FormatError(where, 'expected {observations, actions, rewards, terminals, timeouts}');
      const n = checkedLength(d.rewards, `${where}.rewards`);
      if (n === 0) throw new FormatError(where, 'the task has no steps (an empty task)');
      const obs = toRows(d.observations, n, stateDim, `${where}.observations`);
      stateDim = obs.width;
      const act = toRows(d.actions, n, actDim, `${where}.actions`);
      actDim = act.width;
      const term = d.terminals ? flags(d.terminals, n, `${where}.terminals`) : new Uint8Array(n);
      const tout = d.timeouts ? flags(d.timeouts, n, `${where}.timeouts`) : new Uint8Array(n);
      let start = 0;
      for (let i = 0; i < n; i++) {
        if (term[i] || tout[i] || i === n - 1) {
          trajectories.push({
            task,
            observations: obs.values.subarray(start * obs.width, (i + 1) * obs.width),
            actions: act.values.subarray(start * act.width, (i + 1) * act.width),
            rewards: Array.from(d.rewards as ArrayLike<number>).slice(start, i + 1),
          });
          start = i + 1;
        }
      }
    }
    return MultiTaskDataset.fromTrajectories(trajectories, { ...options, stateDim, actDim, taskNames: names });
  }

  /** Build from a list of episodes; `taskNames` fixes the task order (default: order of first appearance). */
  static fromTrajectories(trajectories: TrajectoryInput[], options: DatasetOptions & { taskNames?: string[] } = {}): MultiTaskDataset {
    if (!Array.isArray(trajectories) || trajectories.length === 0) {
      throw new OptionError('fromTrajectories(trajectories)', 'a non-empty array of {task, observations, actions, rewards}', trajectories);
    }
    const taskNames = options.taskNames ? [...options.taskNames] : [];
    let stateDim = options.stateDim;
    let actDim = options.actDim;
    const raw: Array<Omit<Episode, 'normalizedStates' | 'task'> & { task: string }> = [];
    trajectories.forEach((tr, i) => {
      const where = `trajectory ${i}${tr && typeof tr.task === 'string' ? ` (task ${tr.task})` : ''}`;
      if (tr === null || typeof tr !== 'object' || typeof tr.task !== 'string' || tr.task === '') {
        throw new FormatError(where, 'expected {task: string, observations, actions, rewards}');
      }
      const n = checkedLength(tr.rewards, `${where}.rewards`);
      if (n === 0) throw new FormatError(where, 'the episode has no steps');
      const obs = toRows(tr.observations, n, stateDim, `${where}.observations`);
      stateDim = obs.width;
      const act = toRows(tr.actions, n, actDim, `${where}.actions`);
      actDim = act.width;
      const rewards = Float32Array.from(tr.rewards as ArrayLike<number>);
      checkFinite(rewards, `${where}.rewards`, 1);
      if (!taskNames.includes(tr.task)) {
        if (options.taskNames) throw new OptionError(`${where}.task`, `one of ${taskNames.join(', ')}`, tr.task);
        taskNames.push(tr.task);
      }
      const rtg = returnToGo(rewards);
      raw.push({ task: tr.task, length: n, observations: Float32Array.from(obs.values), actions: Float32Array.from(act.values), rewards, returnsToGo: rtg, return: rtg[0] });
    });
    const byTask: Array<typeof raw> = taskNames.map(() => []);
    for (const ep of raw) byTask[taskNames.indexOf(ep.task)].push(ep);
    byTask.forEach((list, t) => {
      if (list.length === 0) throw new FormatError(`task ${taskNames[t]}`, 'no episodes (an empty task)');
    });
    const sd = stateDim!;
    const ad = actDim!;
    const stateMean: number[][] = [];
    const stateStd: number[][] = [];
    const groups = options.normalize === 'global' ? [byTask.flat()] : byTask;
    for (const list of groups) {
      const mean = new Array(sd).fill(0);
      const sq = new Array(sd).fill(0);
      let count = 0;
      for (const ep of list) {
        for (let k = 0; k < ep.length; k++) {
          for (let j = 0; j < sd; j++) {
            const v = ep.observations[k * sd + j];
            mean[j] += v;
            sq[j] += v * v;
          }
        }
        count += ep.length;
      }
      const std = mean.map((m, j) => {
        const mu = m / count;
        const variance = Math.max(0, sq[j] / count - mu * mu);
        return variance > 1e-12 ? Math.max(Math.sqrt(variance), 1e-6) : 1;
      });
      const none = options.normalize === 'none';
      stateMean.push(none ? new Array(sd).fill(0) : mean.map((m) => m / count));
      stateStd.push(none ? new Array(sd).fill(1) : std);
    }
    if (options.normalize !== undefined && !['per-task', 'global', 'none'].includes(options.normalize)) {
      throw new OptionError('normalize', "'per-task' | 'global' | 'none'", options.normalize);
    }
    if (options.normalize === 'global') {
      for (let t = 1; t < byTask.length; t++) {
        stateMean.push([...stateMean[0]]);
        stateStd.push([...stateStd[0]]);
      }
    }
    const longest = Math.max(...raw.map((ep) => ep.length));
    const maxEpisodeLength = options.maxEpisodeLength ?? longest;
    if (!Number.isInteger(maxEpisodeLength) || maxEpisodeLength < longest) {
      throw new OptionError('maxEpisodeLength', `an integer >= the longest episode (${longest})`, options.maxEpisodeLength);
    }
    const maxAbsReturn = Math.max(...raw.map((ep) => Math.abs(ep.return)));
    const rtgScale = options.rtgScale ?? Math.max(maxAbsReturn, 1e-6);
    if (!(rtgScale > 0) || !Number.isFinite(rtgScale)) throw new OptionError('rtgScale', 'a finite number > 0', options.rtgScale);
    const targetReturns = byTask.map((list) => Math.max(...list.map((ep) => ep.return)));
    const normalization: Normalization = { taskNames, stateDim: sd, actDim: ad, stateMean, stateStd, rtgScale, maxEpisodeLength, targetReturns };
    const episodes = byTask.map((list, t) =>
      list.map((ep): Episode => {
        const normalizedStates = new Float32Array(ep.length * sd);
        for (let k = 0; k < ep.length; k++) normalizeStateInto(normalization, t, ep.observations.subarray(k * sd, (k + 1) * sd), normalizedStates, k * sd);
        return { ...ep, task: t, normalizedStates };
      }),
    );
    return new MultiTaskDataset(taskNames, episodes, normalization);
  }

  /** A dataset with only the given tasks (ids renumbered 0..), keeping each task's normalisation and the RTG scale. */
  select(tasks: Array<string | number>): MultiTaskDataset {
    const ids = tasks.map((t) => this.taskIndex(t));
    if (ids.length === 0) throw new OptionError('select(tasks)', 'at least one task', '[]');
    const n = this.normalization;
    const norm: Normalization = {
      ...n,
      taskNames: ids.map((i) => n.taskNames[i]),
      stateMean: ids.map((i) => [...n.stateMean[i]]),
      stateStd: ids.map((i) => [...n.stateStd[i]]),
      targetReturns: n.targetReturns ? ids.map((i) => n.targetReturns![i]) : undefined,
    };
    const episodes = ids.map((i, k) => this.episodes[i].map((ep) => ({ ...ep, task: k })));
    return new MultiTaskDataset(norm.taskNames, episodes, norm);
  }

  /**
   * B windows of K steps from task `task` (a number for all rows, or one id per row), each ending
   * at a step drawn uniformly over all of the task's steps, left-padded at the episode start.
   */
  sampleWindows(task: number | Int32Array, batchSize: number, context: number, rng: Rng): WindowBatch {
    const out = emptyWindowBatch(batchSize, context, this.stateDim, this.actDim);
    const sd = this.stateDim;
    const ad = this.actDim;
    const scale = this.normalization.rtgScale;
    for (let b = 0; b < batchSize; b++) {
      const ti = typeof task === 'number' ? task : task[b];
      out.taskIds[b] = ti;
      const idx = this.stepIndex[ti];
      const pick = rng.int(idx.t.length);
      const ep = this.episodes[ti][idx.episode[pick]];
      const end = idx.t[pick];
      for (let k = 0; k < context; k++) {
        const t = end - (context - 1) + k;
        if (t < 0) continue;
        const row = b * context + k;
        out.states.set(ep.normalizedStates.subarray(t * sd, (t + 1) * sd), row * sd);
        out.actions.set(ep.actions.subarray(t * ad, (t + 1) * ad), row * ad);
        out.returnsToGo[row] = ep.returnsToGo[t] / scale;
        out.timesteps[row] = t;
        out.mask[row] = 1;
      }
    }
    return out;
  }

  /** Episode ids of a task sorted by return, best first. */
  topEpisodes(task: number, count: number): number[] {
    const eps = this.episodes[task];
    return eps
      .map((ep, i) => [ep.return, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, Math.max(1, count))
      .map(([, i]) => i);
  }

  /**
   * Prompt-DT prompts (§S2): for every row, a `length`-step segment of one of the task's
   * `fromTop` highest-return episodes (random episode and start; the official code's first
   * prompt is the lowest-return one, quirk (e), which we do not copy).
   */
  samplePrompts(taskIds: Int32Array, length: number, rng: Rng, fromTop = 5): PromptBatch {
    const out = emptyPromptBatch(taskIds.length, length, this.stateDim, this.actDim);
    for (let b = 0; b < taskIds.length; b++) {
      const top = this.topEpisodes(taskIds[b], fromTop);
      this.writePrompt(out, b, taskIds[b], top[rng.int(top.length)], rng);
    }
    return out;
  }

  /** One fixed prompt per task for evaluation: a segment of the task's best episode. */
  evaluationPrompt(task: number, length: number, rng: Rng): PromptBatch {
    const out = emptyPromptBatch(1, length, this.stateDim, this.actDim);
    this.writePrompt(out, 0, task, this.topEpisodes(task, 1)[0], rng);
    return out;
  }

  private writePrompt(out: PromptBatch, row: number, task: number, episode: number, rng: Rng): void {
    const ep = this.episodes[task][episode];
    const sd = this.stateDim;
    const ad = this.actDim;
    const len = out.length;
    const start = ep.length > len ? rng.int(ep.length - len + 1) : 0;
    const n = Math.min(len, ep.length);
    const pad = len - n;
    for (let k = 0; k < n; k++) {
      const t = start + k;
      const r = row * len + pad + k;
      out.states.set(ep.normalizedStates.subarray(t * sd, (t + 1) * sd), r * sd);
      out.actions.set(ep.actions.subarray(t * ad, (t + 1) * ad), r * ad);
      out.returnsToGo[r] = ep.returnsToGo[t] / this.normalization.rtgScale;
      out.timesteps[r] = t;
      out.mask[r] = 1;
    }
  }
}

function checkedLength(values: unknown, where: string): number {
  if (values === null || values === undefined || typeof (values as ArrayLike<number>).length !== 'number') {
    throw new FormatError(where, 'expected an array of numbers');
  }
  return (values as ArrayLike<number>).length;
}

function checkFinite(values: ArrayLike<number>, where: string, width: number): void {
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) {
      throw new FormatError(where, `non-finite value ${values[i]} (NaN or Inf are not allowed)`, `row ${Math.floor(i / width)}`);
    }
  }
}

/** Flatten step rows (checking count, width and finiteness). */
function toRows(values: StepArray, n: number, width: number | undefined, where: string): { values: Float32Array; width: number } {
  if (values === null || values === undefined || typeof (values as ArrayLike<unknown>).length !== 'number') {
    throw new FormatError(where, 'expected a Float32Array, number[] or number[][]');
  }
  let flat: Float32Array;
  let w: number;
  if (values.length > 0 && Array.isArray((values as unknown[])[0])) {
    const rows = values as number[][];
    if (rows.length !== n) throw new ShapeError(where, `${n} rows (one per reward)`, [rows.length]);
    w = rows[0].length;
    if (width !== undefined && w !== width) throw new ShapeError(where, `rows of width ${width} (stateDim/actDim)`, [n, w]);
    flat = new Float32Array(n * w);
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== w) throw new ShapeError(`${where}[${i}]`, `[${w}]`, Array.isArray(row) ? [row.length] : 'not an array');
      for (let j = 0; j < w; j++) flat[i * w + j] = row[j];
    });
    checkFinite(rows.flat(), where, w);
  } else {
    const arr = values as Float32Array | number[];
    if (arr.length % n !== 0 || arr.length === 0) throw new ShapeError(where, `a multiple of ${n} values (${n} steps x width)`, [arr.length]);
    w = arr.length / n;
    if (width !== undefined && w !== width) throw new ShapeError(where, `${n} x ${width} values (stateDim/actDim ${width})`, [n, w]);
    checkFinite(arr, where, w);
    flat = arr instanceof Float32Array ? arr : Float32Array.from(arr);
  }
  return { values: flat, width: w };
}

function flags(values: ArrayLike<number | boolean>, n: number, where: string): Uint8Array {
  if (typeof values?.length !== 'number' || values.length !== n) {
    throw new ShapeError(where, `${n} flags (one per reward)`, [values?.length ?? 0]);
  }
  return Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0));
}
