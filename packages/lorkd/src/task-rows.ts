/** The task input of a student: which rows to feed its task-routing input, and how wide it is. */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@paperkit/tensor-core';
import { taskOneHot } from './task-labels.js';

/** The task input width a model expects (T for task experts, 1 for a single shared expert, 0 without task input). */
export function taskInputWidth(model: tf.LayersModel): number {
  return model.inputs.length >= 2 ? (model.inputs[1].shape[1] as number) : 0;
}

/** Task rows to feed a model's task input: one-hot [N, T], or ones [N, 1] for a single shared expert. Returns a new tensor. */
export function taskRowsFor(model: tf.LayersModel, taskIds: Int32Array, numTasks: number): tf.Tensor2D | null {
  const width = taskInputWidth(model);
  if (width === 0) return null;
  if (width === 1) return tf.ones([taskIds.length, 1]);
  if (width !== numTasks) throw new ShapeError('model task input', `[batch, ${numTasks}] (classesPerTask has ${numTasks} tasks)`, model.inputs[1].shape.map(String).join(', '));
  return taskOneHot(taskIds, numTasks);
}
