/**
 * Faster kernels for the tfjs 4.22 wasm backend (the speed issue, docs/performance.md).
 *
 * What is slow on wasm and why (measured with tf.profile and per-kernel timers):
 * - `BatchMatMul` reaches XNNPACK's packed GEMM only when neither operand is
 *   transposed AND both batch sizes are 1. Every other case runs a scalar,
 *   non-vectorised blocked triple loop ("slow path") at 0.4 to 2 GFLOP/s,
 *   10 to 30 times below the XNNPACK path. Backpropagation through y = x W
 *   issues exactly those cases: dx = dy W^T (transposeB) and dW = x^T dy
 *   (transposeA). A 3-D activation times a 2-D weight ([B, T, K] x [K, N]) also
 *   takes the slow path, although it is one GEMM over B*T rows.
 * - `Transpose` on wasm is a plain strided copy; for power-of-two row lengths
 *   the writes alias in the cache and a 512 x 512 transpose costs milliseconds.
 * - Adam is about a dozen elementwise kernels per variable per step.
 *
 * What the overrides do (each keeps results equal to the plain path within
 * 1e-5; test/backend/fast-wasm-kernels.test.ts checks forward and gradients):
 * - BatchMatMul: brings both operands into the layout XNNPACK accepts with a
 *   transpose over the wasm heap (4 x 4 blocks in wasm SIMD, ./simd-kernels.ts,
 *   or a cache-blocked JS loop for sides not divisible by 4), folds a batched
 *   left operand against a shared right operand into one tall GEMM, and
 *   routes the shared-left case through one GEMM over concatenated columns.
 *   A transposed left operand that recurs is used as XNNPACK's right operand
 *   instead (A^T B = (B^T A)^T), which keeps it packed (see swapPays).
 *   Batched x batched products with large entries run one XNNPACK GEMM per
 *   entry on zero-copy views; small entries (short attention) run a wasm SIMD
 *   batched kernel (./simd-kernels.ts) when the output width is a multiple of
 *   4, else the original loop kernel. Broadcast batch dims are materialised
 *   first.
 * - Transpose: the same blocked matrix transpose for float32 permutations
 *   that amount to a (batched) matrix transpose, e.g. [B, R, C] -> [B, C, R] or a
 *   swap of two adjacent axis groups; other permutations use the original.
 * - Identity: shares the buffer (reference count + 1) instead of copying it,
 *   as the cpu backend does. tfjs's engine clones every tensor it saves for
 *   the backward pass (saveTensorsForBackwardMode), and on wasm each clone was
 *   a malloc and a memcpy: about 200 copies per transformer training step.
 * - Sum over leading axes (bias gradients: [rows, n] -> [n]): one pass over
 *   the rows, adding each into the result (wasm SIMD when n is a multiple of
 *   4, else JS); the original transposes the input first (a strided copy)
 *   and then reduces the last axis.
 * - Exp: four lanes at a time in wasm SIMD (./simd-kernels.ts, within 1 ulp
 *   of Math.exp in our sweep, subnormals and infinities included) instead of
 *   tfjs's scalar libm call per element: 2.6 against about 7 ns per element.
 *   Softmax-CE's backward pass and GELU's gradient spend their time here.
 * - GatherV2 (batchDims 0, float32/int32): one contiguous slice copy per
 *   gathered row instead of tfjs's per-element index arithmetic, which cost
 *   about 40 ns per element (a 32-row minibatch of [6000, 5, 8] windows took
 *   0.2 ms; embedding lookups likewise).
 * - PaperkitAdamUpdate: one pass over parameter, gradient and both moments
 *   per variable, four lanes at a time in wasm SIMD (./simd-kernels.ts; a JS
 *   loop where SIMD is unavailable); used by FusedAdamOptimizer in
 *   ../training/fused-adam.ts.
 *
 * XNNPACK caches its packed right operand per tensor id, and tfjs tensors are
 * immutable, so everything here writes fresh outputs and never edits an input.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../errors.js';
import { simdKernelsFor, type WasmMemory } from './simd-kernels.js';

/** The kernel name of the fused Adam update (see ../training/fused-adam.ts). */
export const FUSED_ADAM_KERNEL = 'PaperkitAdamUpdate';

