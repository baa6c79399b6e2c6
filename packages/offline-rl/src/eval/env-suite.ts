/**
 * What the rollout evaluator needs from an environment suite: a seeded episode factory per
 * task. PlanarSuite implements it; wrap your own simulator the same way.
 */
import type { Seed } from '@paperkit/tensor-core';

/** One running episode. */
export interface EpisodeEnv {
  /** Current observation (stateDim values); may write into `out`. */
  observe(out?: Float32Array): Float32Array;
  /** Apply an action; reward of the step and whether the task counts as solved at this step. */
  step(action: ArrayLike<number>): { reward: number; success: boolean; done?: boolean };
}

export interface EnvSuite {
  readonly taskNames: string[];
  readonly stateDim: number;
  readonly actDim: number;
  /** Episode length T. */
  readonly horizon: number;
  /** A fresh episode of task id `task` whose initial state is drawn from `seed`. */
  makeEnv(task: number, seed: Seed): EpisodeEnv;
}
