/**
 * What CompoFormer and every baseline share (compoformer.md section 6: the
 * baselines "share learnTask"): a task registry with per-task normalisation
 * and text embeddings, the `learnTask` boundary checks, batched inference over
 * many running episodes of many tasks, and the DT trunk configuration.
 * Subclasses implement `learn` (what happens to parameters for a new task) and
 * `forwardTasks` (actions for a batch of windows, one task id per row).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, createRng, defineOptions, opt, type ParsedOptions, type Rng } from '@paperkit/tensor-core';
import { UnknownTaskError } from './errors.js';
import { checkDescription, checkVector, hashedBow, type TaskTextEncoder } from './text-encoder.js';
import { TaskDataset, type Episode, type TaskNormalization } from './task-dataset.js';
import { FUNCTIONAL_TRUNK_RULES, disposeWindowTensors, emptyWindowBatch, resolveFunctionalTrunkConfig, trunkFeatures, windowTensors, type FunctionalTrunkConfig, type FunctionalTrunkOptions, type TrunkWeights, type WindowBatch, type WindowTensors } from '@paperkit/offline-rl';
import type { ActionHead } from './heads.js';
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

/** What `learn` returns for a task that was trained (not reused): no composition, no check. */
export function trainedTask(r: { steps: number; finalLoss: number }, newParams: number, curve: Array<[number, number]>): Omit<LearnTaskResult, 'id' | 'seconds'> {
  return { reused: false, composedSuccess: null, check: 'none', attention: {}, trainedSteps: r.steps, warmupSteps: 0, newParams, finalLoss: r.finalLoss, curve };
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

// The trunk's size rules from offline-rl, less the block MLP width (the learners keep it at 4 * embedDim).
const { ffDim: _ffDim, ...TRUNK_SIZE_RULES } = FUNCTIONAL_TRUNK_RULES;

const isEncoder = (v: unknown) =>
  typeof v === 'object' && v !== null && typeof (v as TaskTextEncoder).encode === 'function' && Number.isInteger((v as TaskTextEncoder).dim) && (v as TaskTextEncoder).dim > 0;

/**
 * The option rules every learner shares (compoformer.md section 5 CPU sizes; paper values in
 * COMPOFORMER_PAPER_VALUES). Each learner's `defineOptions` spec spreads these and adds its own
 * (COMPOFORMER_OPTIONS, EWCCL_OPTIONS, ...), so errors name the class: `EWCCL.lr`.
 */
export const LEARNER_RULES = {
  ...TRUNK_SIZE_RULES,
  stepsPerTask: opt.integer({ min: 0, default: 300 }),
  lr: opt.number({ min: 0, exclusiveMin: true, default: 1e-3 }),
  batchSize: opt.integer({ min: 1, default: 32 }),
  gradClip: opt.custom<number>('a number >= 0 (0 = no clip)', (v) => typeof v === 'number' && v >= 0 && Number.isFinite(v), { default: 1 }),
  textEncoder: opt.optional(opt.custom<TaskTextEncoder>('an object { dim, encode(text) }', isEncoder)),
  seed: opt.custom<number>('a finite number', (v) => typeof v === 'number' && Number.isFinite(v), { default: 0 }),
};

/** The shared options of a learner, as every learner's `parse` returns them. */
export type ParsedLearnerOptions = ParsedOptions<typeof LEARNER_RULES>;

/** Defaults every learner shares (text encoder: hashedBow({ dim: 256 })). */
export const LEARNER_DEFAULTS = defineOptions('ContinualLearner', LEARNER_RULES).defaults;

export function nonNegativeInteger(name: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || (v as number) < 0) throw new OptionError(name, 'an integer >= 0', value);
  return v as number;
}

/** The resolved shared options (after a learner's `parse`): the trunk configuration and the training settings. */
export function resolveBase(o: ParsedLearnerOptions): ResolvedBase {
  return {
    trunk: resolveFunctionalTrunkConfig(o),
    stepsPerTask: o.stepsPerTask,
    lr: o.lr,
    batchSize: o.batchSize,
    gradClip: o.gradClip,
    textEncoder: o.textEncoder ?? hashedBow({ dim: 256 }),
    seed: o.seed,
  };
}

export abstract class ContinualLearner {
  readonly base: ResolvedBase;
  protected readonly tasks = new Map<string, TaskEntry>();
  protected readonly rng: Rng;
  /** The method's name in tables ("CompoFormer-Prune", "EWC", ...). */
  abstract readonly name: string;

  /** `options` as the learner's own `defineOptions(...).parse` returned them (defaults filled, checked). */
  constructor(prefix: string, options: ParsedLearnerOptions) {
    this.base = resolveBase(options);
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

  /**
   * forwardTasks for learners with one trunk view and one head per task (the baselines): each task's rows
   * through its own view and head at the last step, summed with 0/1 row selectors (one forward per task).
   */
  protected perTaskActions(taskIds: string[], batch: WindowTensors, taskModel: (taskId: string) => { weights: TrunkWeights; head: ActionHead }): tf.Tensor2D {
    return tf.tidy(() => {
      const [B, K] = batch.states.shape;
      const D = this.config.embedDim;
      let out: tf.Tensor | null = null;
      for (const id of new Set(taskIds)) {
        const { weights, head } = taskModel(id);
        const phi = tf.reshape(tf.slice(trunkFeatures(this.config, weights, batch), [0, K - 1, 0], [B, 1, D]), [B, D]);
        const term = tf.mul(head.apply(phi), tf.tensor2d(taskIds.map((t) => (t === id ? 1 : 0)), [B, 1]));
        out = out ? tf.add(out, term) : term;
      }
      return out as tf.Tensor2D;
    });
  }

  /**
   * The training-loop settings of one task (trainLoop, MaskedTrunk.trainModule): minibatches of `rows`
   * windows, the learner's lr/batch/clip, and the learning-speed curve hooks, whose points go into `curve`.
   */
  protected loopSettings(entry: TaskEntry, input: LearnTaskInput, rows: number, rng: Rng, curve: Array<[number, number]>) {
    const evaluate = input.curve?.evaluate;
    return {
      rows,
      batchSize: this.base.batchSize,
      lr: this.base.lr,
      gradClip: this.base.gradClip,
      rng: rng.fork('batches'),
      hooks: input.curve && evaluate ? { at: input.curve.at, run: async (s: number) => { curve.push([s, await evaluate(this.policy(entry.id))]); } } : undefined,
    };
  }

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
