/**
 * Single shared LoRA baseline (spec section 4): one low-rank delta (T = 1) used
 * by every task, on the same backbone. It has LoRKD's extra capacity for one
 * task's worth of expert but no separation, isolating what separation buys.
 * Train it with trainMTL / trainLoRKD: a one-expert student is fed all-ones task rows.
 */
import type * as tf from '@tensorflow/tfjs';
import { addTaskExperts, type AddTaskExpertsOptions } from '../add-task-experts.js';

export type SharedLoRAOptions = Omit<AddTaskExpertsOptions, 'numTasks' | 'perTaskRank' | 'routing'>;

export function addSharedLoRA(model: tf.LayersModel, options: SharedLoRAOptions = {}): tf.LayersModel {
  return addTaskExperts(model, { ...options, numTasks: 1 });
}
