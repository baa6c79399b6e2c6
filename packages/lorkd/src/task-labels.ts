/**
 * Task bookkeeping of spec section 2 ("Losses"): every task owns a block of the
 * concatenated class axis; labels inside a task are local (0..C_t-1) and global
 * labels are local + offset_t, offset_t = C_0 + ... + C_{t-1}.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';

/** Cumulative class offsets [0, C_0, C_0 + C_1, ...] (length T + 1). */
export function classOffsets(classesPerTask: readonly number[]): number[] {
  const offsets = [0];
  for (const c of classesPerTask) offsets.push(offsets[offsets.length - 1] + c);
  return offsets;
}

/** Check classesPerTask: positive integers, at least one task. */
export function checkClassesPerTask(classesPerTask: readonly number[]): void {
  if (!Array.isArray(classesPerTask) || classesPerTask.length === 0) {
    throw new OptionError('classesPerTask', 'a non-empty array of class counts', classesPerTask);
  }
  classesPerTask.forEach((c, t) => {
    if (!Number.isInteger(c) || c < 1) throw new OptionError(`classesPerTask[${t}]`, 'an integer >= 1', c);
  });
}

/** Throw RangeError unless every task id is an integer in [0, T). */
export function checkTaskIds(taskIds: ArrayLike<number>, numTasks: number, name = 'task'): void {
  for (let i = 0; i < taskIds.length; i++) {
    const t = taskIds[i];
    if (!Number.isInteger(t) || t < 0 || t >= numTasks) {
      throw new OptionError(`${name}[${i}]`, `a task id in [0, ${numTasks - 1}]`, t);
    }
  }
}

/** Local labels -> global labels (label + offset of the sample's task). Checks ranges; throws RangeError naming the row. */
export function localToGlobal(labels: ArrayLike<number>, taskIds: ArrayLike<number>, classesPerTask: readonly number[]): Int32Array {
  const offsets = classOffsets(classesPerTask);
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const t = taskIds[i];
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classesPerTask[t]) {
      throw new OptionError(`y[${i}]`, `a local label in [0, ${classesPerTask[t] - 1}] for task ${t}`, y);
    }
    out[i] = y + offsets[t];
  }
  return out;
}

/** Global labels -> local labels (label - offset of the sample's task). Throws RangeError when a label is outside its task's block. */
export function globalToLocal(labels: ArrayLike<number>, taskIds: ArrayLike<number>, classesPerTask: readonly number[]): Int32Array {
  const offsets = classOffsets(classesPerTask);
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const t = taskIds[i];
    const local = labels[i] - offsets[t];
    if (!Number.isInteger(local) || local < 0 || local >= classesPerTask[t]) {
      throw new OptionError(`y[${i}]`, `a global label of task ${t} (block ${offsets[t]}..${offsets[t + 1] - 1})`, labels[i]);
    }
    out[i] = local;
  }
  return out;
}

/**
 * The [T, sum C] 0/1 matrix whose row t marks task t's class block; taskRows @ it
 * is the per-sample block mask. Returns a new tensor.
 */
export function classBlockMatrix(classesPerTask: readonly number[]): tf.Tensor2D {
  const offsets = classOffsets(classesPerTask);
  const total = offsets[offsets.length - 1];
  const values = new Float32Array(classesPerTask.length * total);
  classesPerTask.forEach((c, t) => {
    for (let j = 0; j < c; j++) values[t * total + offsets[t] + j] = 1;
  });
  return tf.tensor2d(values, [classesPerTask.length, total]);
}

/** One-hot task rows [N, T] from task ids (RangeError on a bad id). Returns a new tensor. */
export function taskOneHot(taskIds: ArrayLike<number>, numTasks: number): tf.Tensor2D {
  checkTaskIds(taskIds, numTasks);
  const values = new Float32Array(taskIds.length * numTasks);
  for (let i = 0; i < taskIds.length; i++) values[i * numTasks + taskIds[i]] = 1;
  return tf.tensor2d(values, [taskIds.length, numTasks]);
}

/** Read task ids out of one-hot rows [N, T]; throws OptionError naming the first row that is not one-hot. */
export function taskIdsFromRows(rows: Float32Array | number[], numTasks: number, name = 'task'): Int32Array {
  const n = rows.length / numTasks;
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let hot = -1;
    for (let t = 0; t < numTasks; t++) {
      const v = rows[i * numTasks + t];
      if (v === 1 && hot === -1) hot = t;
      else if (v !== 0) {
        hot = -2;
        break;
      }
    }
    if (hot < 0) {
      throw new OptionError(`${name} row ${i}`, "a one-hot task row (pass routing: 'soft' to mix experts)", Array.from(rows.slice(i * numTasks, (i + 1) * numTasks)));
    }
    ids[i] = hot;
  }
  return ids;
}
