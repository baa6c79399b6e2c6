/**
 * planar-suite (harmodt.md §S4): a seeded, pure-TS multi-task control suite. Every episode and
 * dataset is a deterministic function of the seed (tensor-core's Rng), so experiments need no
 * download. Task t's dataset uses the seed stream `1000 * t + 17` (t = index in PLANAR_TASKS)
 * mixed with the dataset seed.
 */
import { OptionError, createRng, type Rng, type Seed } from '@paperkit/tensor-core';
import { MultiTaskDataset, type TrajectoryInput } from '../data/multi-task-dataset.js';
import type { EpisodeEnv, EnvSuite } from '../eval/env-suite.js';
import { QUALITY_NOISE, expertAction, noisyExpertAction, type DataQuality } from './experts.js';
import { PlanarEnv } from './planar-env.js';
import { PLANAR_ACT_DIM, PLANAR_HORIZON, PLANAR_STATE_DIM, PLANAR_TASKS, isPlanarTask, type PlanarTaskName } from './tasks.js';

export interface PlanarSuiteOptions {
  /** Tasks of the suite, in order (task id = position). Default all seven. */
  tasks?: readonly PlanarTaskName[];
}

export interface PlanarDatasetOptions {
  /** Episodes per task. Default 100 (harmodt.md §5). */
  episodesPerTask?: number;
  /** Behaviour quality. Default 'near-optimal' (σ .3, p_rand .1). */
  quality?: DataQuality;
  /** Dataset seed. Default 0. */
  seed?: Seed;
  /** Passed to MultiTaskDataset (default rtgScale: the largest return). */
  rtgScale?: number;
  /** State normalisation: 'per-task' (default), 'global' (task-agnostic policies) or 'none'. */
  normalize?: 'per-task' | 'global' | 'none';
}

/** Success and return of one rollout of a scripted policy. */
export interface EpisodeSummary {
  success: boolean;
  return: number;
}

export class PlanarSuite implements EnvSuite {
  readonly tasks: readonly PlanarTaskName[];
  readonly stateDim = PLANAR_STATE_DIM;
  readonly actDim = PLANAR_ACT_DIM;
  readonly horizon = PLANAR_HORIZON;

  private constructor(tasks: readonly PlanarTaskName[]) {
    this.tasks = tasks;
  }

  static create(options: PlanarSuiteOptions = {}): PlanarSuite {
    const tasks = options.tasks ?? PLANAR_TASKS;
    if (!Array.isArray(tasks) || tasks.length === 0) throw new OptionError('PlanarSuite.tasks', 'a non-empty array of task names', tasks);
    tasks.forEach((t, i) => {
      if (!isPlanarTask(t)) throw new OptionError(`PlanarSuite.tasks[${i}]`, `one of ${PLANAR_TASKS.join(', ')}`, t);
    });
    if (new Set(tasks).size !== tasks.length) throw new OptionError('PlanarSuite.tasks', 'distinct task names', tasks);
    return new PlanarSuite([...tasks]);
  }

  get taskNames(): string[] {
    return [...this.tasks];
  }

  /** Id of a task in this suite. */
  taskId(task: PlanarTaskName | number): number {
    const i = typeof task === 'number' ? task : this.tasks.indexOf(task);
    if (!Number.isInteger(i) || i < 0 || i >= this.tasks.length) throw new OptionError('task', `one of ${this.tasks.join(', ')}`, task);
    return i;
  }

  /** A fresh episode of task `task` (id or name), its initial state drawn from `seed`. */
  makeEnv(task: number | PlanarTaskName, seed: Seed | Rng): EpisodeEnv & { env: PlanarEnv } {
    const name = this.tasks[this.taskId(task)];
    const env = new PlanarEnv(name, typeof seed === 'object' ? seed : createRng(seed));
    return {
      env,
      observe: (out?: Float32Array) => env.observe(out),
      step: (action: ArrayLike<number>) => env.step(action),
    };
  }

