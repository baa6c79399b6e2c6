/**
 * The training loop every paperkit method uses: a custom loss over tfjs
 * variables (or a LayersModel / Module), seeded minibatches, an optimizer
 * from a spec, callbacks and a progress bar.
 *
 * Three rules keep it fast and leak-free on every backend:
 * - Loss values stay on the device until a sync point (every `syncEvery` steps
 *   and at each epoch end), where they are stacked and read with one `data()`
 *   call. A per-step `dataSync` would stall every step on a device round trip.
 * - Each step runs inside its own engine scope (not `tf.tidy`, because the loop
 *   awaits between steps); the batch tensors and everything the step creates
 *   are freed when the scope ends, except the kept scalar cost, which is freed
 *   right after it is read.
 * - A non-finite loss stops training with NonFiniteLossError carrying the
 *   exact step where it first appeared (detected at the next sync point, so up
 *   to `syncEvery - 1` further updates may already have been applied).
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteLossError, OptionError, ShapeError } from '../errors.js';
import { createRng, type Seed } from '../random.js';
import { batchIndices, takeRows } from './batches.js';
import { isOptimizer, makeOptimizer, DEFAULT_OPTIMIZER, type OptimizerSpec } from './optimizer.js';
import { createProgress } from './progress.js';

/** What `onStep` receives after every optimizer step. */
export interface StepInfo {
  /** 0-based global step index (counts across epochs). */
  step: number;
  /** 0-based epoch (always 0 in trainSteps). */
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  /** Total steps planned. */
  totalSteps: number;
  /** This step's loss, only on sync steps (every `syncEvery` steps and the last step of each epoch). Use `onLosses` to see every value. */
  loss?: number;
}

/** Training callbacks. Any of them may be async; returning `false` stops training after the current step. */
export interface Callbacks {
  /** After every step, in order. */
  onStep?(info: StepInfo): void | boolean | Promise<void | boolean>;
  /** After every epoch, with the mean loss over its steps. */
  onEpochEnd?(epoch: number, meanLoss: number): void | boolean | Promise<void | boolean>;
  /** At every sync point: the losses of steps firstStep, firstStep+1, ... read in this batch. */
  onLosses?(firstStep: number, losses: Float32Array): void | Promise<void>;
}

/** Something with trainable variables: a paperkit Module, or any object exposing them. */
export interface HasTrainableVariables {
  readonly trainableVariables: tf.Variable[];
}

interface CommonOptions {
  /** Variables to train. Give exactly one of `variables` and `model`. */
  variables?: tf.Variable[];
  /** A tf.LayersModel (its trainableWeights are trained) or a Module-like object with `trainableVariables`. */
  model?: tf.LayersModel | HasTrainableVariables;
  /** Optimizer spec or instance. Default {name: 'adam', lr: 1e-3}. An instance you pass is not disposed; one built from a spec is. */
  optimizer?: OptimizerSpec | tf.Optimizer;
  callbacks?: Callbacks;
  /** Show progress (true), hide it (false), or show it with this label. Default true (see createProgress for TTY/CI handling). */
  progress?: boolean | string;
  /** Read losses every this many steps (and at each epoch end). Default 50. */
  syncEvery?: number;
}

export interface FitOptions extends CommonOptions {
  /** Named training tensors, all with the same first dimension N (the rows). */
  data: Record<string, tf.Tensor>;
  /** Loss of one minibatch (rows of every `data` tensor); runs inside the optimizer's gradient tape. */
  loss: (batch: Record<string, tf.Tensor>, step: number) => tf.Scalar;
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Rows per step. Default 32. */
  batchSize?: number;
  /** Seed of the shuffle. Default 0. */
  seed?: Seed;
  /** Shuffle rows every epoch. Default true. */
  shuffle?: boolean;
  /** Drop a final batch smaller than batchSize. Default false. */
  dropLast?: boolean;
}

export interface TrainStepsOptions extends CommonOptions {
  /** Number of optimizer steps. */
  steps: number;
  /** Loss of step `step` (the closure draws or indexes its own data); runs inside the gradient tape. */
  loss: (step: number) => tf.Scalar;
}

export interface FitResult {
  /** Optimizer steps taken. */
  steps: number;
  /** Epochs run (the last may be partial when a callback stopped training). */
  epochs: number;
  /** Mean loss of each epoch. */
  epochLosses: number[];
  /** Loss of the last step. */
  lastLoss: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** Loss of every step, in order. */
  losses: Float32Array;
}