/** Kernels this module registers on 'wasm'. */
export const FAST_WASM_KERNELS: readonly string[] = Object.freeze(['BatchMatMul', 'Transpose', 'Identity', 'Sum', 'Exp', 'GatherV2', FUSED_ADAM_KERNEL]);

/** Attributes of the fused Adam update kernel. */
export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1-based step count t, for the bias corrections 1 - beta^t. */
  step: number;
  /** Decoupled weight decay (AdamW, Loshchilov & Hutter 2019, Alg. 2 line 12); 0 = plain Adam. */
  weightDecay: number;
}

/** The wasm backend methods used here (tfjs-backend-wasm's BackendWasm). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  getMemoryOffset(dataId: object): number;
  dataIdMap: { delete(dataId: object): boolean };
  /** The heap: exported as asm.memory by the single-threaded build, imported (Module.wasmMemory) by the threaded one. */
  wasm: { tfjs: { disposeData(id: number): void }; asm?: { memory?: WasmMemory }; wasmMemory?: WasmMemory };
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

function heap(backend: WasmBackend): WasmMemory | undefined {
  return backend.wasm.asm?.memory ?? backend.wasm.wasmMemory;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

const originals = new Map<string, tf.KernelConfig>();

/**
 * Register the fast kernels on the 'wasm' backend, replacing BatchMatMul,
 * Transpose, Identity and Sum (the originals are kept and called for the
 * cases they handle well).
 * Idempotent; call after importing '@tensorflow/tfjs-backend-wasm' (initBackend
 * does). Returns the names of the kernels now overridden (none when the
 * environment variable PAPERKIT_FAST_WASM is '0').
 */
export function registerFastWasmKernels(): string[] {
  if (tf.findBackendFactory('wasm') == null) {
    throw new BackendError("registerFastWasmKernels: the 'wasm' backend is not registered; import '@tensorflow/tfjs-backend-wasm' first");
  }
  if (originals.size > 0) return [...FAST_WASM_KERNELS];
  // Escape hatch: PAPERKIT_FAST_WASM=0 keeps tfjs's own kernels (for comparisons,
  // or to rule the overrides out when chasing a numerical difference).
  if (typeof process !== 'undefined' && process.env?.PAPERKIT_FAST_WASM === '0') return [];
  for (const name of ['BatchMatMul', 'Transpose', 'Identity', 'Sum', 'Exp', 'GatherV2']) {
    const config = tf.getKernel(name, 'wasm');
    if (config == null) throw new BackendError(`registerFastWasmKernels: wasm has no '${name}' kernel to wrap`);
    originals.set(name, config);
  }
  replace('BatchMatMul', fastBatchMatMul);
  replace('Transpose', fastTranspose);
  replace('Identity', sharedIdentity);
  replace('Sum', fastSum);
  replace('Exp', fastExp);
  replace('GatherV2', fastGather);
  if (tf.getKernel(FUSED_ADAM_KERNEL, 'wasm') == null) {
    tf.registerKernel({ kernelName: FUSED_ADAM_KERNEL, backendName: 'wasm', kernelFunc: adamUpdateWasm as unknown as tf.KernelFunc });
  }
  return [...FAST_WASM_KERNELS];
}

/**
 * Put the original wasm kernels back (the fused Adam kernel is removed too).
 * For tests and for the bench's raw-tfjs column; a no-op when not registered.
 */
export function unregisterFastWasmKernels(): void {
  for (const [name, config] of originals) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config);
  }
  originals.clear();
  if (tf.getKernel(FUSED_ADAM_KERNEL, 'wasm') != null) tf.unregisterKernel(FUSED_ADAM_KERNEL, 'wasm');
}

/** Whether the overrides are currently active. */
export function fastWasmKernelsActive(): boolean {
  return originals.size > 0;
}

