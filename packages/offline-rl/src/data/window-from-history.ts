/**
 * One live episode's history -> a 1-row WindowBatch for `predictLast` (what `act()` of the DT
 * family feeds the model): the last K steps, left-padded, states normalised with the task's
 * statistics, conditioning R̂_t = (target − Σ_{t'<t} r_t') / scale (§S1 "Eval").
 *
 * history.observations has one more entry than history.actions/rewards: the current state
 * s_t whose action is wanted.
 */
import { OptionError, ShapeError } from '@paperkit/tensor-core';
import { normalizeStateInto, type Normalization } from './normalization.js';
import { emptyWindowBatch, type WindowBatch } from './window-batch.js';

export interface EpisodeHistory {
  /** s_0 .. s_t (t + 1 rows of stateDim). */
  observations: ArrayLike<number>[];
  /** a_0 .. a_{t-1}. */
  actions: ArrayLike<number>[];
  /** r_0 .. r_{t-1}. */
  rewards: ArrayLike<number>;
}

export function windowFromHistory(norm: Normalization, task: number, history: EpisodeHistory, context: number, targetReturn?: number): WindowBatch {
  if (!Number.isInteger(task) || task < 0 || task >= norm.taskNames.length) {
    throw new OptionError('taskId', `a task id in [0, ${norm.taskNames.length}) (${norm.taskNames.join(', ')})`, task);
  }
  const obs = history?.observations;
  if (!Array.isArray(obs) || obs.length === 0) throw new OptionError('history.observations', 'at least the current observation', obs);
  const t = obs.length - 1;
  if (!Array.isArray(history.actions) || history.actions.length !== t) throw new ShapeError('history.actions', `${t} actions (one fewer than observations)`, [history.actions?.length ?? 0]);
  if (!history.rewards || history.rewards.length !== t) throw new ShapeError('history.rewards', `${t} rewards (one fewer than observations)`, [history.rewards?.length ?? 0]);
  const target = targetReturn ?? norm.targetReturns?.[task];
  if (target === undefined || !Number.isFinite(target)) throw new OptionError('targetReturn', 'a finite target return', targetReturn);
  const { stateDim: S, actDim: A } = norm;
  const batch = emptyWindowBatch(1, context, S, A);
  batch.taskIds[0] = task;
  let rtg = target;
  const rtgAt = new Float64Array(t + 1);
  for (let k = 0; k <= t; k++) {
    rtgAt[k] = rtg;
    if (k < t) rtg -= history.rewards[k];
  }
  for (let k = 0; k < context; k++) {
    const step = t - (context - 1) + k;
    if (step < 0) continue;
    const o = obs[step];
    if (!o || o.length !== S) throw new ShapeError(`history.observations[${step}]`, `[${S}] (stateDim)`, [o?.length ?? 0]);
    for (let j = 0; j < S; j++) if (!Number.isFinite(o[j])) throw new OptionError(`history.observations[${step}]`, 'finite values', o[j]);
    normalizeStateInto(norm, task, o, batch.states, k * S);
    if (step < t) {
      const a = history.actions[step];
      if (!a || a.length !== A) throw new ShapeError(`history.actions[${step}]`, `[${A}] (actDim)`, [a?.length ?? 0]);
      for (let j = 0; j < A; j++) batch.actions[k * A + j] = a[j];
    }
    batch.returnsToGo[k] = rtgAt[step] / norm.rtgScale;
    batch.timesteps[k] = Math.min(step, norm.maxEpisodeLength - 1);
    batch.mask[k] = 1;
  }
  return batch;
}