/** Train on minibatches of `data` for `epochs` passes. */
export async function fit(opts: FitOptions): Promise<FitResult> {
  const { data } = opts;
  if (data === null || typeof data !== 'object') throw new OptionError('data', 'a record of tensors', data);
  const names = Object.keys(data);
  if (names.length === 0) throw new OptionError('data', 'at least one tensor', '{}');
  let rows = -1;
  for (const name of names) {
    const t = data[name];
    if (!(t instanceof tf.Tensor)) throw new OptionError(`data.${name}`, 'a tf.Tensor', typeof t);
    if (t.isDisposed) throw new OptionError(`data.${name}`, 'a live tensor', 'a disposed tensor');
    if (t.rank === 0) throw new ShapeError(`data.${name}`, '[N, ...]', t.shape);
    if (rows < 0) rows = t.shape[0];
    else if (t.shape[0] !== rows) throw new ShapeError(`data.${name}`, `[${rows}, ...] (same N as data.${names[0]})`, t.shape);
  }
  if (rows === 0) throw new ShapeError(`data.${names[0]}`, '[N, ...] with N >= 1', data[names[0]].shape);
  const epochs = positiveInt('epochs', opts.epochs ?? 1);
  const batchSize = positiveInt('batchSize', opts.batchSize ?? 32);
  const dropLast = opts.dropLast ?? false;
  if (dropLast && batchSize > rows) {
    throw new OptionError('batchSize', `<= the ${rows} rows of data when dropLast is true (otherwise no batch is left)`, batchSize);
  }
  if (typeof opts.loss !== 'function') throw new OptionError('loss', 'a function (batch, step) => tf.Scalar', typeof opts.loss);
  const stepsPerEpoch = dropLast ? Math.floor(rows / batchSize) : Math.ceil(rows / batchSize);
  const rng = createRng(opts.seed ?? 0);
  const shuffle = opts.shuffle ?? true;
  let plan: Int32Array[] = [];

  return runLoop(opts, 'fit', epochs, stepsPerEpoch, {
    startEpoch() {
      plan = batchIndices(rows, batchSize, shuffle ? rng : undefined, dropLast);
    },
    prepare(_epoch, batch, step) {
      const idx = tf.tensor1d(plan[batch], 'int32');
      const tensors: Record<string, tf.Tensor> = {};
      for (const name of names) tensors[name] = takeRows(data[name], idx);
      return () => opts.loss(tensors, step);
    },
  });
}

/** Take `steps` optimizer steps of a loss that supplies its own data. */
export async function trainSteps(opts: TrainStepsOptions): Promise<FitResult> {
  const steps = positiveInt('steps', opts.steps);
  if (typeof opts.loss !== 'function') throw new OptionError('loss', 'a function (step) => tf.Scalar', typeof opts.loss);
  return runLoop(opts, 'train', 1, steps, {
    startEpoch() {},
    prepare: (_epoch, _batch, step) => () => opts.loss(step),
  });
}

interface StepSource {
  startEpoch(epoch: number): void;
  /** Called inside the step's engine scope; returns the closure to minimize. */
  prepare(epoch: number, batch: number, step: number): () => tf.Scalar;
}

/** Yield to the event loop at least this often, so progress bars and timers run. */
const YIELD_MS = 100;

