/**
 * Separate models per task (mola.md section 4, no sharing at all): task t gets
 * its own copy of the user's model, trained only on task t's rows. With the
 * same number of steps and batchSize / T rows per step, each model sees as
 * many of its task's samples as the joint models do.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import type { MolaModel } from '../mola-model.js';
import type { TaskData } from '../task-data.js';
import { trainMoLA, type TrainMolaOptions, type TrainMolaResult } from '../train-mola.js';
import { hardParameterSharing } from './hps.js';

export class SeparateModels {
  readonly mode = 'separate' as const;
  readonly models: MolaModel[];

  constructor(build: (task: number) => tf.LayersModel, readonly numTasks: number) {
    if (!Number.isInteger(numTasks) || numTasks < 1) throw new OptionError('numTasks', 'an integer >= 1', numTasks);
    this.models = Array.from({ length: numTasks }, (_, t) => {
      const base = build(t);
      const m = hardParameterSharing(base, { numTasks: 1 });
      base.dispose();
      return m;
    });
  }

  trainableParameterCount(): number {
    return this.models.reduce((a, m) => a + m.trainableParameterCount(), 0);
  }

  /** Row i goes through model taskIds[i]. */
  predict(x: tf.Tensor, ctx: { taskIds?: ArrayLike<number> } = {}): tf.Tensor2D {
    const ids = ctx.taskIds;
    if (!ids) throw new OptionError('taskIds', 'task ids (each row goes to its own task model)', undefined);
    const n = x.shape[0] as number;
    return tf.tidy(() => {
      const zeros = new Array<number>(n).fill(0);
      let out: tf.Tensor | null = null;
      this.models.forEach((m, t) => {
        const mask = tf.tensor2d(Array.from(ids, (v) => (v === t ? 1 : 0)), [n, 1]);
        const part = tf.mul(m.predict(x, { taskIds: zeros }), mask);
        out = out ? tf.add(out, part) : part;
      });
      return out! as tf.Tensor2D;
    });
  }

  dispose(): void {
    this.models.forEach((m) => m.dispose());
  }
}

function subset(data: TaskData, task: number): TaskData {
  const rows: number[] = [];
  for (let i = 0; i < data.taskIds.length; i++) if (data.taskIds[i] === task) rows.push(i);
  return {
    x: tf.tidy(() => tf.gather(data.x, tf.tensor1d(rows, 'int32'))),
    y: rows.map((i) => data.y[i]),
    taskIds: new Array<number>(rows.length).fill(0),
  };
}

/** Train model t on task t's rows (validation split likewise per task). */
export async function trainSeparateModels(models: SeparateModels, data: TaskData, options: TrainMolaOptions = {}): Promise<TrainMolaResult[]> {
  const results: TrainMolaResult[] = [];
  const batchSize = Math.max(8, Math.round((options.batchSize ?? 256) / models.numTasks));
  for (let t = 0; t < models.numTasks; t++) {
    const train = subset(data, t);
    const val = options.validation ? subset(options.validation, t) : undefined;
    try {
      results.push(await trainMoLA(models.models[t], train, { ...options, batchSize, validation: val, seed: `${options.seed ?? 0}-${t}` }));
    } finally {
      train.x.dispose();
      val?.x.dispose();
    }
  }
  return results;
}
