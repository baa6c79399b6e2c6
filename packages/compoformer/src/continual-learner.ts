/**
 * What CompoFormer and every baseline share (compoformer.md section 6: the
 * baselines "share learnTask"): a task registry with per-task normalisation
 * and text embeddings, the `learnTask` boundary checks, batched inference over
 * many running episodes of many tasks, and the DT trunk configuration.
 * Subclasses implement `learn` (what happens to parameters for a new task) and
 * `forwardTasks` (actions for a batch of windows, one task id per row).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, createRng, type Rng } from '@paperkit/tensor-core';
import { UnknownTaskError } from './errors.js';
import { checkDescription, checkVector, hashedBow, type TaskTextEncoder } from './text-encoder.js';
import { TaskDataset, type Episode, type TaskNormalization } from './task-dataset.js';
import { disposeWindowTensors, emptyWindowBatch, resolveFunctionalTrunkConfig, windowTensors, type FunctionalTrunkConfig, type FunctionalTrunkOptions, type WindowBatch, type WindowTensors } from '@paperkit/offline-rl';
import { episodeWindows, writeHistoryWindow, type History } from './windows.js';

/** A policy for one task over a batch of running episodes: one action per history (each [actDim], in [-1, 1]). */
export interface TaskPolicy {
  readonly taskId: string;
  act(histories: History[]): Float32Array[];
  /** The learner behind it: evaluators batch rows of one learner's tasks into one forward. */
  readonly source?: { actBatch(taskIds: string[], histories: History[]): Float32Array[] };
}

/** Online success check: run the policy in an environment and return its success rate in [0, 1]. */
export type OnlineCheck = (policy: TaskPolicy) => number | Promise<number>;

/** Offline check (spec section 6): action MSE of the composed policy on 10% of the task's episodes held out. */
export interface OfflineCheck {
  offline: true;
  /** Largest held-out action MSE that counts as "solved" (actions in [-1, 1]). Default 0.05. */
  maxMse?: number;
  /** Share of episodes held out. Default 0.1. */
  holdout?: number;
}

export interface LearnTaskInput {
  /** Unique task id (a repeated task gets its own id, e.g. "reach-2"). */
  id: string;
  /** Task description for the text encoder (required unless `embedding` is given). */
  description?: string;
  /** A user-supplied description vector (e.g. MiniLM), overriding the encoder. */
  embedding?: ArrayLike<number>;
  data: TaskDataset;
  /** Reuse check: online (a function) or offline; without it CompoFormer uses the offline check. */
  check?: OnlineCheck | OfflineCheck;
  /** Override the learner's stepsPerTask for this task. */
  steps?: number;
  /** Learning-speed curve: evaluate the task's policy after these step counts of its training. */
  curve?: { at: number[]; evaluate: (policy: TaskPolicy) => number | Promise<number> };
  log?: (line: string) => void;
}

export interface LearnTaskResult {
  id: string;
  /** True when an earlier composition passed the check: no parameters added, 0 training steps. */
  reused: boolean;
  /** Success (online) or held-out action MSE (offline) of the hard-selected composition; null when nothing to compose. */
  composedSuccess: number | null;
  /** Which kind of check produced composedSuccess. */
  check: 'online' | 'offline' | 'none';
  /** Attention over the earlier trained tasks (soft weights after warm-up), by task id. */
  attention: Record<string, number>;
  /** Training steps spent on new parameters (warm-up excluded). */
  trainedSteps: number;
  /** Warm-up steps of the meta-policy (q/k). */
  warmupSteps: number;
  /** Scalar parameters added for this task (heads, adapters, newly owned trunk weights count as used capacity). */
  newParams: number;
  /** Mean loss of the last steps (NaN when not trained). */
  finalLoss: number;
  /** [steps, success] at each requested curve point. */
  curve: Array<[number, number]>;
  seconds: number;
}

export interface TaskEntry {
  id: string;
  index: number;
  description: string;
  embedding: Float32Array;
  norm: TaskNormalization;
}

/** Model sizes are the trunk's (harmodt.md section 5 CPU defaults; paper: 256 / 6 / 8 / 20). */
export interface LearnerBaseOptions
  extends Pick<FunctionalTrunkOptions, 'stateDim' | 'actDim' | 'embedDim' | 'layers' | 'heads' | 'context' | 'maxEpisodeLength'> {
  /** Training steps per trained task. CPU default 300 (paper 50,000). */
  stepsPerTask?: number;
  /** Adam learning rate. CPU default 1e-3 (paper AdamW 1e-4). */
  lr?: number;
  /** Minibatch of windows. Default 32. */
  batchSize?: number;
  /** Global gradient-norm clip. CPU default 1 (paper 0.25). */
  gradClip?: number;
  /** Text encoder for descriptions. Default hashedBow({ dim: 256 }). */
  textEncoder?: TaskTextEncoder;
  seed?: number;
}

