/**
 * The LoRKD task of the page: three generated "departments" share one small
 * classifier; a rank-2 expert per department is added to every hidden layer
 * and distilled from a bigger teacher. Every weight and every shuffle is
 * seeded, so the same call gives the same numbers in Node and in a page
 * (up to each backend's float rounding).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, createProgress } from '@paperkit/tensor-core';
import { addTaskExperts, evaluateTasks, trainLoRKD, trainMTL } from '@paperkit/lorkd';

export const LORKD_TASKS = ['cardiology', 'nephrology', 'hepatology'] as const;
const CLASSES_PER_TASK = [3, 2, 3];
const FEATURES = 8;

export interface LoRKDTaskOptions {
  seed?: number;
  epochs?: number;
  /** Called after every epoch of both trainings (done, total). */
  onProgress?: (done: number, total: number, info?: Record<string, number | string>) => void;
}

export interface LoRKDTaskResult {
  tasks: string[];
  /** Test accuracy of the LoRKD student per task. */
  perTask: number[];
  mean: number;
  /** The small shared model (no experts, no KD) on the same data, per task. */
  baselinePerTask: number[];
  teacherLastLoss: number;
  studentLastLoss: number;
  studentEpochLosses: number[];
}

/** Seeded patients: 8 lab values, a department, a diagnosis local to the department. */
function makeData(seed: number, n: number) {
  const rng = createRng(seed);
  const directions = LORKD_TASKS.map(() => rng.normalArray(FEATURES * 2));
  return (count: number, stream: string) => {
    const r = rng.fork(stream);
    const x = new Float32Array(count * FEATURES);
    const task: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = i % LORKD_TASKS.length;
      let s1 = 0;
      let s2 = 0;
      for (let f = 0; f < FEATURES; f++) {
        const v = r.normal() + (f === t ? 1.5 : 0);
        x[i * FEATURES + f] = v;
        s1 += v * directions[t][f];
        s2 += v * directions[t][FEATURES + f];
      }
      const c = CLASSES_PER_TASK[t];
      task.push(t);
      y.push(Math.min(c - 1, Math.floor(((Math.atan2(s2, s1) + Math.PI) / (2 * Math.PI)) * c)));
    }
    return { x: tf.tensor2d(x, [count, FEATURES]), y, task };
  };
}

function mlp(widths: number[], outputs: number, seed: number): tf.Sequential {
  const layers: tf.layers.Layer[] = widths.map((units, i) =>
    tf.layers.dense({
      ...(i === 0 ? { inputShape: [FEATURES] } : {}),
      units, activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
    }),
  );
  layers.push(tf.layers.dense({ units: outputs, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + widths.length }) }));
  return tf.sequential({ layers });
}

export async function runLoRKDTask(options: LoRKDTaskOptions = {}): Promise<LoRKDTaskResult> {
  const seed = options.seed ?? 7;
  const epochs = options.epochs ?? 6;
  const total = CLASSES_PER_TASK.reduce((a, b) => a + b, 0);
  const make = makeData(seed, 0);
  const train = make(240, 'train');
  const test = make(120, 'test');
  // The page draws its own bar from onUpdate; nothing is written to a stream here.
  const progress = createProgress(3 * epochs, 'LoRKD', { onUpdate: options.onProgress, stream: { write: () => true } });
  const tick = (_epoch: number, loss: number) => progress.tick(1, { loss });
  try {
    const common = { data: train, classesPerTask: CLASSES_PER_TASK, optimizer: 'adam' as const, lr: 1e-2, epochs, batchSize: 60, seed, onEpoch: tick };
    const teacher = mlp([32, 32], total, seed * 100);
    const t = await trainMTL({ model: teacher, ...common });
    const shared = mlp([8, 8], total, seed * 100 + 10);
    await trainMTL({ model: shared, ...common });
    const student = addTaskExperts(mlp([8, 8], total, seed * 100 + 10), { numTasks: LORKD_TASKS.length, rank: 2, alpha: 2, seed });
    const s = await trainLoRKD({ student, teacher, kd: { weight: 1, temperature: 2 }, ...common });
    const e = await evaluateTasks(student, test, { classesPerTask: CLASSES_PER_TASK });
    const b = await evaluateTasks(shared, test, { classesPerTask: CLASSES_PER_TASK });
    for (const m of [teacher, shared, student]) m.dispose();
    return {
      tasks: [...LORKD_TASKS], perTask: e.perTask, mean: e.meanTaskAccuracy, baselinePerTask: b.perTask,
      teacherLastLoss: t.lastLoss, studentLastLoss: s.lastLoss, studentEpochLosses: s.epochLosses,
    };
  } finally {
    progress.stop();
    tf.dispose([train.x, test.x]);
  }
}
