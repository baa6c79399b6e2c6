/**
 * Online success of many per-task policies at once (a row of a task-by-task
 * evaluation matrix, a reuse check, a learning-curve point): every episode of every
 * task advances in lockstep, and each timestep is one batched `actBatch` call
 * over all live episodes (the learner groups rows by task), so evaluating ten
 * tasks costs about as many forwards as one. Works on any offline-rl EnvSuite
 * (planar-suite, or your own simulator wrapped the same way).
 *
 * Differs from evaluatePolicy (./evaluate.ts) in what it drives: per-task
 * policies (a continual learner's, each with its own normalisation and return
 * scale; a random policy; anything with `act`) on env tasks that may repeat
 * under fresh seeds (compoformer's "reach-2"), instead of one multi-task
 * WindowPolicy matched by task name. The policy sees raw states and builds its
 * own windows.
 */
import { OptionError } from '@paperkit/tensor-core';
import type { EnvSuite, EpisodeEnv } from './env-suite.js';

/** The running episode of one environment, as a RolloutPolicy receives it. */
export interface RolloutHistory {
  /** States s_0..s_t (raw, unnormalised); the last one is the current state. */
  states: ArrayLike<number>[];
  /** Actions a_0..a_{t-1} already taken. */
  actions: ArrayLike<number>[];
  /** Rewards r_0..r_{t-1} received. */
  rewards: ArrayLike<number>;
}

/** A policy for one task over a batch of running episodes: one action per history (each [actDim]). */
export interface RolloutPolicy {
  readonly taskId: string;
  act(histories: RolloutHistory[]): Float32Array[];
  /** The learner behind it: rows of one source's tasks go into one actBatch call per timestep. */
  readonly source?: { actBatch(taskIds: string[], histories: RolloutHistory[]): Float32Array[] };
}

export interface TaskEpisodes {
  /** The policy to run (for example a learner's policy(id)). */
  policy: RolloutPolicy;
  /** Suite task index or name the environment runs. */
  envTask: number | string;
  /** Seed prefix of the episodes' initial states. */
  seed: string;
  episodes: number;
}

/** Success rate per entry (share of episodes that succeeded at any step), in input order. */
export function evaluateTaskMatrix(suite: EnvSuite, entries: TaskEpisodes[], batchAct?: (policies: RolloutPolicy[], histories: RolloutHistory[]) => Float32Array[]): number[] {
  if (entries.length === 0) return [];
  const envs: EpisodeEnv[] = [];
  const owner: number[] = [];
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k];
    if (!Number.isInteger(e.episodes) || e.episodes < 1) throw new OptionError('evaluateTaskMatrix.episodes', 'a positive integer', e.episodes);
    const task = typeof e.envTask === 'number' ? e.envTask : suite.taskNames.indexOf(e.envTask);
    if (task < 0 || task >= suite.taskNames.length) throw new OptionError('evaluateTaskMatrix.envTask', `a task of the suite (${suite.taskNames.join(', ')})`, e.envTask);
    for (let i = 0; i < e.episodes; i++) {
      envs.push(suite.makeEnv(task, `${e.seed}:${i}`));
      owner.push(k);
    }
  }
  const histories: RolloutHistory[] = envs.map(() => ({ states: [], actions: [], rewards: [] }));
  const solved = new Uint8Array(envs.length);
  const act = batchAct ?? defaultBatchAct;
  for (let t = 0; t < suite.horizon; t++) {
    envs.forEach((env, i) => (histories[i].states as Float32Array[]).push(Float32Array.from(env.observe())));
    const actions = act(owner.map((k) => entries[k].policy), histories);
    envs.forEach((env, i) => {
      const r = env.step(actions[i]);
      (histories[i].actions as Float32Array[]).push(actions[i]);
      (histories[i].rewards as number[]).push(r.reward);
      if (r.success) solved[i] = 1;
    });
  }
  return entries.map((e, k) => {
    let s = 0;
    owner.forEach((o, i) => { if (o === k) s += solved[i]; });
    return s / e.episodes;
  });
}

/** Rows of one learner go through one actBatch call; other policies are called once per step each. */
function defaultBatchAct(policies: RolloutPolicy[], histories: RolloutHistory[]): Float32Array[] {
  const out: Float32Array[] = new Array(histories.length);
  const groups = new Map<object, number[]>();
  policies.forEach((p, i) => {
    const key = p.source ?? p;
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  for (const [key, rows] of groups) {
    const first = policies[rows[0]];
    const acts = first.source && key === first.source
      ? first.source.actBatch(rows.map((i) => policies[i].taskId), rows.map((i) => histories[i]))
      : first.act(rows.map((i) => histories[i]));
    rows.forEach((i, j) => (out[i] = acts[j]));
  }
  return out;
}
