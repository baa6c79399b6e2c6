/**
 * Train a Decision Transformer (or Prompt-DT) on a MultiTaskDataset: Adam(W), global-norm
 * clipping, and single-task batches taken round robin over the tasks (harmodt.md §5: "B 32
 * single-task windows per step (round robin)"), or mixed batches with sampling 'uniform'.
 * Losses stay on the device and are read every `syncEvery` steps (no per-step sync).
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteLossError, OptionError, ShapeError, createRng, defineOptions, makeOptimizer, opt, type Seed } from '@paperkit/tensor-core';
import type { MultiTaskDataset } from '../data/multi-task-dataset.js';
import type { WindowBatch } from '../data/window-batch.js';
import { clipByGlobalNorm } from './clip-grad-norm.js';
import type { DecisionTransformer } from './decision-transformer.js';
import { dtLoss } from './dt-loss.js';

export interface TrainDTOptions {
  /** Optimizer steps. Default 1800 (harmodt.md §5). */
  steps?: number;
  /** Windows per step. Default 32. */
  batchSize?: number;
  /** Adam learning rate. CPU default 1e-3 (paper 1e-4). */
  lr?: number;
  /** Decoupled weight decay (AdamW) when > 0. Default 0 (paper 1e-4). */
  weightDecay?: number;
  /** Global gradient-norm clip. CPU default 1 (paper 0.25). */
  gradClip?: number;
  /** 'round-robin' single-task batches (default) or 'uniform' mixed batches. */
  sampling?: 'round-robin' | 'uniform';
  /** Prompt-DT: draw prompts from this many best episodes per task. Default 5. */
  promptFromTop?: number;
  /** Read losses every this many steps. Default 50. */
  syncEvery?: number;
  seed?: Seed;
  /** Called at every sync point with the step and that step's loss. */
  onLog?: (info: { step: number; loss: number }) => void;
}

/**
 * The options of `trainDecisionTransformer`: rules and the CPU defaults of harmodt.md §5
 * (paper / official code: lr 1e-4, weight decay 1e-4, grad clip 0.25, batch 8, 1e6 steps).
 */
export const TRAIN_DT_OPTIONS = defineOptions('trainDecisionTransformer', {
  steps: opt.integer({ min: 1, default: 1800 }),
  batchSize: opt.integer({ min: 1, default: 32 }),
  lr: opt.number({ min: 0, exclusiveMin: true, default: 1e-3 }),
  weightDecay: opt.number({ min: 0, default: 0 }),
  gradClip: opt.number({ min: 0, default: 1 }),
  sampling: opt.oneOf(['round-robin', 'uniform'] as const, { default: 'round-robin' }),
  promptFromTop: opt.integer({ min: 1, default: 5 }),
  syncEvery: opt.integer({ min: 1, default: 50 }),
  seed: opt.custom<Seed>('a number or string', (v) => typeof v === 'number' || typeof v === 'string', { default: 0 }),
  onLog: opt.optional(opt.func<(info: { step: number; loss: number }) => void>()),
  tasks: opt.optional(opt.array(opt.custom<string | number>('a task name or id', (v) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && v >= 0)))),
});

/** The CPU defaults (harmodt.md §5). */
export const TRAIN_DT_DEFAULTS = TRAIN_DT_OPTIONS.defaults;

export type ResolvedTrainDTOptions = Required<Omit<TrainDTOptions, 'onLog'>> & Pick<TrainDTOptions, 'onLog'>;

/** Fill the defaults and check every option (OptionError naming `trainDecisionTransformer.<option>`). */
export function resolveTrainDTOptions(options: TrainDTOptions & { tasks?: Array<string | number> }): ResolvedTrainDTOptions {
  const { tasks: _tasks, ...o } = TRAIN_DT_OPTIONS.parse(options);
  return o;
}

/** Check that a model fits a dataset (dims, task count, timestep table) and hand it the normalisation and prompts. */
export function attachDataset(model: DecisionTransformer, data: MultiTaskDataset, promptSeed: Seed = 0): void {
  const c = model.config;
  if (data.stateDim !== c.stateDim) throw new ShapeError('dataset observations', `stateDim ${c.stateDim} (the model's)`, `stateDim ${data.stateDim}`);
  if (data.actDim !== c.actDim) throw new ShapeError('dataset actions', `actDim ${c.actDim} (the model's)`, `actDim ${data.actDim}`);
  if (c.conditioning === 'taskEmbedding' && data.numTasks > c.numTasks) {
    throw new OptionError('numTasks', `>= the dataset's ${data.numTasks} tasks`, c.numTasks);
  }
  if (data.normalization.maxEpisodeLength > c.maxEpisodeLength) {
    throw new OptionError('maxEpisodeLength', `>= the dataset's longest episode (${data.normalization.maxEpisodeLength})`, c.maxEpisodeLength);
  }
  model.normalization = { ...data.normalization, maxEpisodeLength: c.maxEpisodeLength };
  if (c.conditioning === 'prompt') {
    const rng = createRng(`prompt-eval:${promptSeed}`);
    model.evaluationPrompts = data.taskNames.map((_, t) => data.evaluationPrompt(t, c.promptLength, rng));
  }
}