async function runLoop(
  opts: CommonOptions,
  defaultLabel: string,
  epochs: number,
  stepsPerEpoch: number,
  source: StepSource,
): Promise<FitResult> {
  const syncEvery = positiveInt('syncEvery', opts.syncEvery ?? 50);
  const varList = resolveVariables(opts);
  const ownsOptimizer = !isOptimizer(opts.optimizer);
  const optimizer = makeOptimizer(opts.optimizer ?? DEFAULT_OPTIMIZER);
  const callbacks = opts.callbacks ?? {};
  const totalSteps = epochs * stepsPerEpoch;
  const label = typeof opts.progress === 'string' ? opts.progress : defaultLabel;
  const progress = createProgress(totalSteps, label, opts.progress === false ? { enabled: false } : {});

  const started = performance.now();
  let lastYield = Date.now();
  const losses = new Float32Array(totalSteps);
  const epochLosses: number[] = [];
  const pending: tf.Scalar[] = [];
  let firstPending = 0;
  let step = 0;

  /** Read every pending loss with one device read; throws on the first non-finite one. */
  const flush = async (): Promise<number> => {
    const costs = pending.splice(0, pending.length);
    const from = firstPending;
    firstPending += costs.length;
    let values: Float32Array;
    try {
      const stacked = tf.stack(costs);
      try {
        values = (await stacked.data()) as Float32Array;
      } finally {
        stacked.dispose();
      }
    } finally {
      tf.dispose(costs);
    }
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new NonFiniteLossError(from + i, values[i]);
    }
    losses.set(values, from);
    await callbacks.onLosses?.(from, values);
    return values[values.length - 1];
  };

  let stopped = false;
  try {
    for (let epoch = 0; epoch < epochs && !stopped; epoch++) {
      source.startEpoch(epoch);
      const epochStart = step;
      for (let batch = 0; batch < stepsPerEpoch; batch++) {
        tf.engine().startScope();
        try {
          const lossFn = source.prepare(epoch, batch, step);
          const cost = optimizer.minimize(() => checkedLoss(lossFn()), true, varList)!;
          pending.push(tf.keep(cost));
        } finally {
          tf.engine().endScope();
        }
        const info: StepInfo = { step, epoch, batch, totalSteps };
        step++;
        const lastOfEpoch = batch === stepsPerEpoch - 1;
        if (pending.length >= syncEvery || lastOfEpoch) info.loss = await flush();
        progress.tick(1, info.loss === undefined ? undefined : { loss: info.loss });
        if ((await callbacks.onStep?.(info)) === false) stopped = true;
        if (stopped && pending.length > 0) await flush();
        if (stopped || lastOfEpoch) {
          const epochMean = mean(losses, epochStart, step);
          epochLosses.push(epochMean);
          if (lastOfEpoch && (await callbacks.onEpochEnd?.(epoch, epochMean)) === false) stopped = true;
        }
        if (stopped) break;
        if (Date.now() - lastYield >= YIELD_MS) {
          await yieldToEventLoop();
          lastYield = Date.now();
        }
      }
    }
  } finally {
    tf.dispose(pending.splice(0, pending.length)); // only non-empty when a step or callback threw
    progress.stop();
    if (ownsOptimizer) optimizer.dispose();
  }
  return {
    steps: step,
    epochs: epochLosses.length,
    epochLosses,
    lastLoss: step > 0 ? losses[step - 1] : Number.NaN,
    seconds: (performance.now() - started) / 1000,
    losses: losses.slice(0, step),
  };
}

/** The variables to train: exactly one of `variables` and `model`. */
function resolveVariables(opts: CommonOptions): tf.Variable[] {
  if (opts.variables !== undefined && opts.model !== undefined) {
    throw new OptionError('variables/model', 'exactly one of them', 'both');
  }
  let list: tf.Variable[];
  if (opts.variables !== undefined) {
    if (!Array.isArray(opts.variables)) throw new OptionError('variables', 'an array of tf.Variable', typeof opts.variables);
    list = opts.variables;
  } else if (opts.model !== undefined && opts.model !== null) {
    const model = opts.model as Partial<tf.LayersModel> & Partial<HasTrainableVariables>;
    if (Array.isArray(model.trainableWeights)) {
      list = model.trainableWeights.map((w) => w.read() as tf.Variable); // LayerVariable -> its backing tf.Variable
    } else if (Array.isArray(model.trainableVariables)) {
      list = model.trainableVariables;
    } else {
      throw new OptionError('model', 'a tf.LayersModel or an object with trainableVariables', typeof opts.model);
    }
  } else {
    throw new OptionError('variables/model', 'one of them (the variables to train)', 'neither');
  }
  list.forEach((v, i) => {
    if (!(v instanceof tf.Variable)) throw new OptionError(`variables[${i}]`, 'a tf.Variable', (v as unknown as object)?.constructor?.name ?? typeof v);
  });
  if (list.length === 0) throw new OptionError('variables', 'at least one trainable variable', '[]');
  return list;
}

/** Our typed errors for a loss closure that returns no tensor or a non-scalar one. */
function checkedLoss(value: unknown): tf.Scalar {
  if (!(value instanceof tf.Tensor)) throw new OptionError('loss', 'a function returning a scalar tf.Tensor', typeof value);
  if (value.rank !== 0) throw new ShapeError('loss', '[] (a scalar; reduce with tf.mean or tf.sum)', value.shape);
  return value as tf.Scalar;
}

function positiveInt(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new OptionError(option, 'an integer >= 1', value);
  return value;
}

function mean(values: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i];
  return to > from ? sum / (to - from) : Number.NaN;
}

/** Let timers, I/O and a page's rendering run: setImmediate under Node (no 1 ms clamp), setTimeout in a page. */
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise<void>((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}
