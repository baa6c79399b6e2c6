/**
 * Task-aware evaluation over a whole dataset. Unlike the official scripts,
 * which drop the last partial batch (spec section 7), every row is evaluated.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, accuracy } from '@paperkit/tensor-core';
import { restrictToTaskBlock } from './lorkd-loss.js';
import { prepareTaskData, type TaskDataset } from './task-data.js';
import { classBlockMatrix, classOffsets, taskOneHot } from './task-labels.js';
import { taskRowsFor } from './task-rows.js';

export interface EvaluateOptions {
  classesPerTask: number[];
  labels?: 'local' | 'global';
  /** Rows per forward pass (default 256); the last partial batch is included. */
  batchSize?: number;
  /**
   * 'block' (default): predict inside the sample's class block (task id known).
   * 'all': argmax over every class (task id unknown; a hit needs the right task and class).
   */
  predictIn?: 'block' | 'all';
}

export interface TaskEvaluation {
  /** Accuracy over all rows. */
  accuracy: number;
  /** Accuracy of each task's rows (NaN for a task with no rows). */
  perTask: number[];
  /** Mean over tasks that have rows (the "mean region accuracy" of spec section 5). */
  meanTaskAccuracy: number;
  /** Rows evaluated (always N). */
  count: number;
}

/**
 * Evaluate `model` (one network over all classes, with or without a task input;
 * predictions are restricted to the sample's class block) or `models` (one
 * network per task with local logits: merged experts, STL students).
 */
export async function evaluateTasks(model: tf.LayersModel | tf.LayersModel[], data: TaskDataset, options: EvaluateOptions): Promise<TaskEvaluation> {
  const { classesPerTask, batchSize = 256 } = options;
  const prepared = prepareTaskData(data, { classesPerTask, labels: options.labels });
  const T = classesPerTask.length;
  const offsets = classOffsets(classesPerTask);
  const predicted = new Int32Array(prepared.n);
  if (Array.isArray(model)) {
    if (options.predictIn === 'all') throw new OptionError('predictIn', "'block' for per-task models (they only have their own classes)", 'all');
    if (model.length !== T) throw new OptionError('models', `one model per task (${T})`, model.length);
    for (let t = 0; t < T; t++) {
      const rows: number[] = [];
      prepared.taskIds.forEach((id, i) => id === t && rows.push(i));
      if (rows.length === 0) continue;
      const local = tf.tidy(() => {
        const xt = tf.gather(prepared.x, tf.tensor1d(rows, 'int32'));
        return tf.argMax(model[t].predict(xt, { batchSize }) as tf.Tensor, -1);
      });
      const values = await local.data();
      local.dispose();
      rows.forEach((row, j) => (predicted[row] = values[j] + offsets[t]));
    }
  } else {
    const parts: tf.Tensor[] = [];
    const blocks = classBlockMatrix(classesPerTask);
    try {
      for (let start = 0; start < prepared.n; start += batchSize) {
        const end = Math.min(start + batchSize, prepared.n);
        parts.push(tf.tidy(() => {
          const ids = prepared.taskIds.subarray(start, end);
          const xb = tf.slice(prepared.x, start, end - start);
          const rows = taskRowsFor(model, ids, T);
          const logits = model.predict(rows ? [xb, rows] : xb) as tf.Tensor;
          const mask = tf.matMul(taskOneHot(ids, T), blocks);
          return tf.argMax(options.predictIn === 'all' ? logits : restrictToTaskBlock(logits, mask), -1);
        }));
      }
      const all = tf.concat(parts);
      predicted.set(await all.data());
      all.dispose();
    } finally {
      tf.dispose(parts);
      blocks.dispose();
    }
  }
  const perTask = Array.from({ length: T }, (_, t) => {
    let hit = 0;
    let count = 0;
    for (let i = 0; i < prepared.n; i++) {
      if (prepared.taskIds[i] !== t) continue;
      count++;
      if (predicted[i] === prepared.labels[i]) hit++;
    }
    return count > 0 ? hit / count : Number.NaN;
  });
  const present = perTask.filter((a) => !Number.isNaN(a));
  return {
    accuracy: accuracy(prepared.labels, predicted),
    perTask,
    meanTaskAccuracy: present.reduce((a, b) => a + b, 0) / present.length,
    count: prepared.n,
  };
}
