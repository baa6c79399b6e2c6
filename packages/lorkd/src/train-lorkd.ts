/**
 * trainLoRKD: distil a frozen teacher into a student with per-task experts
 * (spec sections 2 and 6). Mixed-task minibatches run through the EKS forward,
 * each sample's loss uses its task's head (class block) with local labels, and
 * the teacher's logits restricted to that block are matched by Hinton KD.
 */
import type * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { isExpertLayer } from './expert-layer.js';
import { trainTaskModel, type TrainTaskModelOptions, type TrainTaskModelResult } from './train-task-model.js';

export type { KDOptions, OptimizerChoice } from './train-task-model.js';

export interface TrainLoRKDOptions extends Omit<TrainTaskModelOptions, 'model' | 'head'> {
  /** Student from addTaskExperts (inputs [x, taskRows], or x alone with soft routing). */
  student: tf.LayersModel;
}

/**
 * Train the student in place. Defaults (spec section 6): kd {weight 0.1,
 * temperature 1, target 'logits'} when a teacher is given, optimizer 'sgd'
 * (momentum 0.9) with lr 0.05, batchSize 128, epochs 10, seed 0.
 */
export async function trainLoRKD(options: TrainLoRKDOptions): Promise<TrainTaskModelResult> {
  const { student, ...rest } = options;
  const experts = student.layers.filter(isExpertLayer);
  if (experts.length === 0) throw new OptionError('student', 'a model built by addTaskExperts (it has no expert layers)', student.name);
  if (experts[0].numTasks !== options.classesPerTask.length && experts[0].numTasks !== 1) {
    throw new OptionError('classesPerTask', `one entry per task (the student has ${experts[0].numTasks} experts)`, options.classesPerTask);
  }
  return trainTaskModel({ ...rest, model: student, head: 'task' });
}
