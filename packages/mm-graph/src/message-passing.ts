/**
 * Sparse message passing Y = A·X on any tfjs backend (spec §6 "tfjs 4.22 notes").
 *
 * tfjs has no sparse matmul, so two implementations are offered:
 *  - `'spmm'`: one `tf.customGrad` op whose forward walks a CSR of A in JS (Y = A·X) and whose
 *    backward walks the precomputed CSR of Aᵀ (dX = Aᵀ·dY). Needs no segment kernel, so it trains
 *    on wasm without fallbacks, and never materialises the [edges, features] message tensor.
 *  - `'gather'`: gather X rows per edge, scale by the edge weight and `unsortedSegmentSum` into the
 *    targets. tfjs differentiates it on its own (gather's gradient is a segment sum; on wasm it
 *    relies on tensor-core's cpu fallback kernel). Kept as the reference path for tests.
 * Bench (bench/workloads/mm-graph.ts, README "Speed") measured 'spmm' faster, so it is the default.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '@paperkit/tensor-core';

export type MessagePassingPath = 'spmm' | 'gather';

/** The path used when none is given: the faster one in the bench workload. */
export const DEFAULT_PATH: MessagePassingPath = 'spmm';

/** Y[i] = Σ_p val[p] · X[col[p]] over row i of a CSR (rows × f), X is (cols × f). */
function csrTimesDense(rowPtr: Int32Array, col: Int32Array, val: Float32Array, x: Float32Array | Int32Array | Uint8Array, f: number, rows: number): Float32Array {
  const out = new Float32Array(rows * f);
  for (let i = 0; i < rows; i++) {
    const o = i * f;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const w = val[p];
      const b = col[p] * f;
      for (let k = 0; k < f; k++) out[o + k] += w * x[b + k];
    }
  }
  return out;
}

/**
 * A weighted sparse matrix A (rows = targets i, cols = sources j, A[i,j] = weight of message j→i)
 * held as CSR, its transpose as CSR, and (lazily) COO tensors for the gather path.
 * Owns those tensors: call `dispose()` when done.
 */
export class SparseAdjacency {
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float32Array;
  private readonly tRowPtr: Int32Array;
  private readonly tCol: Int32Array;
  private readonly tVal: Float32Array;
  private coo: { src: tf.Tensor1D; dst: tf.Tensor1D; w: tf.Tensor2D } | null = null;
  private spmmOp: ((x: tf.Tensor2D) => tf.Tensor2D) | null = null;

  /**
   * From COO triplets: message `src[e] → dst[e]` with weight `w[e]` (duplicates add up).
   * `numNodes` rows and columns.
   */
  constructor(
    readonly numNodes: number,
    src: Int32Array,
    dst: Int32Array,
    w: Float32Array,
  ) {
    if (src.length !== dst.length || src.length !== w.length) {
      throw new ShapeError('SparseAdjacency edges', 'src, dst and weights of equal length', [src.length, dst.length, w.length]);
    }
    const byRow = buildCSR(numNodes, dst, src, w);
    this.rowPtr = byRow.rowPtr;
    this.col = byRow.col;
    this.val = byRow.val;
    const byCol = buildCSR(numNodes, src, dst, w);
    this.tRowPtr = byCol.rowPtr;
    this.tCol = byCol.col;
    this.tVal = byCol.val;
  }

  get nnz(): number {
    return this.col.length;
  }

