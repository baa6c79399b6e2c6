/**
 * Eigen-decomposition of a small real symmetric matrix by the cyclic Jacobi
 * method, in float64 JS (tfjs is float32-only and has no eig op). Each sweep
 * visits every off-diagonal pair (p, q) and applies the plane rotation that
 * zeroes a_pq; sweeps repeat until the off-diagonal mass is negligible.
 * Accurate (eigenvalues to near machine precision) and fine up to n ~ 100.
 * lorkd's rank test uses it on delta delta^T (lorkd.md section 7).
 */
import { OptionError, ShapeError } from '../errors.js';

export interface EigenResult {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** vectors[k] is the unit eigenvector of values[k]. */
  vectors: Float64Array[];
  /** Sweeps used. */
  sweeps: number;
}

export interface JacobiOptions {
  /** Sweep limit. Default 100. */
  maxSweeps?: number;
  /** Relative tolerance on the off-diagonal Frobenius norm. Default 1e-14. */
  tolerance?: number;
}

function toSquare(a: number[][] | ArrayLike<number>, n?: number): { m: Float64Array; n: number } {
  if (Array.isArray(a) && (a.length === 0 || Array.isArray(a[0]))) {
    const rows = a as number[][];
    const size = rows.length;
    if (n !== undefined && n !== size) throw new ShapeError('jacobiEigenSymmetric a', `${n} rows (n)`, `${size} rows`);
    const m = new Float64Array(size * size);
    rows.forEach((row, i) => {
      if (row.length !== size) throw new ShapeError(`jacobiEigenSymmetric a[${i}]`, `${size} entries (square matrix)`, [row.length]);
      for (let j = 0; j < size; j++) m[i * size + j] = row[j];
    });
    return { m, n: size };
  }
  const flat = a as ArrayLike<number>;
  const size = n ?? Math.round(Math.sqrt(flat.length));
  if (size * size !== flat.length) throw new ShapeError('jacobiEigenSymmetric a', `${size}*${size} row-major entries`, [flat.length]);
  return { m: Float64Array.from(flat), n: size };
}

/** Eigenvalues (descending) and eigenvectors of a symmetric matrix given as rows or row-major flat data. */
export function jacobiEigenSymmetric(a: number[][] | ArrayLike<number>, n?: number, options: JacobiOptions = {}): EigenResult {
  const { m: A, n: size } = toSquare(a, n);
  const maxSweeps = options.maxSweeps ?? 100;
  const tolerance = options.tolerance ?? 1e-14;

  let scale = 0;
  for (let i = 0; i < A.length; i++) {
    if (!Number.isFinite(A[i])) throw new OptionError('a', 'finite entries', A[i]);
    scale = Math.max(scale, Math.abs(A[i]));
  }
  for (let i = 0; i < size; i++) {
    for (let j = i + 1; j < size; j++) {
      const x = A[i * size + j];
      const y = A[j * size + i];
      // float32-built matrices are symmetric only up to rounding: accept and symmetrise those.
      if (Math.abs(x - y) > 1e-5 * scale + 1e-300) {
        throw new OptionError('a', `a symmetric matrix (a[${i}][${j}] = a[${j}][${i}])`, `${x} vs ${y}`);
      }
      A[i * size + j] = A[j * size + i] = 0.5 * (x + y);
    }
  }

  const V = new Float64Array(size * size);
  for (let i = 0; i < size; i++) V[i * size + i] = 1;

  let frob = 0;
  for (let i = 0; i < A.length; i++) frob += A[i] * A[i];
  const threshold = tolerance * tolerance * frob;

  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    for (let p = 0; p < size; p++) for (let q = p + 1; q < size; q++) off += 2 * A[p * size + q] * A[p * size + q];
    if (off <= threshold) break;
    for (let p = 0; p < size; p++) {
      for (let q = p + 1; q < size; q++) {
        const apq = A[p * size + q];
        if (apq === 0) continue;
        // Rotation angle that zeroes a_pq: t = tan(phi), smaller root for stability.
        const theta = (A[q * size + q] - A[p * size + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < size; k++) {
          const akp = A[k * size + p];
          const akq = A[k * size + q];
          A[k * size + p] = c * akp - s * akq;
          A[k * size + q] = s * akp + c * akq;
        }
        for (let k = 0; k < size; k++) {
          const apk = A[p * size + k];
          const aqk = A[q * size + k];
          A[p * size + k] = c * apk - s * aqk;
          A[q * size + k] = s * apk + c * aqk;
        }
        A[p * size + q] = A[q * size + p] = 0;
        for (let k = 0; k < size; k++) {
          const vkp = V[k * size + p];
          const vkq = V[k * size + q];
          V[k * size + p] = c * vkp - s * vkq;
          V[k * size + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  const order = Array.from({ length: size }, (_, i) => i).sort((i, j) => A[j * size + j] - A[i * size + i]);
  const values = new Float64Array(size);
  const vectors: Float64Array[] = [];
  order.forEach((col, k) => {
    values[k] = A[col * size + col];
    const v = new Float64Array(size);
    for (let r = 0; r < size; r++) v[r] = V[r * size + col];
    vectors.push(v);
  });
  return { values, vectors, sweeps };
}
