/**
 * Loop separation (spec section 4): the same experts and the same loss, but the
 * batch is split by task and each sub-batch runs through the network with its
 * materialised weights W0 + delta_t, one forward per task. Mathematically equal
 * to EKS; it exists to check EKS's equality and its speed claim.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, batchIndices, createRng, trainSteps } from '@paperkit/tensor-core';
import { isExpertLayer } from '../expert-layer.js';
import { lorkdLoss } from '../lorkd-loss.js';
import { prepareTaskData, type TaskDataset } from '../task-data.js';
import { classBlockMatrix, taskOneHot } from '../task-labels.js';
import { resolveOptimizer, type OptimizerChoice } from '../optimizer-choice.js';
import { taskRowsFor } from '../task-rows.js';

function expertLayersOf(student: tf.LayersModel) {
  const layers = student.layers.filter(isExpertLayer);
  if (layers.length === 0) throw new OptionError('student', 'a model with task-expert layers (from addTaskExperts)', `${student.name}, which has none`);
  return layers;
}

/** Run `fn` with every expert layer pinned to task t (loop mode), then restore EKS mode. */
export function withActiveTask<T>(student: tf.LayersModel, task: number, fn: () => T): T {
  const layers = expertLayersOf(student);
  layers.forEach((l) => (l.activeTask = task));
  try {
    return fn();
  } finally {
    layers.forEach((l) => (l.activeTask = null));
  }
}

/** Group row indices by task id. */
export function rowsByTask(taskIds: ArrayLike<number>, numTasks: number): number[][] {
  const groups: number[][] = Array.from({ length: numTasks }, () => []);
  for (let i = 0; i < taskIds.length; i++) groups[taskIds[i]].push(i);
  return groups;
}

/**
 * Per-task loop forward: logits of x [N, ...] (rows in the original order), one
 * pass per task present with the materialised W0 + delta_t. Returns a new tensor.
 */
export function loopForward(student: tf.LayersModel, x: tf.Tensor, taskIds: Int32Array, numTasks: number): tf.Tensor {
  return tf.tidy(() => {
    const groups = rowsByTask(taskIds, numTasks);
    const outs: tf.Tensor[] = [];
    const order: number[] = [];
    groups.forEach((rows, t) => {
      if (rows.length === 0) return;
      const xt = tf.gather(x, tf.tensor1d(rows, 'int32'));
      const dummy = taskRowsFor(student, new Int32Array(rows.length).fill(t), numTasks);
      outs.push(withActiveTask(student, t, () => student.apply(dummy ? [xt, dummy] : xt) as tf.Tensor));
      order.push(...rows);
    });
    const inverse = new Int32Array(order.length);
    order.forEach((row, j) => (inverse[row] = j));
    return tf.gather(tf.concat(outs), tf.tensor1d(inverse, 'int32'));
  });
}

export interface StepTimingOptions {
  student: tf.LayersModel;
  data: TaskDataset;
  classesPerTask: number[];
  labels?: 'local' | 'global';
  teacherLogits?: tf.Tensor;
  kdWeight?: number;
  temperature?: number;
  mode: 'eks' | 'loop';
  steps: number;
  /** Untimed steps first (default 3). */
  warmup?: number;
  batchSize?: number;
  optimizer?: OptimizerChoice;
  lr?: number;
  seed?: number;
}

/**
 * Milliseconds per training step of the EKS forward or the per-task loop on
 * identical minibatches (same seed, same loss). Trains the student in place.
 */
export async function timeTrainingStep(options: StepTimingOptions): Promise<{ msPerStep: number; steps: number }> {
  const { student, classesPerTask, mode, batchSize = 128, seed = 0, warmup = 3, kdWeight = 1, temperature = 4 } = options;
  const T = classesPerTask.length;
  const prepared = prepareTaskData(options.data, { classesPerTask, labels: options.labels });
  const rng = createRng(seed).fork('timing');
  const blocks = classBlockMatrix(classesPerTask);
  const labels = tf.tensor1d(prepared.labels, 'int32');
  const oneHot = taskOneHot(prepared.taskIds, T);
  const taskRows = taskRowsFor(student, prepared.taskIds, T);
  let plan: Int32Array[] = [];
  const nextBatch = () => {
    if (plan.length === 0) plan = batchIndices(prepared.n, batchSize, rng, true);
    return plan.shift()!;
  };
  const take = (t: tf.Tensor | undefined, rows: ArrayLike<number>) => (t ? tf.gather(t, tf.tensor1d(Int32Array.from(rows), 'int32')) : undefined);
  const lossOf = (logits: tf.Tensor, rows: ArrayLike<number>) =>
    lorkdLoss({
      logits,
      labels: take(labels, rows)!,
      blockMask: tf.matMul(take(oneHot, rows) as tf.Tensor2D, blocks),
      teacherLogits: take(options.teacherLogits, rows),
      kdWeight,
      temperature,
    }).total;
  const eksLoss = () => {
    const idx = nextBatch();
    const xb = take(prepared.x, idx)!;
    const rb = take(taskRows ?? undefined, idx);
    return lossOf(student.apply(rb ? [xb, rb] : xb, { training: true }) as tf.Tensor, idx);
  };
  const loopLoss = () => {
    const idx = nextBatch();
    const groups = rowsByTask(Array.from(idx, (i) => prepared.taskIds[i]), T);
    let total: tf.Scalar | null = null;
    groups.forEach((local, t) => {
      if (local.length === 0) return;
      const rows = local.map((j) => idx[j]);
      const xt = take(prepared.x, rows)!;
      const rt = take(taskRows ?? undefined, rows);
      const logits = withActiveTask(student, t, () => student.apply(rt ? [xt, rt] : xt, { training: true }) as tf.Tensor);
      // Mean over the sub-batch weighted by n_t / B equals the mean over the whole batch.
      const part = tf.mul(lossOf(logits, rows), local.length / idx.length) as tf.Scalar;
      total = total ? (tf.add(total, part) as tf.Scalar) : part;
    });
    return total!;
  };
  const loss = mode === 'eks' ? eksLoss : loopLoss;
  const optimizer = resolveOptimizer(options.optimizer ?? 'adam', options.lr);
  const variables = student.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    if (warmup > 0) await trainSteps({ steps: warmup, variables, optimizer, loss, progress: false });
    const started = performance.now();
    await trainSteps({ steps: options.steps, variables, optimizer, loss, progress: false, syncEvery: options.steps });
    return { msPerStep: (performance.now() - started) / options.steps, steps: options.steps };
  } finally {
    tf.dispose([blocks, labels, oneHot, ...(taskRows ? [taskRows] : [])]);
  }
}