  /** A·X for X [numNodes, f]. Returns a new tensor (call inside tf.tidy). */
  propagate(x: tf.Tensor2D, path: MessagePassingPath = DEFAULT_PATH): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[0] !== this.numNodes) throw new ShapeError('message passing input X', `[${this.numNodes}, f]`, x.shape);
    if (path === 'spmm') return this.spmm(x);
    if (path === 'gather') return this.gatherScatter(x);
    throw new OptionError('path', "'spmm' | 'gather'", path);
  }

  /** Dense copy (tests, tiny graphs). */
  toDense(): Float32Array {
    const n = this.numNodes;
    const out = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let p = this.rowPtr[i]; p < this.rowPtr[i + 1]; p++) out[i * n + this.col[p]] += this.val[p];
    return out;
  }

  private spmm(x: tf.Tensor2D): tf.Tensor2D {
    if (!this.spmmOp) {
      const n = this.numNodes;
      this.spmmOp = tf.customGrad(((input: tf.Tensor) => {
        const f = input.shape[1] as number;
        const y = csrTimesDense(this.rowPtr, this.col, this.val, input.dataSync() as Float32Array, f, n);
        return {
          value: tf.tensor2d(y, [n, f]),
          gradFunc: (dy: tf.Tensor) => tf.tensor2d(csrTimesDense(this.tRowPtr, this.tCol, this.tVal, dy.dataSync() as Float32Array, f, n), [n, f]),
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D) => tf.Tensor2D;
    }
    return this.spmmOp(x);
  }

  private gatherScatter(x: tf.Tensor2D): tf.Tensor2D {
    if (!this.coo) {
      // Kept outside any tidy: the adjacency owns them until dispose().
      const rows = new Int32Array(this.nnz);
      for (let i = 0; i < this.numNodes; i++) rows.fill(i, this.rowPtr[i], this.rowPtr[i + 1]);
      this.coo = tf.tidy(() => ({
        src: tf.keep(tf.tensor1d(this.col, 'int32')),
        dst: tf.keep(tf.tensor1d(rows, 'int32')),
        w: tf.keep(tf.tensor2d(this.val, [this.nnz, 1])),
      }));
    }
    const { src, dst, w } = this.coo;
    return tf.tidy(() => tf.unsortedSegmentSum(tf.mul(tf.gather(x, src), w), dst, this.numNodes) as tf.Tensor2D);
  }

  dispose(): void {
    if (this.coo) {
      this.coo.src.dispose();
      this.coo.dst.dispose();
      this.coo.w.dispose();
      this.coo = null;
    }
  }
}

function buildCSR(rows: number, rowIdx: Int32Array, colIdx: Int32Array, w: Float32Array): { rowPtr: Int32Array; col: Int32Array; val: Float32Array } {
  const rowPtr = new Int32Array(rows + 1);
  for (let e = 0; e < rowIdx.length; e++) {
    const r = rowIdx[e];
    if (r < 0 || r >= rows || colIdx[e] < 0 || colIdx[e] >= rows) throw new OptionError(`edge ${e}`, `node indices in [0, ${rows})`, [colIdx[e], r]);
    rowPtr[r + 1]++;
  }
  for (let i = 0; i < rows; i++) rowPtr[i + 1] += rowPtr[i];
  const fill = rowPtr.slice(0, rows);
  const col = new Int32Array(rowIdx.length);
  const val = new Float32Array(rowIdx.length);
  for (let e = 0; e < rowIdx.length; e++) {
    const at = fill[rowIdx[e]]++;
    col[at] = colIdx[e];
    val[at] = w[e];
  }
  return { rowPtr, col, val };
}

/**
 * Rows of X picked by `index` (pairs for the link decoders), differentiable without segment kernels:
 * forward copies rows, backward scatter-adds dY rows into dX. `path: 'gather'` uses tf.gather.
 */
export function gatherRows(x: tf.Tensor2D, index: Int32Array, path: MessagePassingPath = DEFAULT_PATH): tf.Tensor2D {
  const [n, f] = x.shape;
  for (let r = 0; r < index.length; r++) if (index[r] < 0 || index[r] >= n) throw new OptionError(`index[${r}]`, `a row in [0, ${n})`, index[r]);
  if (path === 'gather') return tf.tidy(() => tf.gather(x, tf.tensor1d(index, 'int32')) as tf.Tensor2D);
  const op = tf.customGrad(((input: tf.Tensor) => {
    const xs = input.dataSync() as Float32Array;
    const out = new Float32Array(index.length * f);
    for (let r = 0; r < index.length; r++) out.set(xs.subarray(index[r] * f, index[r] * f + f), r * f);
    return {
      value: tf.tensor2d(out, [index.length, f]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(n * f);
        for (let r = 0; r < index.length; r++) {
          const o = index[r] * f;
          const b = r * f;
          for (let k = 0; k < f; k++) dx[o + k] += g[b + k];
        }
        return tf.tensor2d(dx, [n, f]);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D) => tf.Tensor2D;
  return op(x);
}
