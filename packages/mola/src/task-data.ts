/** The data shape every MoLA function takes: inputs, class ids and task ids (JS arrays, read once). */
import type * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@paperkit/tensor-core';

export interface TaskData {
  /** Inputs [N, ...] (the model's input shape). */
  x: tf.Tensor;
  /** Class id per sample. */
  y: ArrayLike<number>;
  /** Task (domain) id per sample. */
  taskIds: ArrayLike<number>;
}

export function checkTaskData(data: TaskData, name: string): number {
  const n = data?.x?.shape?.[0];
  if (typeof n !== 'number') throw new ShapeError(`${name}.x`, '[N, ...] tensor', 'missing');
  if (data.y?.length !== n) throw new ShapeError(`${name}.y`, `[${n}] (one class id per row of x)`, [data.y?.length ?? 0]);
  if (data.taskIds?.length !== n) throw new ShapeError(`${name}.taskIds`, `[${n}] (one task id per row of x)`, [data.taskIds?.length ?? 0]);
  return n;
}
