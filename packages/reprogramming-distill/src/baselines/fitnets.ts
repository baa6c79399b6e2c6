/**
 * Baseline FitNets (Romero et al. 2015; spec section 4): CE + lam * mean ||h_T - W_r h_S||^2
 * with a linear regressor W_r: p_S -> p_T trained with the student. "mean" is over every
 * element of the batch (tensor-core's mse), so lam = 1 does not scale with p_T.
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, OptionError, createRng, mse } from '@paperkit/tensor-core';
import { studentFeatureDim } from '../deploy-model.js';
import type { TeacherCache } from '../teacher-cache.js';
import { trainStudentWith, type StudentBaselineResult } from './student-only.js';
import { training, type BaselineTraining } from './rows.js';

export const FITNETS_DEFAULTS = Object.freeze({ weight: 1 });

export interface TrainFitNetsOptions extends BaselineTraining {
  student: tf.LayersModel;
  numClasses: number;
  data: TeacherCache;
  /** lam. Default 1. */
  weight?: number;
}

export async function trainFitNets(options: TrainFitNetsOptions): Promise<StudentBaselineResult & { regressor: Dense }> {
  const weight = options.weight ?? FITNETS_DEFAULTS.weight;
  if (typeof weight !== 'number' || !(weight >= 0) || !Number.isFinite(weight)) throw new OptionError('trainFitNets.weight', 'a finite number >= 0', weight);
  if (!(options.data?.features instanceof tf.Tensor)) throw new OptionError('trainFitNets.data', 'a teacher cache (cacheTeacherFeatures)', typeof options.data);
  const pT = options.data.features.shape[1];
  const regressor = new Dense({ inDim: studentFeatureDim(options.student), outDim: pT, rng: createRng(training(options).seed).fork('regressor'), name: 'fitnets_regressor' });
  try {
    const result = await trainStudentWith({ ...options, extraVariables: regressor.trainableVariables }, 'trainFitNets', (idx, hS) =>
      tf.mul(mse(regressor.apply(hS), tf.gather(options.data.features, idx)), weight) as tf.Scalar,
    );
    return { ...result, regressor, dispose: () => (result.dispose(), regressor.dispose()) };
  } catch (error) {
    regressor.dispose();
    throw error;
  }
}
