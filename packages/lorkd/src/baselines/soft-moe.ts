/**
 * Soft-routed mixture of task experts (spec section 4, beyond the paper): for
 * users without a task id at inference. A learned softmax router g(x) replaces
 * the one-hot task row, delta = sum_t g_t(x) delta_t, through the same EKS mask
 * (M = g(x) @ E). The model takes x alone; the heads still use task blocks in
 * training, and any class block can be read at inference.
 */
import type * as tf from '@tensorflow/tfjs';
import { addTaskExperts, type AddTaskExpertsOptions } from '../add-task-experts.js';

export type SoftMoEOptions = Omit<AddTaskExpertsOptions, 'routing'>;

export function addSoftMoE(model: tf.LayersModel, options: SoftMoEOptions): tf.LayersModel {
  return addTaskExperts(model, { ...options, routing: 'soft' });
}
