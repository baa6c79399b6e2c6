/**
 * The gradient-conflict diagnostic (spec sections 1 and 5): LoRKD's premise is
 * that tasks pull a shared weight in different directions. We measure it as the
 * cosine between the per-task gradients of the task loss on one shared weight;
 * the mean pairwise cosine is the summary (near 1: aligned, <= 0: conflicting).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, cosine as cosineOf } from '@paperkit/tensor-core';
import { lorkdLoss } from './lorkd-loss.js';
import { prepareTaskData, type TaskDataset } from './task-data.js';
import { classBlockMatrix, taskOneHot } from './task-labels.js';
import { taskRowsFor } from './task-rows.js';

export interface GradientConflictOptions {
  classesPerTask: number[];
  labels?: 'local' | 'global';
  /** Name of the weight (LayerVariable name, e.g. "dense_Dense1/kernel") to probe; default the first kernel of the model. */
  weight?: string;
}

export interface GradientConflict {
  /** T x T cosine matrix of the per-task gradients (NaN for a task without rows). */
  cosine: number[][];
  /** Mean over task pairs i < j. */
  meanPairwiseCosine: number;
  /** The probed weight. */
  weight: string;
}

/** Per-task gradient cosines of a model's task loss on one shared weight. */
export function gradientConflict(model: tf.LayersModel, data: TaskDataset, options: GradientConflictOptions): GradientConflict {
  const { classesPerTask } = options;
  const T = classesPerTask.length;
  const prepared = prepareTaskData(data, { classesPerTask, labels: options.labels });
  const layerWeight = options.weight
    ? model.trainableWeights.find((w) => w.name === options.weight || w.originalName === options.weight)
    : model.trainableWeights.find((w) => /kernel/.test(w.name));
  if (!layerWeight) {
    throw new OptionError('weight', `the name of a trainable weight (${model.trainableWeights.map((w) => w.name).join(', ')})`, options.weight);
  }
  const variable = layerWeight.read() as tf.Variable;
  const grads: (Float32Array | null)[] = [];
  for (let t = 0; t < T; t++) {
    const rows: number[] = [];
    prepared.taskIds.forEach((id, i) => id === t && rows.push(i));
    if (rows.length === 0) {
      grads.push(null);
      continue;
    }
    const g = tf.tidy(() => {
      const idx = tf.tensor1d(rows, 'int32');
      const x = tf.gather(prepared.x, idx);
      const ids = Int32Array.from(rows, (r) => prepared.taskIds[r]);
      const taskRows = taskRowsFor(model, ids, T);
      const labels = tf.tensor1d(Int32Array.from(rows, (r) => prepared.labels[r]), 'int32');
      const mask = tf.matMul(taskOneHot(ids, T), classBlockMatrix(classesPerTask));
      const { grads: gs } = tf.variableGrads(() => {
        const logits = model.apply(taskRows ? [x, taskRows] : x, { training: false }) as tf.Tensor;
        return lorkdLoss({ logits, labels, blockMask: mask, kdWeight: 0 }).total;
      }, [variable]);
      return gs[variable.name];
    });
    grads.push(g.dataSync() as Float32Array);
    g.dispose();
  }
  const cosine = grads.map((a) => grads.map((b) => (a && b ? cosineOf(a, b) : Number.NaN)));
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < T; i++) {
    for (let j = i + 1; j < T; j++) {
      if (!Number.isNaN(cosine[i][j])) {
        sum += cosine[i][j];
        pairs++;
      }
    }
  }
  return { cosine, meanPairwiseCosine: pairs > 0 ? sum / pairs : Number.NaN, weight: layerWeight.name };
}
