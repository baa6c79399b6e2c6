/**
 * Interference between experts' task vectors tau_i = theta_i - theta_b over
 * the shared tensors (spec sections 3 and 5: MergeME reports shared
 * task-vector cosine ~0.1-0.3). Streams one tensor at a time.
 *  - cosine: mean over expert pairs of cos(tau_i, tau_j) on the concatenation of all shared tensors;
 *  - sign-conflict rate: among entries where at least two task vectors are non-zero,
 *    the share where their signs disagree (what TIES' election resolves).
 */
import { ShapeError } from '@paperkit/tensor-core';
import type { TensorReader } from './checkpoint-types.js';
import { isSharedTensor } from './mixtral-layout.js';

export interface TaskVectorStats {
  meanCosine: number;
  /** cosine[i][j] for every expert pair. */
  cosine: number[][];
  signConflictRate: number;
  /** Per shared tensor: its sign-conflict rate (the per-tensor interference report). */
  perTensor: { name: string; signConflictRate: number; numel: number }[];
}

/**
 * The statistics over tensors in memory (browser-safe): `base` and each expert
 * hand out float32 tensors by name (checkpoint directories: `taskVectorStats`
 * in `./node`). Reads are copied before the task vectors are formed.
 */
export function tensorTaskVectorStats(base: TensorReader, experts: Pick<TensorReader, 'read'>[], filter: (name: string) => boolean = isSharedTensor): TaskVectorStats {
  const inputs = { base, experts };
  {
    const n = experts.length;
    const dot = Array.from({ length: n }, () => new Float64Array(n));
    let conflicts = 0;
    let comparable = 0;
    const perTensor: TaskVectorStats['perTensor'] = [];
    for (const name of inputs.base.names.filter(filter)) {
      const b = inputs.base.read(name);
      const taus = inputs.experts.map((e, i) => {
        const t = e.read(name).slice();
        if (t.length !== b.length) throw new ShapeError(`experts[${i}] tensor ${name}`, `${b.length} elements like the base`, `${t.length} elements`);
        for (let j = 0; j < t.length; j++) t[j] -= b[j];
        return t;
      });
      for (let i = 0; i < n; i++) for (let k = i; k < n; k++) {
        let s = 0;
        for (let j = 0; j < b.length; j++) s += taus[i][j] * taus[k][j];
        dot[i][k] += s;
        if (k !== i) dot[k][i] += s;
      }
      let c = 0;
      let m = 0;
      for (let j = 0; j < b.length; j++) {
        let pos = 0;
        let neg = 0;
        for (let i = 0; i < n; i++) {
          if (taus[i][j] > 0) pos++;
          else if (taus[i][j] < 0) neg++;
        }
        if (pos + neg >= 2) {
          m++;
          if (pos > 0 && neg > 0) c++;
        }
      }
      conflicts += c;
      comparable += m;
      perTensor.push({ name, signConflictRate: m === 0 ? 0 : c / m, numel: b.length });
    }
    const cosine = dot.map((row, i) => Array.from(row, (v, k) => v / Math.sqrt(dot[i][i] * dot[k][k] || 1)));
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) for (let k = i + 1; k < n; k++) {
      sum += cosine[i][k];
      pairs++;
    }
    return { meanCosine: pairs === 0 ? 1 : sum / pairs, cosine, signConflictRate: comparable === 0 ? 0 : conflicts / comparable, perTensor };
  }
}