/** Draw the batch of step `step` (round robin: task = step mod N). */
export function drawBatch(
  model: DecisionTransformer, data: MultiTaskDataset, step: number, o: Pick<ResolvedTrainDTOptions, 'batchSize' | 'sampling' | 'promptFromTop'>,
  rng: ReturnType<typeof createRng>, tasks?: number[],
): WindowBatch {
  const list = tasks ?? data.taskNames.map((_, i) => i);
  let batch: WindowBatch;
  if (o.sampling === 'round-robin') {
    batch = data.sampleWindows(list[step % list.length], o.batchSize, model.context, rng);
  } else {
    const ids = Int32Array.from({ length: o.batchSize }, () => list[rng.int(list.length)]);
    batch = data.sampleWindows(ids, o.batchSize, model.context, rng);
  }
  if (model.config.conditioning === 'prompt') batch.prompt = data.samplePrompts(batch.taskIds, model.config.promptLength, rng, o.promptFromTop);
  return batch;
}

export interface TrainDTResult {
  steps: number;
  /** Loss of every step. */
  losses: Float32Array;
  seconds: number;
}

/**
 * One clipped Adam step on `batch`; returns the loss scalar (kept: the caller disposes it).
 * `variables` defaults to every model variable.
 */
export function dtStep(model: DecisionTransformer, optimizer: tf.Optimizer, batch: WindowBatch, gradClip: number, variables = model.variables): tf.Scalar {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => dtLoss(model.forward(batch, { training: true }), batch), variables);
    optimizer.applyGradients(clipByGlobalNorm(grads, gradClip));
    return tf.keep(value);
  });
}

/** Train `model` on `data` (all tasks, or `tasks`); sets model.normalization (and Prompt-DT prompts). */
export async function trainDecisionTransformer(
  model: DecisionTransformer, data: MultiTaskDataset, options: TrainDTOptions & { tasks?: Array<string | number> } = {},
): Promise<TrainDTResult> {
  const o = resolveTrainDTOptions(options);
  attachDataset(model, data, o.seed);
  const tasks = options.tasks?.map((t) => data.taskIndex(t));
  const rng = createRng(`train-dt:${o.seed}`);
  const optimizer = makeOptimizer(o.weightDecay > 0 ? { name: 'adamw', lr: o.lr, weightDecay: o.weightDecay } : { name: 'adam', lr: o.lr });
  const started = performance.now();
  const losses = new Float32Array(o.steps);
  const log = new LossLog(losses, o.onLog);
  try {
    for (let step = 0; step < o.steps; step++) {
      const batch = drawBatch(model, data, step, o, rng, tasks);
      log.push(dtStep(model, optimizer, batch, o.gradClip));
      if (log.pending >= o.syncEvery || step === o.steps - 1) await log.flush();
    }
  } finally {
    log.dispose();
    optimizer.dispose();
  }
  return { steps: o.steps, losses, seconds: (performance.now() - started) / 1000 };
}

/** Keeps per-step loss scalars on the device and reads them in one go (throws on a non-finite loss). */
export class LossLog {
  private readonly queue: tf.Scalar[] = [];
  private next = 0;
  constructor(
    private readonly losses: Float32Array,
    private readonly onLog?: (info: { step: number; loss: number }) => void,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  push(loss: tf.Scalar): void {
    this.queue.push(loss);
  }

  async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    const items = this.queue.splice(0);
    const stacked = tf.stack(items);
    const values = (await stacked.data()) as Float32Array;
    stacked.dispose();
    tf.dispose(items);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new NonFiniteLossError(this.next + i, values[i]);
    }
    this.losses.set(values, this.next);
    this.next += values.length;
    this.onLog?.({ step: this.next - 1, loss: values[values.length - 1] });
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }

  dispose(): void {
    tf.dispose(this.queue.splice(0));
  }
}