  /** Seeded offline dataset: `episodesPerTask` noisy-expert episodes of every task, T = 40 steps each, ending in a timeout. */
  dataset(options: PlanarDatasetOptions = {}): MultiTaskDataset {
    const episodes = options.episodesPerTask ?? 100;
    if (!Number.isInteger(episodes) || episodes < 1) throw new OptionError('dataset.episodesPerTask', 'a positive integer', episodes);
    const quality = options.quality ?? 'near-optimal';
    const noise = QUALITY_NOISE[quality];
    if (!noise) throw new OptionError('dataset.quality', Object.keys(QUALITY_NOISE).join(' | '), quality);
    const seed = options.seed ?? 0;
    const trajectories: TrajectoryInput[] = [];
    for (const task of this.tasks) {
      const rng = createRng(`planar:${seed}:${1000 * PLANAR_TASKS.indexOf(task) + 17}`);
      for (let e = 0; e < episodes; e++) trajectories.push(rolloutScripted(task, rng, noise));
    }
    return MultiTaskDataset.fromTrajectories(trajectories, {
      taskNames: this.taskNames,
      stateDim: PLANAR_STATE_DIM,
      actDim: PLANAR_ACT_DIM,
      rtgScale: options.rtgScale,
      normalize: options.normalize,
      maxEpisodeLength: PLANAR_HORIZON,
    });
  }

  /** Success rate and mean return of the scripted policy of `quality` on `episodes` seeded episodes of a task. */
  scriptedScore(task: PlanarTaskName | number, quality: DataQuality, episodes: number, seed: Seed = 0): { success: number; meanReturn: number } {
    const name = this.tasks[this.taskId(task)];
    const rng = createRng(`scripted:${seed}:${name}`);
    let successes = 0;
    let total = 0;
    for (let e = 0; e < episodes; e++) {
      const tr = rolloutScripted(name, rng, QUALITY_NOISE[quality]);
      successes += tr.success ? 1 : 0;
      total += tr.return;
    }
    return { success: successes / episodes, meanReturn: total / episodes };
  }

  /**
   * Normalised return (R - R_rand) / (R_expert - R_rand) (§S4), with the references measured on
   * 100 seeded episodes of the random and the expert policy.
   */
  normalizedReturn(task: PlanarTaskName | number, episodeReturn: number): number {
    const name = this.tasks[this.taskId(task)];
    let ref = REFERENCE_CACHE.get(name);
    if (!ref) {
      ref = { random: this.scriptedScore(name, 'random', 100, 'ref').meanReturn, expert: this.scriptedScore(name, 'expert', 100, 'ref').meanReturn };
      REFERENCE_CACHE.set(name, ref);
    }
    return (episodeReturn - ref.random) / Math.max(ref.expert - ref.random, 1e-9);
  }
}

const REFERENCE_CACHE = new Map<string, { random: number; expert: number }>();

/** One scripted episode as a trajectory (observation before each action). */
function rolloutScripted(task: PlanarTaskName, rng: Rng, noise: { sigma: number; pRandom: number }): TrajectoryInput & EpisodeSummary {
  const env = new PlanarEnv(task, rng);
  const observations = new Float32Array(PLANAR_HORIZON * PLANAR_STATE_DIM);
  const actions = new Float32Array(PLANAR_HORIZON * PLANAR_ACT_DIM);
  const rewards: number[] = [];
  const a = new Float32Array(PLANAR_ACT_DIM);
  for (let t = 0; t < PLANAR_HORIZON; t++) {
    env.observe(observations.subarray(t * PLANAR_STATE_DIM, (t + 1) * PLANAR_STATE_DIM));
    if (noise.sigma === 0 && noise.pRandom === 0) expertAction(env, a);
    else noisyExpertAction(env, noise, rng, a);
    actions.set(a, t * PLANAR_ACT_DIM);
    rewards.push(env.step(a).reward);
  }
  return { task, observations, actions, rewards, success: env.succeeded, return: rewards.reduce((x, y) => x + y, 0) };
}