export interface ResolvedBase {
  trunk: FunctionalTrunkConfig;
  stepsPerTask: number;
  lr: number;
  batchSize: number;
  gradClip: number;
  textEncoder: TaskTextEncoder;
  seed: number;
}

/** Defaults every learner shares (compoformer.md section 5 CPU sizes; paper values in COMPOFORMER_PAPER_VALUES). */
export const LEARNER_DEFAULTS = Object.freeze({ embedDim: 32, layers: 2, heads: 2, context: 5, maxEpisodeLength: 64, stepsPerTask: 300, lr: 1e-3, batchSize: 32, gradClip: 1, textDim: 256, seed: 0 });

export function positiveInteger(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || (v as number) < 1) throw new OptionError(name, 'a positive integer', value);
  return v as number;
}

export function nonNegativeInteger(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || (v as number) < 0) throw new OptionError(name, 'an integer >= 0', value);
  return v as number;
}

export function positiveNumber(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new OptionError(name, 'a finite number > 0', value);
  return v;
}

export function resolveBase(prefix: string, o: LearnerBaseOptions): ResolvedBase {
  if (o === null || typeof o !== 'object') throw new OptionError(prefix, 'an options object', o);
  const trunk = resolveFunctionalTrunkConfig(o);
  const gradClip = o.gradClip ?? 1;
  if (typeof gradClip !== 'number' || !(gradClip >= 0)) throw new OptionError(`${prefix}.gradClip`, 'a number >= 0 (0 = no clip)', o.gradClip);
  const enc = o.textEncoder ?? hashedBow({ dim: 256 });
  if (!enc || typeof enc.encode !== 'function' || !Number.isInteger(enc.dim)) throw new OptionError(`${prefix}.textEncoder`, 'an object { dim, encode(text) }', enc);
  return {
    trunk,
    stepsPerTask: nonNegativeInteger(`${prefix}.stepsPerTask`, o.stepsPerTask, 300),
    lr: positiveNumber(`${prefix}.lr`, o.lr, 1e-3),
    batchSize: positiveInteger(`${prefix}.batchSize`, o.batchSize, 32),
    gradClip,
    textEncoder: enc,
    seed: o.seed ?? 0,
  };
}

export abstract class ContinualLearner {
  readonly base: ResolvedBase;
  protected readonly tasks = new Map<string, TaskEntry>();
  protected readonly rng: Rng;
  /** The method's name in tables ("CompoFormer-Prune", "EWC", ...). */
  abstract readonly name: string;

  constructor(prefix: string, options: LearnerBaseOptions) {
    this.base = resolveBase(prefix, options);
    this.rng = createRng(`${prefix}:${this.base.seed}`);
  }

  get config(): FunctionalTrunkConfig {
    return this.base.trunk;
  }

  /** Learned task ids, in order. */
  taskIds(): string[] {
    return [...this.tasks.keys()];
  }

  /** Learn one task from its offline data (spec section 6). */
  async learnTask(input: LearnTaskInput): Promise<LearnTaskResult> {
    const start = Date.now();
    const entry = await this.register(input);
    let result: Omit<LearnTaskResult, 'id' | 'seconds'>;
    try {
      result = await this.learn(entry, input);
    } catch (error) {
      this.tasks.delete(entry.id);
      throw error;
    }
    return { ...result, id: entry.id, seconds: (Date.now() - start) / 1000 };
  }

  protected abstract learn(entry: TaskEntry, input: LearnTaskInput): Promise<Omit<LearnTaskResult, 'id' | 'seconds'>>;

  /** Every window of `episodes` as tensors, normalised with the task's statistics (caller disposes). */
  protected windowsFor(entry: TaskEntry, episodes: Episode[]): WindowTensors {
    const c = this.config;
    return windowTensors(episodeWindows(episodes, c.context, c.stateDim, c.actDim, entry.norm, c.maxEpisodeLength));
  }

  /** Raw actions [B, A] (last step of each window) for rows of several tasks; `taskIds[b]` names row b's task. */
  protected abstract forwardTasks(taskIds: string[], batch: WindowTensors): tf.Tensor2D;

