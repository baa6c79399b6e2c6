/**
 * Baseline Hinton KD, two-stage (spec section 4): the teacher's logits come from a head
 * already fitted on the frozen FM (e.g. the linear probe), then the student minimises
 *   (1 - a) CE(C_S(g(x)), y) + a tau^2 KL(p_T^tau || p_S^tau),  a = 0.5, tau = 4
 * (tensor-core's kdLoss, teacher side blocked).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, kdLoss } from '@paperkit/tensor-core';
import type { TeacherCache } from '../teacher-cache.js';
import { trainStudentWith, type StudentBaselineResult } from './student-only.js';
import type { BaselineTraining } from './rows.js';

export const HINTON_KD_DEFAULTS = Object.freeze({ alpha: 0.5, temperature: 4 });

export interface TrainHintonKDOptions extends BaselineTraining {
  student: tf.LayersModel;
  numClasses: number;
  data: TeacherCache;
  /** Teacher logits of every cache row, [rows, K] (e.g. a probe's logits on cache.features). */
  teacherLogits: tf.Tensor2D;
  /** a: KL weight; CE gets 1 - a. Default 0.5. */
  alpha?: number;
  temperature?: number;
}

export async function trainHintonKD(options: TrainHintonKDOptions): Promise<StudentBaselineResult> {
  const alpha = options.alpha ?? HINTON_KD_DEFAULTS.alpha;
  const temperature = options.temperature ?? HINTON_KD_DEFAULTS.temperature;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new OptionError('trainHintonKD.alpha', 'a number in [0, 1]', alpha);
  const z = options.teacherLogits;
  const rows = options.data?.x?.shape?.[0];
  if (!(z instanceof tf.Tensor) || z.rank !== 2 || z.shape[0] !== rows || z.shape[1] !== options.numClasses) {
    throw new ShapeError('trainHintonKD.teacherLogits', `[${rows}, ${options.numClasses}] (one row per cache row)`, z instanceof tf.Tensor ? z.shape : 'not a tensor');
  }
  return trainStudentWith({ ...options, ceWeight: 1 - alpha }, 'trainHintonKD', (idx, _hS, logits) =>
    alpha > 0 ? (tf.mul(kdLoss(logits, tf.gather(z, idx), { temperature }), alpha) as tf.Scalar) : null,
  );
}
