import * as tf from '@tensorflow/tfjs';
import { createRng, initBackend } from '@paperkit/tensor-core';
import { TaskDataset } from '../src/task-dataset.js';

export async function setupBackend(): Promise<string> {
  const info = await initBackend({ quiet: true });
  return info.name;
}

/**
 * A synthetic task: states drift randomly, the expert action is tanh(M s) for
 * a task matrix M (two tasks with M and -M are "aliased": same states, opposite actions).
 */
export function linearTask(seed: number, sign = 1, episodes = 12, length = 10, stateDim = 4, actDim = 2): TaskDataset {
  const rng = createRng(`linear-task:${seed}`);
  const mRng = createRng('linear-task-matrix');
  const M = Array.from({ length: actDim * stateDim }, () => mRng.normal() * sign);
  const trajectories = Array.from({ length: episodes }, () => {
    const observations: number[][] = [];
    const actions: number[][] = [];
    const rewards: number[] = [];
    let s = Array.from({ length: stateDim }, () => rng.normal());
    for (let t = 0; t < length; t++) {
      observations.push(s);
      const a = Array.from({ length: actDim }, (_, i) => Math.tanh(s.reduce((acc, v, j) => acc + M[i * stateDim + j] * v, 0)));
      actions.push(a);
      rewards.push(1);
      s = s.map((v) => 0.8 * v + 0.5 * rng.normal());
    }
    return { observations, actions, rewards };
  });
  return TaskDataset.fromTrajectories(trajectories, { stateDim, actDim });
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

export const SMALL = { stateDim: 4, actDim: 2, embedDim: 16, layers: 1, heads: 2, context: 3, maxEpisodeLength: 16 } as const;
