/**
 * The training loop of mola.md section 2, "Per batch": router (if any) ->
 * backbone with gamma -> task losses on each task's subset (+ TwD) ->
 * backward -> ONE optimizer step over every parameter (the official code steps
 * a second optimizer over the same parameters for router runs; we do not).
 * Model selection uses a validation split only: every `evalEvery` steps the
 * model is evaluated there and the best checkpoint is restored at the end
 * (the official code selects on the split it calls "valid", which is its test set).
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteLossError, OptionError, batchIndices, createRng, defineOptions, makeOptimizer, opt, type OptimizerSpec } from '@paperkit/tensor-core';
import { evaluateMoLA } from './evaluate.js';
import type { MolaModel, TaskLoss } from './mola-model.js';
import { checkTaskData, type TaskData } from './task-data.js';

export interface TrainMolaOptions {
  /** Optimizer steps. Default 2000 (spec section 5). */
  steps?: number;
  /** Default 256. */
  batchSize?: number;
  /** Default {name: 'adam', lr: 3e-3} (spec section 5). */
  optimizer?: OptimizerSpec | tf.Optimizer;
  /** Validation split for model selection (never the test split). */
  validation?: TaskData;
  /** Evaluate on validation (and read the loss) every this many steps. Default 100. */
  evalEvery?: number;
  /** 'best-val' (default with a validation split): restore the best checkpoint; 'last': keep the final weights. */
  select?: 'best-val' | 'last';
  /** Custom per-task loss (default: softmax cross-entropy on class ids). */
  taskLoss?: TaskLoss;
  /** Seed of the batch order. Default 0. */
  seed?: number | string;
  /** Called at every evaluation point. */
  onEval?: (info: TrainPoint) => void;
}

/** trainMoLA's options: rules and defaults (spec section 5: Adam 3e-3, batch 256, 2000 steps). */
export const TRAIN_MOLA_OPTIONS = defineOptions('trainMoLA', {
  steps: opt.integer({ min: 1, default: 2000 }),
  batchSize: opt.integer({ min: 1, default: 256 }),
  optimizer: opt.optional(opt.custom<OptimizerSpec | tf.Optimizer>("a spec like {name: 'adam', lr: 3e-3} or a tf.Optimizer", (v) => typeof v === 'object' && v !== null)),
  validation: opt.optional(opt.custom<TaskData>('a TaskData {x, y, taskIds}', (v) => typeof v === 'object' && v !== null && 'x' in v)),
  evalEvery: opt.integer({ min: 1, default: 100 }),
  select: opt.optional(opt.oneOf(['best-val', 'last'] as const)),
  taskLoss: opt.optional(opt.func<TaskLoss>()),
  seed: opt.optional(opt.custom<number | string>('a number or string', (v) => typeof v === 'number' || typeof v === 'string')),
  onEval: opt.optional(opt.func<(info: TrainPoint) => void>()),
});

export const TRAIN_MOLA_DEFAULTS = Object.freeze({
  ...TRAIN_MOLA_OPTIONS.defaults,
  optimizer: Object.freeze({ name: 'adam', lr: 3e-3 }) as OptimizerSpec,
  seed: 0 as number | string,
});

export interface TrainPoint {
  step: number;
  /** Mean training loss since the previous point. */
  loss: number;
  /** Validation mean task accuracy (when a validation split is given). */
  valAccuracy?: number;
}

export interface TrainMolaResult {
  history: TrainPoint[];
  /** Step whose checkpoint the model holds at the end. */
  selectedStep: number;
  /** Its validation mean task accuracy (NaN without validation). */
  selectedValAccuracy: number;
}

export async function trainMoLA(model: MolaModel, data: TaskData, options: TrainMolaOptions = {}): Promise<TrainMolaResult> {
  const o = TRAIN_MOLA_OPTIONS.parse(options as never);
  const d = TRAIN_MOLA_DEFAULTS;
  const { steps, batchSize, evalEvery } = o;
  const n = checkTaskData(data, 'data');
  if (options.validation) checkTaskData(options.validation, 'validation');
  const select = options.select ?? (options.validation ? 'best-val' : 'last');
  if (select === 'best-val' && !options.validation) throw new OptionError('trainMoLA.validation', "a validation split for select: 'best-val'", undefined);
  const ownOptimizer = options.optimizer === undefined || !(options.optimizer instanceof tf.Optimizer);
  const optimizer = makeOptimizer(options.optimizer ?? d.optimizer);
  const vars = model.trainableVariables;
  const all = model.variables;
  const rng = createRng(options.seed ?? d.seed).fork('mola-batches');
  const bs = Math.min(batchSize, n);
  let plan: Int32Array[] = [];
  let lossSum: tf.Scalar = tf.scalar(0);
  let sinceEval = 0;
  const history: TrainPoint[] = [];
  let best: { step: number; acc: number; weights: tf.Tensor[] | null } = { step: 0, acc: -Infinity, weights: null };
  try {
    for (let step = 1; step <= steps; step++) {
      if (plan.length === 0) plan = batchIndices(n, bs, rng, true).reverse();
      const idx = plan.pop()!;
      const y = new Int32Array(idx.length);
      const ids = new Int32Array(idx.length);
      for (let i = 0; i < idx.length; i++) {
        y[i] = data.y[idx[i]];
        ids[i] = data.taskIds[idx[i]];
      }
      const xb = tf.tidy(() => tf.gather(data.x, tf.tensor1d(idx, 'int32')));
      const cost = optimizer.minimize(() => model.lossTerms({ x: xb, y, taskIds: ids }, options.taskLoss).total, true, vars);
      xb.dispose();
      const next = tf.add(lossSum, cost!) as tf.Scalar;
      tf.dispose([lossSum, cost!]);
      lossSum = next;
      sinceEval += 1;
      if (step % evalEvery === 0 || step === steps) {
        const loss = (await lossSum.data())[0] / sinceEval;
        if (!Number.isFinite(loss)) throw new NonFiniteLossError(step - 1, loss);
        lossSum.dispose();
        lossSum = tf.scalar(0);
        sinceEval = 0;
        const point: TrainPoint = { step, loss };
        if (options.validation) {
          point.valAccuracy = evaluateMoLA(model, options.validation).meanTaskAccuracy;
          if (select === 'best-val' && point.valAccuracy > best.acc) {
            if (best.weights) tf.dispose(best.weights);
            best = { step, acc: point.valAccuracy, weights: all.map((v) => v.clone()) };
          }
        }
        history.push(point);
        options.onEval?.(point);
      }
    }
    if (select === 'best-val' && best.weights) {
      const w = best.weights;
      all.forEach((v, i) => v.assign(w[i]));
      return { history, selectedStep: best.step, selectedValAccuracy: best.acc };
    }
    const last = history[history.length - 1];
    return { history, selectedStep: steps, selectedValAccuracy: last?.valAccuracy ?? Number.NaN };
  } finally {
    lossSum.dispose();
    if (best.weights) tf.dispose(best.weights);
    if (ownOptimizer) optimizer.dispose();
  }
}