function replace(name: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): void {
  const original = originals.get(name)!;
  tf.unregisterKernel(name, 'wasm');
  // Keep the original setupFunc: it binds the wasm entry point that the
  // original kernelFunc (still called for some cases) needs, and it must run
  // when the backend initialises after this registration.
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  });
}

function callOriginal(name: string, args: KernelArgs): tf.TensorInfo {
  return originals.get(name)!.kernelFunc(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

/** A view of the same buffer with another shape (no copy; the caller keeps the owner alive). */
const view = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ dataId: t.dataId, shape, dtype: t.dtype });

/** Rows of x along `axis` at `indices` (batchDims 0): a slice copy per row; other cases use the original. */
function fastGather(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const indices = args.inputs.indices as tf.TensorInfo;
  const { axis, batchDims } = args.attrs as { axis: number; batchDims?: number };
  if ((batchDims ?? 0) !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32') return callOriginal('GatherV2', args);
  const backend = args.backend as WasmBackend;
  const a = axis < 0 ? axis + x.shape.length : axis;
  const outer = tf.util.sizeFromShape(x.shape.slice(0, a));
  const axisDim = x.shape[a];
  const inner = tf.util.sizeFromShape(x.shape.slice(a + 1));
  const idx = backend.typedArrayFromHeap(indices) as Int32Array;
  const n = idx.length;
  for (let i = 0; i < n; i++) {
    const v = idx[i];
    if (!(v >= 0 && v <= axisDim - 1)) throw new Error(`GatherV2: the index value ${v} is not in [0, ${axisDim - 1}]`);
  }
  const out = backend.makeOutput([...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)], x.dtype);
  if (n === 0 || outer * inner === 0) return out;
  // Views after makeOutput: an allocation may grow (and so replace) the heap buffer.
  const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const rows = backend.typedArrayFromHeap(indices) as Int32Array;
  for (let o = 0, w = 0; o < outer; o++) {
    const base = o * axisDim * inner;
    for (let i = 0; i < n; i++, w += inner) {
      const from = base + rows[i] * inner;
      if (inner === 1) dst[w] = src[from];
      else dst.set(src.subarray(from, from + inner), w);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Cache-blocked transposes over the wasm heap
// ---------------------------------------------------------------------------

/**
 * Tile edge of the blocked transpose. 16 rather than 32: with power-of-two
 * row lengths (512 floats = 2 KiB) the strided side of a 32-row tile maps to
 * too few L1 sets and thrashes (measured: 512 x 512 took 0.96 ms with 32,
 * 0.64 ms with 16; other shapes were equal).
 */
const TILE = 16;

/**
 * out[o, j, m, i, n] = x[o, i, m, j, n]: swap the two axes of sizes `rows` and
 * `cols` around a middle group `mid`, with `outer` independent blocks and
 * contiguous runs of `inner` elements. With mid = inner = 1 this is a batch of
 * matrix transposes; with rows/cols = T/H and inner = head size it is the
 * attention head split. Loops run tile by tile so that both the reads and the
 * writes stay in cache.
 */
function swapAxes(
  src: Float32Array,
  dst: Float32Array,
  outer: number,
  rows: number,
  mid: number,
  cols: number,
  inner: number,
): void {
  const block = rows * mid * cols * inner;
  if (mid === 1 && inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * block;
      for (let i0 = 0; i0 < rows; i0 += TILE) {
        const i1 = Math.min(i0 + TILE, rows);
        for (let j0 = 0; j0 < cols; j0 += TILE) {
          const j1 = Math.min(j0 + TILE, cols);
          for (let i = i0; i < i1; i++) {
            let s = base + i * cols + j0;
            let d = base + j0 * rows + i;
            for (let j = j0; j < j1; j++) {
              dst[d] = src[s];
              s += 1;
              d += rows;
            }
          }
        }
      }
    }
    return;
  }
  // Runs of `inner` contiguous values move as a unit.
  const runStrideIn = inner; // x[o, i, m, j, :]
  for (let o = 0; o < outer; o++) {
    const base = o * block;
    for (let i = 0; i < rows; i++) {
      for (let m = 0; m < mid; m++) {
        for (let j = 0; j < cols; j++) {
          const s = base + ((i * mid + m) * cols + j) * runStrideIn;
          const d = base + ((j * mid + m) * rows + i) * inner;
          if (inner >= 16) {
            dst.set(src.subarray(s, s + inner), d);
          } else {
            for (let n = 0; n < inner; n++) dst[d + n] = src[s + n];
          }
        }
      }
    }
  }
}

/** A new float32 tensor (on the wasm heap) holding swapAxes of `x`. */
function swapAxesInfo(
  backend: WasmBackend,
  x: tf.TensorInfo,
  outShape: number[],
  outer: number,
  rows: number,
  mid: number,
  cols: number,
  inner: number,
): tf.TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  if (mid === 1 && inner === 1 && rows % 4 === 0 && cols % 4 === 0) {
    // Matrix transposes with sides divisible by 4: 4 x 4 blocks in wasm SIMD.
    const simd = simdKernelsFor(heap(backend));
    if (simd !== null) {
      const src = backend.getMemoryOffset(x.dataId);
      const dst = backend.getMemoryOffset(out.dataId);
      const bytes = rows * cols * 4;
      for (let o = 0; o < outer; o++) simd.transpose(src + o * bytes, dst + o * bytes, rows, cols);
      return out;
    }
  }
  // Views are taken after the allocation: a heap growth detaches older views.
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  swapAxes(src, dst, outer, rows, mid, cols, inner);
  return out;
}

/** x [batch, r, c] (float32) -> new tensor [batch, c, r]. */
function transposeLast2(backend: WasmBackend, x: tf.TensorInfo, batch: number, r: number, c: number): tf.TensorInfo {
  return swapAxesInfo(backend, x, [batch, c, r], batch, r, 1, c, 1);
}

/**
 * Decompose a permutation (after dropping size-1 axes and merging axes that
 * stay adjacent) as [outer..., B, M, A, inner...] <- [outer..., A, M, B, inner...];
 * returns the five group sizes or null when the permutation is not of that form.
 */
function asAxisSwap(shape: readonly number[], perm: readonly number[]): [number, number, number, number, number] | null {
  // Drop size-1 axes.
  const keep = shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  const rank = new Map(keep.map((axis, k) => [axis, k]));
  const s = keep.map((i) => shape[i]);
  const p = perm.filter((axis) => shape[axis] !== 1).map((axis) => rank.get(axis)!);
  // Merge runs of input axes that stay consecutive in the output.
  const groups: number[][] = [];
  for (const axis of p) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1] + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  const order = groups.map((g) => g[0]);
  const sorted = [...order].sort((a, b) => a - b);
  const gsize = (g: number[]) => g.reduce((acc, axis) => acc * s[axis], 1);
  const byStart = new Map(groups.map((g) => [g[0], gsize(g)]));
  const inputGroups = sorted.map((start) => byStart.get(start)!);
  const outPos = order.map((start) => sorted.indexOf(start)); // output group k = input group outPos[k]
  const n = outPos.length;
  if (n <= 1) return null; // identity
  // Find the two swapped positions; all others must stay in place.
  const moved = outPos.map((g, k) => (g === k ? -1 : k)).filter((k) => k >= 0);
  if (moved.length !== 2) return null;
  const [x, y] = moved;
  if (outPos[x] !== y || outPos[y] !== x) return null;
  const prod = (from: number, to: number) => inputGroups.slice(from, to).reduce((a, b) => a * b, 1);
  return [prod(0, x), inputGroups[x], prod(x + 1, y), inputGroups[y], prod(y + 1, n)];
}

