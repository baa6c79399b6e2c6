/**
 * Context windows of K steps, the unit a Decision Transformer trains and acts
 * on, in offline-rl's typed-array WindowBatch (left-padded; tensors through
 * offline-rl's windowTensors). Training: one window ending at every step of
 * every episode (so training sees exactly the contexts inference builds).
 * Inference: the last K steps of each running episode, with the return-to-go
 * conditioning R_0 = target / scale, R_{t+1} = R_t - r_t / scale (harmodt.md S1).
 *
 * Why not offline-rl's windowFromHistory: that one writes a 1-row batch with a
 * multi-task Normalization (task-indexed mean/std and targets); here each row
 * has its own task's TaskNormalization and many rows of many tasks go into one
 * batch, so the writer takes the row and the normalisation.
 */
import { emptyWindowBatch, returnToGo, type RolloutHistory, type WindowBatch } from '@paperkit/offline-rl';
import type { Episode, TaskNormalization } from './task-dataset.js';

/** Every window of every episode, normalised with `norm`. */
export function episodeWindows(episodes: Episode[], k: number, stateDim: number, actDim: number, norm: TaskNormalization, maxT: number): WindowBatch {
  const n = episodes.reduce((a, e) => a + e.length, 0);
  const w = emptyWindowBatch(n, k, stateDim, actDim);
  let row = 0;
  for (const e of episodes) {
    const rtg = returnToGo(e.rewards);
    for (let t = 0; t < e.length; t++, row++) {
      for (let slot = 0; slot < k; slot++) {
        const step = t - (k - 1 - slot);
        if (step < 0) continue;
        const cell = row * k + slot;
        for (let j = 0; j < stateDim; j++) {
          w.states[cell * stateDim + j] = (e.observations[step * stateDim + j] - norm.stateMean[j]) / norm.stateStd[j];
        }
        for (let j = 0; j < actDim; j++) w.actions[cell * actDim + j] = e.actions[step * actDim + j];
        w.returnsToGo[cell] = rtg[step] / norm.returnScale;
        w.timesteps[cell] = Math.min(step, maxT - 1);
        w.mask[cell] = 1;
      }
    }
  }
  return w;
}

/** The running episode of one environment, as `act` receives it (offline-rl's RolloutHistory). */
export type History = RolloutHistory;

/**
 * One inference window per history (all normalised with their task's `norm`),
 * written into row `row` of `out` (sized for `out.size` windows).
 */
export function writeHistoryWindow(out: WindowBatch, row: number, h: History, stateDim: number, actDim: number, norm: TaskNormalization, maxT: number): void {
  const k = out.context;
  const t = h.states.length - 1;
  let rtg = norm.targetReturn / norm.returnScale;
  const rtgAt: number[] = [];
  for (let step = 0; step <= t; step++) {
    rtgAt.push(rtg);
    if (step < h.rewards.length) rtg -= h.rewards[step] / norm.returnScale;
  }
  for (let slot = 0; slot < k; slot++) {
    const step = t - (k - 1 - slot);
    const cell = row * k + slot;
    if (step < 0) {
      out.mask[cell] = 0;
      for (let j = 0; j < stateDim; j++) out.states[cell * stateDim + j] = 0;
      for (let j = 0; j < actDim; j++) out.actions[cell * actDim + j] = 0;
      out.returnsToGo[cell] = 0;
      out.timesteps[cell] = 0;
      continue;
    }
    const s = h.states[step];
    for (let j = 0; j < stateDim; j++) out.states[cell * stateDim + j] = (s[j] - norm.stateMean[j]) / norm.stateStd[j];
    const a = step < t ? h.actions[step] : null;
    for (let j = 0; j < actDim; j++) out.actions[cell * actDim + j] = a ? a[j] : 0;
    out.returnsToGo[cell] = rtgAt[step];
    out.timesteps[cell] = Math.min(step, maxT - 1);
    out.mask[cell] = 1;
  }
}
