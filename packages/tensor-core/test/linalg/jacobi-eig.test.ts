import { describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import { jacobiEigenSymmetric } from '../../src/linalg/jacobi-eig.js';
import { createRng } from '../../src/random.js';

function matVec(a: number[][], v: ArrayLike<number>): number[] {
  return a.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
}

describe('jacobiEigenSymmetric', () => {
  // Second-difference matrix: eigenvalues 2 + sqrt 2, 2, 2 - sqrt 2 with eigenvectors
  // (1, -sqrt 2, 1)/2, (1, 0, -1)/sqrt 2, (1, sqrt 2, 1)/2.
  it('recovers the known eigenpairs of [[2,-1,0],[-1,2,-1],[0,-1,2]], values descending', () => {
    const a = [[2, -1, 0], [-1, 2, -1], [0, -1, 2]];
    const { values, vectors } = jacobiEigenSymmetric(a);
    expect(values[0]).toBeCloseTo(2 + Math.SQRT2, 12);
    expect(values[1]).toBeCloseTo(2, 12);
    expect(values[2]).toBeCloseTo(2 - Math.SQRT2, 12);
    const expected = [
      [0.5, -Math.SQRT1_2, 0.5],
      [Math.SQRT1_2, 0, -Math.SQRT1_2],
      [0.5, Math.SQRT1_2, 0.5],
    ];
    vectors.forEach((v, k) => {
      const sign = Math.sign(v[0]) || 1; // eigenvectors are defined up to sign
      v.forEach((x, i) => expect(sign * x).toBeCloseTo(expected[k][i], 10));
    });
  });

  it('A v = lambda v with orthonormal vectors on a random symmetric 8x8 (row-major Float64Array input)', () => {
    const n = 8;
    const rng = createRng(1);
    const rows = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) rows[i][j] = rows[j][i] = rng.normal();
    const flat = Float64Array.from(rows.flat());
    const { values, vectors } = jacobiEigenSymmetric(flat, n);
    for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
    vectors.forEach((v, k) => {
      const av = matVec(rows, v);
      av.forEach((x, i) => expect(x).toBeCloseTo(values[k] * v[i], 10));
      vectors.forEach((w, m) => {
        const dot = v.reduce((s, x, i) => s + x * w[i], 0);
        expect(dot).toBeCloseTo(k === m ? 1 : 0, 10);
      });
    });
    const trace = rows.reduce((s, r, i) => s + r[i], 0);
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 10);
  });

  it('counts the rank of D D^T for a rank-2 D = U V (the lorkd rank test)', () => {
    const rng = createRng(2);
    const u = Array.from({ length: 6 }, () => [rng.normal(), rng.normal()]);
    const v = [Array.from({ length: 5 }, () => rng.normal()), Array.from({ length: 5 }, () => rng.normal())];
    const d = u.map((r) => v[0].map((_, j) => r[0] * v[0][j] + r[1] * v[1][j]));
    const ddt = d.map((ri) => d.map((rj) => ri.reduce((s, x, k) => s + x * rj[k], 0)));
    const { values } = jacobiEigenSymmetric(ddt);
    const rank = Array.from(values).filter((x) => x > 1e-6 * values[0]).length;
    expect(rank).toBe(2);
  });

  it('rejects non-square and non-symmetric input', () => {
    expect(() => jacobiEigenSymmetric([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => jacobiEigenSymmetric([1, 2, 3], 2)).toThrow(ShapeError);
    expect(() => jacobiEigenSymmetric([[1, 2], [3, 4]])).toThrow(OptionError);
  });

  it('handles diagonal and 1x1 matrices without rotations', () => {
    const r = jacobiEigenSymmetric([[1, 0, 0], [0, 3, 0], [0, 0, 2]]);
    expect(Array.from(r.values)).toEqual([3, 2, 1]);
    expect(Array.from(r.vectors[0])).toEqual([0, 1, 0]);
    expect(r.sweeps).toBe(0);
    expect(Array.from(jacobiEigenSymmetric([[4]]).values)).toEqual([4]);
  });
});
