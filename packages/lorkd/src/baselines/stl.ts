/**
 * Single-task learning baseline (spec section 4): T separate students, each the
 * user's architecture with a C_t-way head, trained with CE on its own task only,
 * with the same number of gradient steps as the multi-task student (T times the
 * parameters in total).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, batchIndices, createRng, sparseSoftmaxCrossEntropy, trainSteps } from '@paperkit/tensor-core';
import { prepareTaskData, type TaskDataset } from '../task-data.js';
import { classOffsets } from '../task-labels.js';
import { resolveOptimizer, type OptimizerChoice } from '../optimizer-choice.js';

export interface TrainSTLOptions {
  /** Builds task t's model, x -> [batch, numClasses] logits. */
  makeModel: (task: number, numClasses: number) => tf.LayersModel;
  data: TaskDataset;
  classesPerTask: number[];
  labels?: 'local' | 'global';
  /** Gradient steps per task model (default: what the multi-task model takes, epochs * ceil(N / batchSize)). */
  steps?: number;
  epochs?: number;
  batchSize?: number;
  optimizer?: OptimizerChoice;
  lr?: number;
  seed?: number;
}

/** Train one model per task; returns them in task order (evaluate with evaluateTasks(models, ...)). */
export async function trainSTL(options: TrainSTLOptions): Promise<tf.LayersModel[]> {
  const { classesPerTask, epochs = 10, batchSize = 128, seed = 0 } = options;
  const prepared = prepareTaskData(options.data, { classesPerTask, labels: options.labels });
  const steps = options.steps ?? epochs * Math.ceil(prepared.n / batchSize);
  const offsets = classOffsets(classesPerTask);
  const models: tf.LayersModel[] = [];
  for (let t = 0; t < classesPerTask.length; t++) {
    const model = options.makeModel(t, classesPerTask[t]);
    models.push(model);
    const rows: number[] = [];
    prepared.taskIds.forEach((id, i) => id === t && rows.push(i));
    if (rows.length === 0) continue;
    const width = model.outputs[0].shape[1];
    if (width !== classesPerTask[t]) throw new OptionError('makeModel', `a model with ${classesPerTask[t]} outputs for task ${t}`, width);
    const x = tf.gather(prepared.x, tf.tensor1d(rows, 'int32'));
    const y = tf.tensor1d(Int32Array.from(rows, (r) => prepared.labels[r] - offsets[t]), 'int32');
    const rng = createRng(seed).fork(`stl-${t}`);
    let plan: Int32Array[] = [];
    try {
      await trainSteps({
        steps,
        model,
        optimizer: resolveOptimizer(options.optimizer, options.lr),
        progress: false,
        loss: () => {
          if (plan.length === 0) plan = batchIndices(rows.length, batchSize, rng);
          const idx = tf.tensor1d(plan.shift()!, 'int32');
          return sparseSoftmaxCrossEntropy(tf.gather(y, idx), model.apply(tf.gather(x, idx), { training: true }) as tf.Tensor);
        },
      });
    } finally {
      x.dispose();
      y.dispose();
    }
  }
  return models;
}
