/** Baseline "student only" (spec section 4): CE(C_S(g(x)), y), no teacher at all. */
import * as tf from '@tensorflow/tfjs';
import { Dense, OptionError, createRng, softmaxCrossEntropy, type FitResult } from '@paperkit/tensor-core';
import { attachClassifier, studentFeatureDim } from '../deploy-model.js';
import { trainOnRows } from '../train-loop.js';
import { baselineRows, training, type BaselineData, type BaselineTraining } from './rows.js';

export interface StudentBaselineResult {
  /** x -> logits: the student and its own head. */
  deployModel: tf.LayersModel;
  head: Dense;
  history: FitResult;
  /** Free the head (the student and deployModel stay). */
  dispose(): void;
}

export interface TrainStudentOnlyOptions extends BaselineTraining {
  student: tf.LayersModel;
  numClasses: number;
  data: BaselineData;
}

export async function trainStudentOnly(options: TrainStudentOnlyOptions): Promise<StudentBaselineResult> {
  return trainStudentWith(options, 'trainStudentOnly', () => null);
}

/**
 * The student-side loop shared by student-only, Hinton KD and FitNets: CE on the student's
 * own head plus `extra(rows, hS, logits)` (a weighted extra loss, or null).
 */
export async function trainStudentWith(
  options: TrainStudentOnlyOptions & { ceWeight?: number; extraVariables?: tf.Variable[] },
  name: string,
  extra: (idx: tf.Tensor1D, hS: tf.Tensor, logits: tf.Tensor) => tf.Scalar | null,
): Promise<StudentBaselineResult> {
  const { student, numClasses } = options;
  if (!(student instanceof tf.LayersModel)) throw new OptionError(`${name}.student`, 'a tf.LayersModel x -> features', typeof student);
  const pS = studentFeatureDim(student);
  const rows = baselineRows(options.data, numClasses, `${name}.data`);
  const t = training(options);
  const head = new Dense({ inDim: pS, outDim: numClasses, rng: createRng(t.seed).fork('head'), name: 'student_head' });
  const ceWeight = options.ceWeight ?? 1;
  try {
    const history = await trainOnRows({
      ...t,
      rows: rows.rows,
      variables: [...student.trainableWeights.map((w) => w.read() as tf.Variable), ...head.trainableVariables, ...(options.extraVariables ?? [])],
      loss: (idx) => {
        const hS = student.apply(tf.gather(rows.x, idx), { training: true }) as tf.Tensor;
        const logits = head.apply(hS);
        const ce = tf.mul(softmaxCrossEntropy(tf.gather(rows.labels, idx), logits), ceWeight) as tf.Scalar;
        const more = extra(idx, hS, logits);
        return more ? (tf.add(ce, more) as tf.Scalar) : ce;
      },
    });
    return { deployModel: attachClassifier(student, head, 'student_head'), head, history, dispose: () => head.dispose() };
  } catch (error) {
    head.dispose();
    throw error;
  } finally {
    rows.dispose();
  }
}
