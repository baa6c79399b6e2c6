/**
 * Online evaluation of a window policy with target returns (harmodt.md §S1 "Eval"): every
 * episode starts with R̂_0 = target / scale and continues with R̂_{t+1} = R̂_t − r_t / scale;
 * the model sees the last K steps, left-padded, padded keys masked.
 *
 * All episodes of all tasks advance in lockstep and each timestep is ONE batched forward
 * pass over every live episode (one device read per timestep), the hot path of every
 * reproduction. A policy with per-task weights (HarmoDT) groups rows by task inside
 * predictLast. Episode seeds depend only on (seed, task, episode), so every method is
 * evaluated on the same initial states.
 */
import { OptionError, defineOptions, opt, type Seed } from '@paperkit/tensor-core';
import { normalizeStateInto } from '../data/normalization.js';
import { emptyWindowBatch } from '../data/window-batch.js';
import type { WindowPolicy } from '../dt/decision-transformer.js';
import type { EnvSuite, EpisodeEnv } from './env-suite.js';

export interface EvaluateOptions {
  /** Episodes per task. Default 20 (harmodt.md §5). */
  episodes?: number;
  /** Suite tasks to run (names or suite ids). Default all. */
  tasks?: Array<string | number>;
  /** Target return per evaluated task (same order as `tasks`), or one for all. Default the policy's targetReturns (best return in its data). */
  targetReturn?: number | number[];
  /** Multiplies the default target (e.g. 1.0 = best return in the data). Default 1. */
  targetScale?: number;
  /** Seed of the episodes' initial states. Default 0. */
  seed?: Seed;
}

export interface TaskEvaluation {
  task: string;
  /** Share of episodes that succeeded at any step. */
  success: number;
  meanReturn: number;
  episodes: number;
  target: number;
}

export interface EvaluationResult {
  tasks: TaskEvaluation[];
  /** Mean of the per-task success rates. */
  meanSuccess: number;
  seconds: number;
}

/** The options of `evaluatePolicy` and their defaults (harmodt.md §5: 20 episodes per task; the official code: 10). */
export const EVALUATE_OPTIONS = defineOptions('evaluatePolicy', {
  episodes: opt.integer({ min: 1, default: 20 }),
  tasks: opt.optional(opt.array(opt.custom<string | number>('a task name or suite id', (v) => typeof v === 'string' || typeof v === 'number'), { minLength: 1 })),
  targetReturn: opt.optional(opt.custom<number | number[]>(
    'a finite number or an array of finite numbers (one per evaluated task)',
    (v) => (typeof v === 'number' && Number.isFinite(v)) || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x))),
  )),
  targetScale: opt.number({ min: 0, exclusiveMin: true, default: 1 }),
  seed: opt.custom<Seed>('a number or string', (v) => typeof v === 'number' || typeof v === 'string', { default: 0 }),
});

export const EVALUATE_DEFAULTS = EVALUATE_OPTIONS.defaults;