function fastTranspose(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const perm = (args.attrs as { perm: number[] }).perm;
  if (x.dtype !== 'float32') return callOriginal('Transpose', args);
  const swap = asAxisSwap(x.shape, perm);
  // Only (batched) matrix transposes: when contiguous runs move together
  // (mid or inner > 1, e.g. the attention head split) the original kernel's
  // run-wise copy was faster than this one in our measurements.
  if (swap === null || swap[2] !== 1 || swap[4] !== 1) return callOriginal('Transpose', args);
  const [outer, rows, mid, cols, inner] = swap;
  const outShape = perm.map((axis) => x.shape[axis]);
  return swapAxesInfo(args.backend as WasmBackend, x, outShape, outer, rows, mid, cols, inner);
}

// ---------------------------------------------------------------------------
// Identity and Sum
// ---------------------------------------------------------------------------

/**
 * A new tensor on the same buffer. Safe because tfjs tensors are immutable and
 * no wasm kernel writes into its inputs; the wasm backend frees a buffer when
 * its reference count drops to zero (Reshape relies on the same mechanism).
 */
function sharedIdentity(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return callOriginal('Identity', args);
  (args.backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** Sum of float32 x over its leading `axis` dims (e.g. axis [0] of [rows, n]); other reductions use the original. */
function fastSum(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  if (x.dtype !== 'float32' || !leading) return callOriginal('Sum', args);
  const backend = args.backend as WasmBackend;
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
  const rest = x.shape.slice(axes.length);
  const cols = tf.util.sizeFromShape(rest);
  const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...rest] : rest, 'float32');
  const simd = cols % 4 === 0 ? simdKernelsFor(heap(backend)) : null;
  if (simd !== null) {
    simd.sumRows(backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(out.dataId), rows, cols);
    return out;
  }
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const acc = new Float64Array(cols);
  for (let r = 0, base = 0; r < rows; r++, base += cols) {
    for (let c = 0; c < cols; c++) acc[c] += src[base + c];
  }
  dst.set(acc);
  return out;
}

