/**
 * Routing diagnostics (mola.md sections 5 and 8).
 * Gate purity: for each task, the share of its samples whose argmax gate is
 * that task's majority adapter; averaged over tasks (1 = every task has its
 * own consistent route, 1/E or so = mixed). Routing entropy: mean over
 * samples of -sum_e gamma_e ln gamma_e, in nats (0 = one-hot, ln E = uniform).
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '@paperkit/tensor-core';

function rows(gates: tf.Tensor | { values: ArrayLike<number>; shape: [number, number] }): { v: ArrayLike<number>; n: number; e: number } {
  if (gates instanceof tf.Tensor) {
    if (gates.rank !== 2) throw new ShapeError('gates', '[N, E]', gates.shape);
    return { v: gates.dataSync(), n: gates.shape[0] as number, e: gates.shape[1] as number };
  }
  return { v: gates.values, n: gates.shape[0], e: gates.shape[1] };
}

export function gatePurity(gates: tf.Tensor | { values: ArrayLike<number>; shape: [number, number] }, taskIds: ArrayLike<number>): number {
  const { v, n, e } = rows(gates);
  if (taskIds.length !== n) throw new ShapeError('gatePurity taskIds', `[${n}]`, [taskIds.length]);
  const counts = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < e; k++) if (v[i * e + k] > v[i * e + best]) best = k;
    const c = counts.get(taskIds[i]) ?? new Array<number>(e).fill(0);
    c[best] += 1;
    counts.set(taskIds[i], c);
  }
  let sum = 0;
  for (const c of counts.values()) sum += Math.max(...c) / c.reduce((a, b) => a + b, 0);
  return counts.size === 0 ? Number.NaN : sum / counts.size;
}

export function routingEntropy(gates: tf.Tensor | { values: ArrayLike<number>; shape: [number, number] }): number {
  const { v, n, e } = rows(gates);
  let total = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < e; k++) {
    const p = v[i * e + k];
    if (p > 0) total -= p * Math.log(p);
  }
  return n === 0 ? Number.NaN : total / n;
}