export async function evaluatePolicy(policy: WindowPolicy, suite: EnvSuite, userOptions: EvaluateOptions = {}): Promise<EvaluationResult> {
  const started = performance.now();
  const options = EVALUATE_OPTIONS.parse(userOptions);
  const episodes = options.episodes;
  const norm = policy.normalization;
  if (suite.stateDim !== policy.stateDim) throw new OptionError('evaluatePolicy suite', `stateDim ${policy.stateDim} (the policy's)`, suite.stateDim);
  if (suite.actDim !== policy.actDim) throw new OptionError('evaluatePolicy suite', `actDim ${policy.actDim} (the policy's)`, suite.actDim);
  const suiteTasks = (options.tasks ?? suite.taskNames.map((_, i) => i)).map((t) => {
    const i = typeof t === 'number' ? t : suite.taskNames.indexOf(t);
    if (!Number.isInteger(i) || i < 0 || i >= suite.taskNames.length) throw new OptionError('evaluatePolicy.tasks', `tasks of the suite (${suite.taskNames.join(', ')})`, t);
    return i;
  });
  // Policy task id of each evaluated suite task, matched by name.
  const policyTasks = suiteTasks.map((i) => {
    const p = norm.taskNames.indexOf(suite.taskNames[i]);
    if (p < 0) throw new OptionError('evaluatePolicy.tasks', `tasks the policy was trained on (${norm.taskNames.join(', ')})`, suite.taskNames[i]);
    return p;
  });
  const scaleTarget = options.targetScale;
  if (Array.isArray(options.targetReturn) && options.targetReturn.length !== policyTasks.length) {
    throw new OptionError('evaluatePolicy.targetReturn', `one target per evaluated task (${policyTasks.length})`, `${options.targetReturn.length} targets`);
  }
  const targets = policyTasks.map((p, k) => {
    const given = options.targetReturn;
    const value = typeof given === 'number' ? given : Array.isArray(given) ? given[k] : (norm.targetReturns?.[p] ?? Number.NaN) * scaleTarget;
    if (!Number.isFinite(value)) throw new OptionError('evaluatePolicy.targetReturn', 'a finite target per task (or a policy trained on a dataset, which stores them)', given);
    return value;
  });
  const seed = options.seed;

  const { context: K, stateDim: S, actDim: A } = policy;
  const T = suite.horizon;
  const E = suiteTasks.length * episodes;
  const envs: EpisodeEnv[] = [];
  const taskOf = new Int32Array(E);
  const rtg = new Float64Array(E);
  for (let k = 0; k < suiteTasks.length; k++) {
    for (let e = 0; e < episodes; e++) {
      const row = k * episodes + e;
      envs.push(suite.makeEnv(suiteTasks[k], `eval:${seed}:${suite.taskNames[suiteTasks[k]]}:${e}`));
      taskOf[row] = policyTasks[k];
      rtg[row] = targets[k] / norm.rtgScale;
    }
  }
  // Histories: normalised states, actions, conditioning returns, per episode and step.
  const states = new Float32Array(E * T * S);
  const actions = new Float32Array(E * T * A);
  const returns = new Float32Array(E * T);
  const success = new Uint8Array(E);
  const totals = new Float64Array(E);
  const obs = new Float32Array(S);
  const batch = emptyWindowBatch(E, K, S, A);
  batch.taskIds.set(taskOf);

  for (let t = 0; t < T; t++) {
    for (let row = 0; row < E; row++) {
      envs[row].observe(obs);
      normalizeStateInto(norm, taskOf[row], obs, states, (row * T + t) * S);
      returns[row * T + t] = rtg[row];
    }
    batch.states.fill(0);
    batch.actions.fill(0);
    batch.returnsToGo.fill(0);
    batch.timesteps.fill(0);
    batch.mask.fill(0);
    for (let row = 0; row < E; row++) {
      for (let k = 0; k < K; k++) {
        const step = t - (K - 1) + k;
        if (step < 0) continue;
        const dst = row * K + k;
        const src = row * T + step;
        batch.states.set(states.subarray(src * S, (src + 1) * S), dst * S);
        if (step < t) batch.actions.set(actions.subarray(src * A, (src + 1) * A), dst * A); // a_t itself is unknown (0)
        batch.returnsToGo[dst] = returns[src];
        batch.timesteps[dst] = Math.min(step, norm.maxEpisodeLength - 1);
        batch.mask[dst] = 1;
      }
    }
    const predicted = policy.predictLast(batch);
    const values = (await predicted.data()) as Float32Array;
    predicted.dispose();
    for (let row = 0; row < E; row++) {
      const a = values.subarray(row * A, (row + 1) * A);
      actions.set(a, (row * T + t) * A);
      const r = envs[row].step(a);
      totals[row] += r.reward;
      if (r.success) success[row] = 1;
      rtg[row] -= r.reward / norm.rtgScale;
    }
  }
  const tasks: TaskEvaluation[] = suiteTasks.map((i, k) => {
    let s = 0;
    let ret = 0;
    for (let e = 0; e < episodes; e++) {
      s += success[k * episodes + e];
      ret += totals[k * episodes + e];
    }
    return { task: suite.taskNames[i], success: s / episodes, meanReturn: ret / episodes, episodes, target: targets[k] };
  });
  return {
    tasks,
    meanSuccess: tasks.reduce((a, r) => a + r.success, 0) / tasks.length,
    seconds: (performance.now() - started) / 1000,
  };
}
