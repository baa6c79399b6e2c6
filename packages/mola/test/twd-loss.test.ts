import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '@paperkit/tensor-core';
import { twdLoss } from '../src/index.js';
import { scalar, setupBackend } from './helpers.js';

beforeAll(setupBackend);

/** The spec's formula, literally: mean over ordered same-task pairs (n, m) of -log(S_mn / sum_{k != n} S_kn). */
function reference(rows: number[][], tasks: number[], tau: number): number {
  const u = rows.map((r) => { const n = Math.hypot(...r); return r.map((v) => v / n); });
  const S = u.map((a, m) => u.map((b, n) => (m === n ? 0 : Math.exp(a.reduce((s, v, k) => s + v * b[k], 0) / tau))));
  let sum = 0;
  let pairs = 0;
  for (let n = 0; n < rows.length; n++) {
    const den = S.reduce((s, row) => s + row[n], 0);
    for (let m = 0; m < rows.length; m++) if (m !== n && tasks[m] === tasks[n]) { sum += -Math.log(S[m][n] / den); pairs++; }
  }
  return sum / pairs;
}

const tasks = [0, 0, 1, 1];

describe('twdLoss', () => {
  it('hand values at tau = 1, N = 4, two tasks of two: one-hot by task -> ln(1 + 2/e); identical -> ln 3', () => {
    const oneHot = tf.tensor2d([[1, 0], [1, 0], [0, 1], [0, 1]]);
    expect(scalar(twdLoss(oneHot, tasks))).toBeCloseTo(Math.log(1 + 2 / Math.E), 5);
    expect(Math.log(1 + 2 / Math.E)).toBeCloseTo(0.551445, 6);
    const same = tf.tensor2d([[1, 2], [1, 2], [1, 2], [1, 2]]);
    expect(scalar(twdLoss(same, tasks))).toBeCloseTo(Math.log(3), 5);
    tf.dispose([oneHot, same]);
  });

  it('equals the literal pair formula with a projection and bias, and with unbalanced tasks', () => {
    const scores = [[0.3, -1, 2], [1, 0.2, -0.5], [-0.7, 0.4, 0.1], [0.9, 0.9, -0.2], [0.1, -0.3, 0.8]];
    const P = [[0.5, -1, 0.2, 1], [1, 0.3, -0.4, 0.1], [-0.2, 0.6, 1, 0.7]];
    const c = [0.1, -0.2, 0.3, 0];
    const projected = scores.map((s) => c.map((ci, j) => ci + s.reduce((acc, v, k) => acc + v * P[k][j], 0)));
    const t = [0, 0, 0, 1, 1];
    const loss = twdLoss(tf.tensor2d(scores), t, { temperature: 0.5, projection: { kernel: tf.tensor2d(P), bias: tf.tensor1d(c) } });
    expect(scalar(loss)).toBeCloseTo(reference(projected, t, 0.5), 5);
  });

  it('is invariant to positive scaling without projection or with a bias-free one; a projection bias breaks it', () => {
    const f = tf.tensor2d([[1, 0.2], [0.5, 1], [-1, 0.3], [0.2, -0.8]]);
    const scaled = tf.mul(f, tf.tensor2d([[3], [0.2], [7], [1.5]]));
    expect(scalar(twdLoss(scaled, tasks))).toBeCloseTo(scalar(twdLoss(f, tasks)), 5);
    const kernel = tf.tensor2d([[1, -0.5, 0.3], [0.2, 1, -1]]);
    const withP = (x: tf.Tensor, bias?: tf.Tensor) => scalar(twdLoss(x, tasks, { projection: { kernel, bias } }));
    const global = tf.mul(f, 4);
    expect(withP(global)).toBeCloseTo(withP(f), 5);
    const bias = tf.tensor1d([2, -1, 0.5]);
    expect(Math.abs(withP(global, bias) - withP(f, bias))).toBeGreaterThan(1e-3);
  });

  it('is lower when same-task vectors are aligned than when the tasks are shuffled', () => {
    const f = tf.tensor2d([[1, 0.1], [0.9, 0.2], [-0.1, 1], [0.1, 0.9]]);
    expect(scalar(twdLoss(f, [0, 0, 1, 1]))).toBeLessThan(scalar(twdLoss(f, [0, 1, 0, 1])));
  });

  it('only same-task ordered pairs contribute: invariant to permuting samples and renaming tasks', () => {
    const rows = [[1, 0.5], [0.2, 1], [-0.4, 0.1], [1, -1], [0.3, 0.3], [-1, 0.2]];
    const t = [0, 1, 0, 2, 1, 2];
    const base = scalar(twdLoss(tf.tensor2d(rows), t));
    expect(base).toBeCloseTo(reference(rows, t, 1), 5);
    const perm = [3, 0, 5, 1, 4, 2];
    expect(scalar(twdLoss(tf.tensor2d(perm.map((i) => rows[i])), perm.map((i) => t[i])))).toBeCloseTo(base, 5);
    expect(scalar(twdLoss(tf.tensor2d(rows), t.map((v) => (v + 1) % 3)))).toBeCloseTo(base, 5);
  });

  it('a batch where no task has two samples returns 0 and warns (never NaN)', () => {
    const warnings: string[] = [];
    const v = scalar(twdLoss(tf.tensor2d([[1, 0], [0, 1], [1, 1]]), [0, 1, 2], { warn: (m) => warnings.push(m) }));
    expect(v).toBe(0);
    expect(warnings[0]).toMatch(/no task has two samples/);
  });

  it('rejects bad shapes and task ids', () => {
    expect(() => twdLoss(tf.zeros([3]), [0, 0, 1])).toThrow(ShapeError);
    expect(() => twdLoss(tf.zeros([3, 2]), [0, 1])).toThrow(ShapeError);
    expect(() => twdLoss(tf.zeros([2, 2]), [0, -1])).toThrow(OptionError);
    expect(() => twdLoss(tf.ones([2, 2]), [0, 0], { temperature: 0 })).toThrow(/temperature/);
  });
});
