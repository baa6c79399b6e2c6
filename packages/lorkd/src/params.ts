/**
 * Parameter accounting (spec section 5, "Report: params (trainable / deployed)"):
 * training holds the backbone, all T heads and all T experts; a department
 * deploys only its merged expert: the backbone with delta_t folded in plus its
 * own head.
 */
import * as tf from '@tensorflow/tfjs';
import { isExpertLayer } from './expert-layer.js';
import { mergeExpert } from './merge-expert.js';

export interface ExpertParamCounts {
  /** Every weight of the student (backbone, heads, experts, BatchNorm statistics). */
  total: number;
  /** Trainable weights of the student. */
  trainable: number;
  /** Parameters of each task's expert (its A_t and B_t over all layers). */
  perExpert: number[];
  /** total - sum(perExpert): the shared backbone with all heads. */
  backbone: number;
  /** Weights of the model a department deploys for each task (mergeExpert(student, t, {classesPerTask})). */
  deployed: number[];
}

/** Total number of weights of a model (trainable or not). */
export function countParams(model: tf.LayersModel): number {
  return model.countParams();
}

/** Count a student's parameters; `classesPerTask` slices the heads for the deployed counts. */
export function expertParams(student: tf.LayersModel, options: { classesPerTask?: number[] } = {}): ExpertParamCounts {
  const experts = student.layers.filter(isExpertLayer);
  const T = experts.length > 0 ? experts[0].numTasks : 0;
  const perExpert = Array.from({ length: T }, (_, t) => experts.reduce((a, layer) => a + layer.expertParamCount(t), 0));
  const total = student.countParams();
  const trainable = student.trainableWeights.reduce((a, w) => a + (w.shape as number[]).reduce((p, d) => p * d, 1), 0);
  const deployed = Array.from({ length: T }, (_, t) => {
    const merged = mergeExpert(student, t, options);
    const count = merged.countParams();
    merged.dispose();
    return count;
  });
  return { total, trainable, perExpert, backbone: total - perExpert.reduce((a, b) => a + b, 0), deployed };
}
