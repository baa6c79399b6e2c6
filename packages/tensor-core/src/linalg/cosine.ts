/**
 * Cosine similarity of plain vectors (gradients, embeddings read back from tensors): the one copy that
 * lorkd's and offline-rl's gradient-conflict reports and baldistill's dedupe share.
 */
import { ShapeError } from '../errors.js';

/** cos(a, b) = a·b / (|a| |b|), and 0 when either vector is all zeros. cos([1, 0], [−1, 1]) = −1/√2. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new ShapeError('cosine b', `[${a.length}]`, [b.length]);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? dot / Math.sqrt(aa * bb) : 0;
}

/** The symmetric matrix of pairwise cosines, 1 on the diagonal. */
export function cosineMatrix(vectors: ArrayLike<number>[]): number[][] {
  const n = vectors.length;
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(1));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) out[i][j] = out[j][i] = cosine(vectors[i], vectors[j]);
  return out;
}