/** Elementwise exp of a float32 tensor: SIMD over the multiple-of-4 bulk, Math.exp on the tail. */
function fastExp(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs.x as tf.TensorInfo;
  const backend = args.backend as WasmBackend;
  const simd = x.dtype === 'float32' ? simdKernelsFor(heap(backend)) : null;
  if (simd === null) return callOriginal('Exp', args);
  const out = backend.makeOutput(x.shape, 'float32');
  const size = tf.util.sizeFromShape(x.shape);
  const bulk = size - (size % 4);
  if (bulk > 0) simd.exp(backend.getMemoryOffset(x.dataId), backend.getMemoryOffset(out.dataId), bulk * 4);
  if (bulk < size) {
    const src = backend.typedArrayFromHeap(x) as Float32Array;
    const dst = backend.typedArrayFromHeap(out) as Float32Array;
    for (let i = bulk; i < size; i++) dst[i] = Math.exp(src[i]);
  }
  return out;
}

// ---------------------------------------------------------------------------
// BatchMatMul
// ---------------------------------------------------------------------------

/** Tensors (by dataId) seen as the transposed left operand of a 2-D product. */
const leftTransposedSeen = new WeakMap<object, true>();

/** Whether `a` was already the transposed left operand of an earlier product (and remember it). */
function recurringLeftOperand(a: tf.TensorInfo): boolean {
  if (leftTransposedSeen.has(a.dataId)) return true;
  leftTransposedSeen.set(a.dataId, true);
  return false;
}

/**
 * Whether A^T B^(T) is cheaper as (B^(T)^T A)^T, counting copied elements:
 * the direct form transposes A (K*M) and, with transposeB, B (K*N); the
 * swapped form transposes the output (M*N) and, without transposeB, B (K*N),
 * and its right operand A is packed once per tensor and then cached. The
 * swapped form is only considered for an A that recurs (a constant like a
 * GCN's adjacency, or an activation feeding several products), else XNNPACK
 * would repack A on every call; with transposeB it needs no input copy and
 * is taken whenever its output copy is smaller.
 */
