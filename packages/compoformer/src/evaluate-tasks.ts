/**
 * Online success of several task policies at once: every episode of every
 * task advances in lockstep, and each timestep is one batched `actBatch` call
 * over all live episodes (the learner groups rows by task), so evaluating ten
 * tasks costs about as many forwards as one. Works on any offline-rl EnvSuite
 * (planar-suite, or your own simulator wrapped the same way).
 *
 * Differs from offline-rl's evaluatePolicy in what it drives: a
 * ContinualLearner's per-task policies, each with its own normalisation and
 * return scale, on env tasks that may repeat under fresh seeds (ocw-mini's
 * "reach-2"), instead of one multi-task WindowPolicy matched by task name.
 */
import type { EnvSuite, EpisodeEnv } from '@paperkit/offline-rl';
import { OptionError } from '@paperkit/tensor-core';
import type { TaskPolicy } from './continual-learner.js';
import type { History } from './windows.js';

export interface TaskEpisodes {
  /** The policy to run (from learner.policy(id), a check, or zeroShotPolicy). */
  policy: TaskPolicy;
  /** Suite task index or name the environment runs. */
  envTask: number | string;
  /** Seed prefix of the episodes' initial states. */
  seed: string;
  episodes: number;
}

/** Success rate per entry (share of episodes that succeeded at any step), in input order. */
export function evaluateTasks(suite: EnvSuite, entries: TaskEpisodes[], batchAct?: (policies: TaskPolicy[], histories: History[]) => Float32Array[]): number[] {
  if (entries.length === 0) return [];
  const envs: EpisodeEnv[] = [];
  const owner: number[] = [];
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k];
    if (!Number.isInteger(e.episodes) || e.episodes < 1) throw new OptionError('evaluateTasks.episodes', 'a positive integer', e.episodes);
    const task = typeof e.envTask === 'number' ? e.envTask : suite.taskNames.indexOf(e.envTask);
    if (task < 0 || task >= suite.taskNames.length) throw new OptionError('evaluateTasks.envTask', `a task of the suite (${suite.taskNames.join(', ')})`, e.envTask);
    for (let i = 0; i < e.episodes; i++) {
      envs.push(suite.makeEnv(task, `${e.seed}:${i}`));
      owner.push(k);
    }
  }
  const histories: History[] = envs.map(() => ({ states: [], actions: [], rewards: [] }));
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
function defaultBatchAct(policies: TaskPolicy[], histories: History[]): Float32Array[] {
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
