/**
 * The boundary where user data enters: x, labels and task ids are checked once
 * (one read of y and task, never per step) and turned into JS arrays of task
 * ids and global labels that the training loops and evaluators share.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@paperkit/tensor-core';
import { checkClassesPerTask, checkTaskIds, globalToLocal, localToGlobal, taskIdsFromRows } from './task-labels.js';

/** Task-labelled data: x [N, ...], y [N] labels, task [N] ids or [N, T] one-hot rows. */
export interface TaskDataset {
  x: tf.Tensor;
  y: tf.Tensor | ArrayLike<number>;
  task: tf.Tensor | ArrayLike<number>;
}

export interface PreparedTaskData {
  x: tf.Tensor;
  n: number;
  taskIds: Int32Array;
  /** Global labels (local + offset). */
  labels: Int32Array;
}

export interface PrepareOptions {
  classesPerTask: number[];
  /** Whether `y` holds local labels (0..C_t-1, default) or global ones. */
  labels?: 'local' | 'global';
}

function toArray(value: tf.Tensor | ArrayLike<number>): ArrayLike<number> {
  return value instanceof tf.Tensor ? (value.dataSync() as ArrayLike<number>) : value;
}

/** Check and convert a TaskDataset (see the file comment). */
export function prepareTaskData(data: TaskDataset, options: PrepareOptions): PreparedTaskData {
  const { classesPerTask, labels = 'local' } = options;
  checkClassesPerTask(classesPerTask);
  const T = classesPerTask.length;
  if (!(data.x instanceof tf.Tensor) || data.x.rank < 2) throw new ShapeError('data.x', '[N, ...features]', data.x instanceof tf.Tensor ? data.x.shape : typeof data.x);
  const n = data.x.shape[0];
  let taskIds: Int32Array;
  if (data.task instanceof tf.Tensor && data.task.rank === 2) {
    if (data.task.shape[1] !== T) throw new ShapeError('data.task', `[${n}, ${T}] one-hot rows`, data.task.shape);
    if (data.task.shape[0] !== n) throw new ShapeError('data.task', `[${n}, ${T}] (same N as data.x)`, data.task.shape);
    taskIds = taskIdsFromRows(data.task.dataSync() as Float32Array, T, 'data.task');
  } else {
    const ids = toArray(data.task);
    if (ids.length !== n) throw new ShapeError('data.task', `[${n}] (same N as data.x)`, [ids.length]);
    checkTaskIds(ids, T, 'data.task');
    taskIds = Int32Array.from(ids as ArrayLike<number>);
  }
  const y = toArray(data.y);
  if (data.y instanceof tf.Tensor && data.y.rank !== 1) throw new ShapeError('data.y', `[${n}] class ids`, data.y.shape);
  if (y.length !== n) throw new ShapeError('data.y', `[${n}] (same N as data.x)`, [y.length]);
  const global = labels === 'global' ? (globalToLocal(y, taskIds, classesPerTask), Int32Array.from(y)) : localToGlobal(y, taskIds, classesPerTask);
  return { x: data.x, n, taskIds, labels: global };
}