function swapPays(a: tf.TensorInfo, m: number, k: number, n: number, transposeB: boolean): boolean {
  const recurring = recurringLeftOperand(a);
  if (transposeB) return m * n < k * (m + n);
  return recurring && k * n + m * n < k * m;
}

/** The XNNPACK GEMM of the original kernel: a [rows, K] x b [K, N], both plain row-major. */
function gemm(backend: unknown, a: tf.TensorInfo, rows: number, k: number, b: tf.TensorInfo, n: number): tf.TensorInfo {
  return callOriginal('BatchMatMul', {
    inputs: { a: view(a, [1, rows, k]), b: view(b, [1, k, n]) },
    backend,
    attrs: { transposeA: false, transposeB: false },
  });
}

function fastBatchMatMul(args: KernelArgs): tf.TensorInfo {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
  const backend = args.backend as WasmBackend;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) {
    return callOriginal('BatchMatMul', args);
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || m * n * k === 0) return callOriginal('BatchMatMul', args); // its error message / empty result
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const outShape = [...outer, m, n];
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const batch = tf.util.sizeFromShape(outer);

  const temps: tf.TensorInfo[] = [];
  const own = (t: tf.TensorInfo): tf.TensorInfo => {
    temps.push(t);
    return t;
  };
  try {
    if (batchA === 1 && batchB === 1 && transposeA && swapPays(a, m, k, n, transposeB)) {
      // out = A^T B^(T) computed as (B^(T)^T A)^T: A becomes XNNPACK's right
      // operand in its stored [K, M] layout, so it is never transposed, and
      // XNNPACK keeps it packed for as long as the tensor lives. See swapPays.
      const left = transposeB ? b : own(transposeLast2(backend, b, 1, k, n)); // [N, K]
      const outT = own(gemm(backend, left, n, k, a, m)); // [N, M]
      const out = transposeLast2(backend, outT, 1, n, m);
      out.shape = outShape;
      return out;
    }
    if (batchB === 1) {
      // One tall GEMM: every row of every batch of A against the shared B.
      const a2 = transposeA ? own(transposeLast2(backend, a, batchA, k, m)) : a;
      const b2 = transposeB ? own(transposeLast2(backend, b, 1, n, k)) : b;
      // (b's outer dims are all 1 here, so batch === batchA.)
      const out = gemm(backend, a2, batchA * m, k, b2, n);
      out.shape = outShape;
      return out;
    }
    if (batchA === 1) {
      // out[i] = A B[i] for all i at once: A [M, K] x B' [K, batch*N], B'[k, i, n] = B[i, k, n].
      const a2 = transposeA ? own(transposeLast2(backend, a, 1, k, m)) : a;
      const b2 = transposeB
        ? own(swapAxesInfo(backend, own(transposeLast2(backend, b, batchB, n, k)), [k, batchB, n], 1, batchB, 1, k, n))
        : own(swapAxesInfo(backend, b, [k, batchB, n], 1, batchB, 1, k, n));
      const wide = own(gemm(backend, a2, m, k, b2, batchB * n)); // [M, batch, N]
      return swapAxesInfo(backend, wide, outShape, 1, m, 1, batchB, n); // batch === batchB
    }
    // Batched x batched. Broadcast batch dims are made explicit first, so
    // both paths below see equal batch dims.
    const a3 = batchA === batch ? a : own(broadcastBatch(backend, a, outerA, outer));
    const b3 = batchB === batch ? b : own(broadcastBatch(backend, b, outerB, outer));
    if (m * k * n > PER_BATCH_GEMM_MIN) {
      // Large entries: one XNNPACK GEMM per batch entry on zero-copy views.
      const a4 = transposeA ? own(transposeLast2(backend, a3, batch, k, m)) : a3;
      const b4 = transposeB ? own(transposeLast2(backend, b3, batch, n, k)) : b3;
      return perBatchGemm(backend, args.backend, a4, b4, batch, m, k, n, outShape);
    }
    const simd = n % 4 === 0 ? simdKernelsFor(heap(backend)) : null;
    if (simd !== null) {
      // Small entries (attention over a few dozen tokens): the wasm SIMD
      // batched kernel, no per-entry setup at all.
      const a4 = transposeA ? own(transposeLast2(backend, a3, batch, k, m)) : a3;
      const b4 = transposeB ? own(transposeLast2(backend, b3, batch, n, k)) : b3;
      const out = backend.makeOutput(outShape, 'float32');
      simd.bmm(backend.getMemoryOffset(a4.dataId), backend.getMemoryOffset(b4.dataId), backend.getMemoryOffset(out.dataId), batch, m, k, n);
      return out;
    }
    // Otherwise the original loop kernel.
    const out = callOriginal('BatchMatMul', {
      inputs: { a: view(a3, [batch, ...a.shape.slice(-2)]), b: view(b3, [batch, ...b.shape.slice(-2)]) },
      backend,
      attrs: { transposeA, transposeB },
    });
    out.shape = outShape;
    return out;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * Multiply-adds per batch entry above which batched x batched products use
 * one XNNPACK GEMM per entry (operator creation and weight packing cost a few
 * microseconds per entry) rather than the SIMD batched kernel. Measured: for
 * 64 entries of 32 x 16 x 32 the SIMD kernel took 0.2 ms against 0.6 ms
 * through XNNPACK (and 1 ms in tfjs's loop kernel); for 16 entries of
 * 128 x 32 x 128 both took about 1 to 1.3 ms.
 */
const PER_BATCH_GEMM_MIN = 262144;

/**
 * out[i] = a[i] b[i] for i < batch with XNNPACK, one GEMM per batch entry on
 * zero-copy views into a and b (a [batch, M, K], b [batch, K, N], both plain).
 */
function perBatchGemm(
  backend: WasmBackend,
  rawBackend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  batch: number,
  m: number,
  k: number,
  n: number,
  outShape: number[],
): tf.TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  const aBase = backend.getMemoryOffset(a.dataId);
  const bBase = backend.getMemoryOffset(b.dataId);
  for (let i = 0; i < batch; i++) {
    const av = backend.makeOutput([1, m, k], 'float32', aBase + i * m * k * 4);
    const bv = backend.makeOutput([1, k, n], 'float32', bBase + i * k * n * 4);
    try {
      const r = gemm(rawBackend, av, m, k, bv, n);
      const dst = backend.typedArrayFromHeap(out) as Float32Array;
      dst.set(backend.typedArrayFromHeap(r) as Float32Array, i * m * n);
      backend.disposeData(r.dataId);
    } finally {
      dropView(backend, av);
      dropView(backend, bv);
    }
  }
  return out;
}

/** Forget a view made with makeOutput(shape, dtype, offset) without freeing the memory it points into. */
function dropView(backend: WasmBackend, v: tf.TensorInfo): void {
  backend.wasm.tfjs.disposeData((v.dataId as { id: number }).id);
  backend.dataIdMap.delete(v.dataId);
}

/**
 * Materialise x [...outerX, r, c] broadcast to [...outer, r, c] (numpy rules:
 * size-1 and missing leading dims repeat).
 */
function broadcastBatch(backend: WasmBackend, x: tf.TensorInfo, outerX: number[], outer: number[]): tf.TensorInfo {
  const matrix = x.shape[x.shape.length - 2] * x.shape[x.shape.length - 1];
  const out = backend.makeOutput([...outer, ...x.shape.slice(-2)], 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const padded = [...new Array(outer.length - outerX.length).fill(1), ...outerX];
  const srcStrides = new Array(outer.length).fill(0);
  let stride = 1;
  for (let d = outer.length - 1; d >= 0; d--) {
    srcStrides[d] = padded[d] === 1 ? 0 : stride;
    stride *= padded[d];
  }
  const total = tf.util.sizeFromShape(outer);
  const index = new Array(outer.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    let s = 0;
    for (let d = 0; d < outer.length; d++) s += index[d] * srcStrides[d];
    dst.set(src.subarray(s * matrix, (s + 1) * matrix), flat * matrix);
    for (let d = outer.length - 1; d >= 0; d--) {
      if (++index[d] < outer[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Fused Adam update
// ---------------------------------------------------------------------------

/**
 * One pass of Adam (Kingma & Ba 2015, Algorithm 1) over a variable:
 *   m <- b1 m + (1 - b1) g ;  v <- b2 v + (1 - b2) g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)  [- lr * wd * p for AdamW]
 * rearranged as p * (1 - lr wd) - (lr / c1) m / (sqrt(v) / sqrt(c2) + eps),
 * which needs one division and one square root per element. Computed in
 * double precision, stored as float32; the bias corrections use float32 beta^t
 * like tfjs's accumulated beta powers. Outputs [p', m', v'] as new tensors.
 */
function adamUpdateWasm(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as WasmBackend;
  const { param, grad, m, v } = args.inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>;
  const attrs = args.attrs as unknown as AdamUpdateAttrs;
  const outP = backend.makeOutput(param.shape, 'float32');
  const outM = backend.makeOutput(param.shape, 'float32');
  const outV = backend.makeOutput(param.shape, 'float32');
  const n = tf.util.sizeFromShape(param.shape);
  // Four lanes at a time in wasm SIMD (simd-kernels.ts); the last n % 4 in JS.
  const simd = simdKernelsFor(heap(backend));
  let from = 0;
  if (simd !== null) {
    const c = adamConstants(attrs);
    const vecLen = n - (n % 4);
    const at = (t: tf.TensorInfo) => backend.getMemoryOffset(t.dataId);
    simd.adam(at(param), at(grad), at(m), at(v), at(outP), at(outM), at(outV), vecLen * 4,
      attrs.beta1, c.d1, attrs.beta2, c.d2, c.stepSize, c.invSqrtC2, attrs.epsilon, c.decay);
    from = vecLen;
  }
  if (from < n) {
    adamUpdateArrays(
      backend.typedArrayFromHeap(param) as Float32Array,
      backend.typedArrayFromHeap(grad) as Float32Array,
      backend.typedArrayFromHeap(m) as Float32Array,
      backend.typedArrayFromHeap(v) as Float32Array,
      backend.typedArrayFromHeap(outP) as Float32Array,
      backend.typedArrayFromHeap(outM) as Float32Array,
      backend.typedArrayFromHeap(outV) as Float32Array,
      attrs,
      from,
    );
  }
  return [outP, outM, outV];
}

/** The per-step constants of the rearranged update (see adamUpdateWasm). */
function adamConstants(attrs: AdamUpdateAttrs): { d1: number; d2: number; stepSize: number; invSqrtC2: number; decay: number } {
  const c1 = 1 - Math.fround(Math.pow(attrs.beta1, attrs.step));
  const c2 = 1 - Math.fround(Math.pow(attrs.beta2, attrs.step));
  return {
    d1: 1 - attrs.beta1,
    d2: 1 - attrs.beta2,
    stepSize: attrs.learningRate / c1,
    invSqrtC2: 1 / Math.sqrt(c2),
    decay: 1 - attrs.learningRate * attrs.weightDecay,
  };
}

/** The Adam arithmetic on plain arrays from index `from` on (the kernel's JS path; exported for tests). */
export function adamUpdateArrays(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  outP: Float32Array,
  outM: Float32Array,
  outV: Float32Array,
  attrs: AdamUpdateAttrs,
  from = 0,
): void {
  const { beta1: b1, beta2: b2, epsilon: eps } = attrs;
  const { d1, d2, stepSize, invSqrtC2, decay } = adamConstants(attrs);
  const n = p.length;
  for (let i = from; i < n; i++) {
    const gi = g[i];
    const mi = b1 * m[i] + d1 * gi;
    const vi = b2 * v[i] + d2 * gi * gi;
    outM[i] = mi;
    outV[i] = vi;
    outP[i] = p[i] * decay - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps);
  }
}
