/**
 * Context windows of K steps, the unit a Decision Transformer trains and acts
 * on. Training: one window ending at every step of every episode, left-padded
 * (so training sees exactly the contexts inference builds). Inference: the
 * last K steps of the running episode, with the return-to-go conditioning
 * R_0 = target / scale, R_{t+1} = R_t - r_t / scale (harmodt.md S1).
 */
import * as tf from '@tensorflow/tfjs';
import { returnToGo } from '@paperkit/offline-rl';
import type { Episode, TaskNormalization } from './task-dataset.js';
import type { WindowBatch } from './trunk.js';

/** Window arrays on the JS side (N windows). */
export interface WindowArrays {
  n: number;
  k: number;
  states: Float32Array;
  actions: Float32Array;
  returns: Float32Array;
  timesteps: Int32Array;
  mask: Float32Array;
}

/** Every window of every episode, normalised with `norm`. */
export function episodeWindows(episodes: Episode[], k: number, stateDim: number, actDim: number, norm: TaskNormalization, maxT: number): WindowArrays {
  const n = episodes.reduce((a, e) => a + e.length, 0);
  const w: WindowArrays = {
    n, k,
    states: new Float32Array(n * k * stateDim),
    actions: new Float32Array(n * k * actDim),
    returns: new Float32Array(n * k),
    timesteps: new Int32Array(n * k),
    mask: new Float32Array(n * k),
  };
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
        w.returns[cell] = rtg[step] / norm.returnScale;
        w.timesteps[cell] = Math.min(step, maxT - 1);
        w.mask[cell] = 1;
      }
    }
  }
  return w;
}

/** Window arrays -> tensors (caller disposes). */
export function windowTensors(w: WindowArrays, stateDim: number, actDim: number): WindowBatch {
  return {
    states: tf.tensor3d(w.states, [w.n, w.k, stateDim]),
    actions: tf.tensor3d(w.actions, [w.n, w.k, actDim]),
    returns: tf.tensor3d(w.returns, [w.n, w.k, 1]),
    timesteps: tf.tensor2d(w.timesteps, [w.n, w.k], 'int32'),
    mask: tf.tensor2d(w.mask, [w.n, w.k]),
  };
}

/** Rows `idx` of every window tensor (inside the caller's tidy/scope). */
export function takeWindows(batch: WindowBatch, idx: tf.Tensor1D): WindowBatch {
  return {
    states: tf.gather(batch.states, idx) as tf.Tensor3D,
    actions: tf.gather(batch.actions, idx) as tf.Tensor3D,
    returns: tf.gather(batch.returns, idx) as tf.Tensor3D,
    timesteps: tf.gather(batch.timesteps, idx) as tf.Tensor2D,
    mask: tf.gather(batch.mask, idx) as tf.Tensor2D,
  };
}

export function disposeWindows(batch: WindowBatch): void {
  tf.dispose([batch.states, batch.actions, batch.returns, batch.timesteps, batch.mask]);
}

/** The running episode of one environment, as `act` receives it. */
export interface History {
  /** States s_0..s_t (raw, unnormalised); the last one is the current state. */
  states: ArrayLike<number>[];
  /** Actions a_0..a_{t-1} already taken. */
  actions: ArrayLike<number>[];
  /** Rewards r_0..r_{t-1} received. */
  rewards: ArrayLike<number>;
}

/**
 * One inference window per history (all normalised with their task's `norm`),
 * written into row `row` of `out` (sized for `out.n` windows).
 */
export function writeHistoryWindow(out: WindowArrays, row: number, h: History, stateDim: number, actDim: number, norm: TaskNormalization, maxT: number): void {
  const k = out.k;
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
      out.returns[cell] = 0;
      out.timesteps[cell] = 0;
      continue;
    }
    const s = h.states[step];
    for (let j = 0; j < stateDim; j++) out.states[cell * stateDim + j] = (s[j] - norm.stateMean[j]) / norm.stateStd[j];
    const a = step < t ? h.actions[step] : null;
    for (let j = 0; j < actDim; j++) out.actions[cell * actDim + j] = a ? a[j] : 0;
    out.returns[cell] = rtgAt[step];
    out.timesteps[cell] = Math.min(step, maxT - 1);
    out.mask[cell] = 1;
  }
}

export function emptyWindows(n: number, k: number, stateDim: number, actDim: number): WindowArrays {
  return {
    n, k,
    states: new Float32Array(n * k * stateDim),
    actions: new Float32Array(n * k * actDim),
    returns: new Float32Array(n * k),
    timesteps: new Int32Array(n * k),
    mask: new Float32Array(n * k),
  };
}
