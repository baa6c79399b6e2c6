/**
 * Whole-dataset evaluation of a MoLA model or baseline: accuracy, per-task
 * accuracy and, for models with adapters, gate purity and routing entropy.
 * A 'router' model is evaluated WITHOUT task ids (router and heads alike);
 * the others use the task ids, as the paper's Grad and HPS do.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import type { MolaMode } from './mola-model.js';
import { gatePurity, routingEntropy } from './routing-metrics.js';
import { checkTaskData, type TaskData } from './task-data.js';

/** What evaluateMoLA needs: MolaModel and SeparateModels both fit. */
export interface TaskPredictor {
  readonly mode: MolaMode | 'separate';
  readonly numTasks: number;
  predict(x: tf.Tensor, ctx?: { taskIds?: ArrayLike<number> }): tf.Tensor2D;
  gates?(x: tf.Tensor, taskIds?: ArrayLike<number>): tf.Tensor2D;
}

export interface MolaEvaluation {
  accuracy: number;
  /** Mean of the per-task accuracies. */
  meanTaskAccuracy: number;
  perTask: number[];
  /** Router and grad models. */
  gatePurity?: number;
  routingEntropy?: number;
}

export function evaluateMoLA(model: TaskPredictor, data: TaskData, options: { batchSize?: number } = {}): MolaEvaluation {
  const n = checkTaskData(data, 'data');
  const batchSize = options.batchSize ?? 1024;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError('batchSize', 'an integer >= 1', batchSize);
  const correct = new Array<number>(model.numTasks).fill(0);
  const total = new Array<number>(model.numTasks).fill(0);
  const withGates = model.gates !== undefined && (model.mode === 'router' || model.mode === 'grad');
  const gateValues: number[] = [];
  let e = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const ids = Array.from({ length: size }, (_, i) => data.taskIds[start + i]);
    const ctx = model.mode === 'router' ? {} : { taskIds: ids };
    const xb = tf.slice(data.x, [start], [size]);
    const pred = tf.tidy(() => tf.argMax(model.predict(xb, ctx), -1));
    const g = withGates ? model.gates!(xb, model.mode === 'router' ? undefined : ids) : null;
    xb.dispose();
    const p = pred.dataSync();
    for (let i = 0; i < size; i++) {
      const t = ids[i];
      total[t] += 1;
      if (p[i] === data.y[start + i]) correct[t] += 1;
    }
    if (g) {
      e = g.shape[1] as number;
      gateValues.push(...g.dataSync());
    }
    pred.dispose();
    g?.dispose();
  }
  const perTask = correct.map((c, t) => (total[t] > 0 ? c / total[t] : Number.NaN));
  const present = perTask.filter((a) => !Number.isNaN(a));
  const out: MolaEvaluation = {
    accuracy: correct.reduce((a, b) => a + b, 0) / n,
    meanTaskAccuracy: present.reduce((a, b) => a + b, 0) / present.length,
    perTask,
  };
  if (withGates) {
    const gates = { values: gateValues, shape: [n, e] as [number, number] };
    out.gatePurity = gatePurity(gates, data.taskIds);
    out.routingEntropy = routingEntropy(gates);
  }
  return out;
}
