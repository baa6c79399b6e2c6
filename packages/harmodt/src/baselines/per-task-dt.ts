/**
 * Per-task DT baseline (harmodt.md §4/issue): one independent Decision Transformer per task,
 * same model size, trained only on its task's data (each gets steps / N of the budget, so the
 * total number of gradient steps equals the multi-task methods'). predictLast routes every row
 * to its task's model.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import {
  DecisionTransformer, trainDecisionTransformer, type DecisionTransformerOptions, type MultiTaskDataset, type Normalization,
  type TrainDTOptions, type WindowBatch, type WindowPolicy,
} from '@paperkit/offline-rl';
import { subBatch } from '../harmo-dt.js';

export class PerTaskDT implements WindowPolicy {
  readonly models: DecisionTransformer[];
  normalization: Normalization;

  constructor(
    readonly modelOptions: Omit<DecisionTransformerOptions, 'conditioning' | 'numTasks'>,
    readonly numTasks: number,
  ) {
    if (!Number.isInteger(numTasks) || numTasks < 1) throw new OptionError('numTasks', 'a positive integer', numTasks);
    this.models = Array.from({ length: numTasks }, (_, t) => new DecisionTransformer({ ...modelOptions, seed: `${modelOptions.seed ?? 0}:task${t}`, conditioning: 'none', numTasks: 1 }));
    this.normalization = this.models[0].normalization;
  }

  get context(): number {
    return this.models[0].context;
  }
  get stateDim(): number {
    return this.models[0].stateDim;
  }
  get actDim(): number {
    return this.models[0].actDim;
  }

  /** Train model t on task t for `steps / numTasks` steps (options.steps is the total budget). */
  async fit(data: MultiTaskDataset, options: TrainDTOptions = {}): Promise<{ seconds: number }> {
    if (data.numTasks !== this.numTasks) throw new OptionError('fit(data)', `a dataset with ${this.numTasks} tasks`, data.numTasks);
    const per = Math.max(1, Math.round((options.steps ?? 1800) / this.numTasks));
    let seconds = 0;
    for (let t = 0; t < this.numTasks; t++) {
      seconds += (await trainDecisionTransformer(this.models[t], data.select([t]), { ...options, steps: per, seed: `${options.seed ?? 0}:task${t}` })).seconds;
    }
    this.normalization = data.normalization;
    return { seconds };
  }

  predictLast(batch: WindowBatch): tf.Tensor2D {
    const tasks = [...new Set(batch.taskIds)].sort((a, b) => a - b);
    const parts: tf.Tensor2D[] = [];
    const position = new Int32Array(batch.size);
    let k = 0;
    for (const t of tasks) {
      if (!(t >= 0 && t < this.numTasks)) throw new OptionError('taskId', `a task id in [0, ${this.numTasks})`, t);
      const rows = [...batch.taskIds.keys()].filter((r) => batch.taskIds[r] === t);
      const sub = subBatch(batch, rows);
      sub.taskIds.fill(0);
      parts.push(this.models[t].predictLast(sub));
      for (const r of rows) position[r] = k++;
    }
    return tf.tidy(() => {
      const out = tf.gather(tf.concat(parts, 0), tf.tensor1d(position, 'int32')) as tf.Tensor2D;
      tf.dispose(parts);
      return out;
    });
  }

  dispose(): void {
    for (const m of this.models) m.dispose();
  }
}