  /** Check and record a new task (typed errors for every bad input of spec section 7). */
  protected async register(input: LearnTaskInput): Promise<TaskEntry> {
    if (input === null || typeof input !== 'object') throw new OptionError('learnTask', 'an input object', input);
    if (typeof input.id !== 'string' || input.id.length === 0) throw new OptionError('learnTask.id', 'a non-empty task id', input.id);
    if (this.tasks.has(input.id)) throw new OptionError('learnTask.id', `a new task id ("${input.id}" was already learned)`, input.id);
    const data = input.data;
    if (!(data instanceof TaskDataset)) throw new OptionError('learnTask.data', 'a TaskDataset (TaskDataset.fromTrajectories / fromD4RL)', data);
    if (data.stateDim !== this.config.stateDim || data.actDim !== this.config.actDim) {
      throw new ShapeError(`task "${input.id}" data`, `stateDim ${this.config.stateDim}, actDim ${this.config.actDim}`, `stateDim ${data.stateDim}, actDim ${data.actDim}`);
    }
    let embedding: Float32Array;
    let description = '';
    if (input.embedding !== undefined) {
      embedding = checkVector(`learnTask.embedding (task "${input.id}")`, input.embedding, this.base.textEncoder.dim);
      description = typeof input.description === 'string' ? input.description : '';
    } else {
      description = checkDescription(input.description);
      embedding = checkVector(`text encoder output for "${description}"`, await this.base.textEncoder.encode(description), this.base.textEncoder.dim);
    }
    const entry: TaskEntry = { id: input.id, index: this.tasks.size, description, embedding, norm: data.normalization() };
    this.tasks.set(entry.id, entry);
    return entry;
  }

  protected entry(taskId: string): TaskEntry {
    const e = this.tasks.get(taskId);
    if (!e) throw new UnknownTaskError(taskId, this.taskIds());
    return e;
  }

  /** The normalisation of task `taskId`'s inputs when acting (its own statistics; CompoFormer may use a reused module's). */
  protected inputNorm(taskId: string): TaskNormalization {
    return this.entry(taskId).norm;
  }

  /** Actions for running episodes, row b of task taskIds[b] (batched into one forward). */
  actBatch(taskIds: string[], histories: History[]): Float32Array[] {
    if (taskIds.length !== histories.length) throw new ShapeError('actBatch histories', `${taskIds.length} histories (one per task id)`, `${histories.length}`);
    if (histories.length === 0) return [];
    const { stateDim, actDim, context, maxEpisodeLength } = this.config;
    const arrays: WindowBatch = emptyWindowBatch(histories.length, context, stateDim, actDim);
    histories.forEach((h, b) => {
      const norm = this.inputNorm(taskIds[b]);
      checkHistory(h, stateDim, actDim, b);
      writeHistoryWindow(arrays, b, h, stateDim, actDim, norm, maxEpisodeLength);
    });
    const batch = windowTensors(arrays);
    try {
      const out = tf.tidy(() => tf.clipByValue(this.forwardTasks(taskIds, batch), -1, 1));
      const data = out.dataSync() as Float32Array;
      out.dispose();
      return histories.map((_, b) => data.slice(b * actDim, (b + 1) * actDim));
    } finally {
      disposeWindowTensors(batch);
    }
  }

  /** The action for one running episode of a learned task. */
  act(taskId: string, history: History): Float32Array {
    return this.actBatch([taskId], [history])[0];
  }

  /** A TaskPolicy view of task `taskId` (for evaluators and checks). */
  policy(taskId: string): TaskPolicy {
    this.entry(taskId);
    return { taskId, source: this, act: (histories) => this.actBatch(histories.map(() => taskId), histories) };
  }

  /** A policy for a task not learned yet (forward transfer a[i][i+1]); default: the latest task's policy. */
  zeroShotPolicy(_description: string): TaskPolicy | null {
    const ids = this.taskIds();
    return ids.length ? this.policy(ids[ids.length - 1]) : null;
  }

  /** Total scalar parameters held (trunk, heads, adapters, attention). */
  abstract parameterCount(): number;

  abstract dispose(): void;
}

function checkHistory(h: History, stateDim: number, actDim: number, b: number): void {
  if (!h || !Array.isArray(h.states) || h.states.length < 1) throw new ShapeError(`history[${b}].states`, '[t + 1 >= 1 states]', 'none');
  const t = h.states.length - 1;
  if ((h.actions?.length ?? 0) < t) throw new ShapeError(`history[${b}].actions`, `${t} actions (one per past step)`, `${h.actions?.length ?? 0}`);
  if ((h.rewards?.length ?? 0) < t) throw new ShapeError(`history[${b}].rewards`, `${t} rewards (one per past step)`, `${h.rewards?.length ?? 0}`);
  const s = h.states[t];
  if (s.length !== stateDim) throw new ShapeError(`history[${b}].states[${t}]`, `[${stateDim}]`, `[${s.length}]`);
  for (let j = 0; j < stateDim; j++) if (!Number.isFinite(s[j])) throw new OptionError(`history[${b}].states[${t}][${j}]`, 'a finite number', s[j]);
  if (t > 0 && h.actions[t - 1].length !== actDim) throw new ShapeError(`history[${b}].actions[${t - 1}]`, `[${actDim}]`, `[${h.actions[t - 1].length}]`);
}
