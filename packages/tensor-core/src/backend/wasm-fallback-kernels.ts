/**
 * Fallback kernels for the wasm backend.
 *
 * tfjs 4.22's wasm backend lacks a handful of kernels that the cpu backend has
 * (see ecosystem notes, section B). Two of them matter for training:
 * UnsortedSegmentSum is the gradient of `tf.gather`, and Conv2DBackpropFilter is
 * the weight gradient of `tf.conv2d`. Without them, any model with an embedding
 * table or a convolution cannot be trained on wasm.
 *
 * The bridge here registers, for every kernel that cpu has and wasm does not,
 * a wasm kernel that copies its inputs out of wasm memory into the cpu backend,
 * runs the cpu kernel there, copies the outputs back into wasm memory and frees
 * every cpu-side buffer. It is slower than a native kernel (two copies per
 * call), but these kernels are rare in a step, and the result is bit-identical
 * to cpu. Gradients need nothing extra: tfjs registers gradients per kernel
 * name, not per backend.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../errors.js';
import { conv2dBackpropFilterViaPatches } from './conv-filter-gradient.js';

/**
 * The kernels that cpu has and wasm lacks in tfjs 4.22, as measured with
 * `tf.getKernelsForBackend` (kept for documentation and as a test oracle;
 * registration computes the list at run time, so a newer tfjs is handled).
 */
export const WASM_FALLBACK_KERNELS: readonly string[] = Object.freeze([
  'Complex',
  'ComplexAbs',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'Draw',
  'Einsum',
  'FFT',
  'IFFT',
  'Imag',
  'RaggedGather',
  'RaggedRange',
  'RaggedTensorToTensor',
  'Real',
  'StaticRegexReplace',
  'UnsortedSegmentSum',
]);

/**
 * Kernels deliberately left unbridged, with the reason.
 *
 * They all produce or consume complex64 tensors. The wasm backend has no
 * complex64 storage: its `readSync` throws "Unknown dtype complex64" and no wasm
 * kernel (add, mul, slice, ...) accepts complex inputs. A bridged `tf.complex`
 * would therefore create tensors that nothing else on wasm can read or use, so
 * it is better to fail loudly with tfjs's own "kernel not registered" error.
 * Run spectral code on the cpu backend instead.
 */
export const WASM_UNBRIDGED_KERNELS: Readonly<Record<string, string>> = Object.freeze({
  Complex: 'wasm has no complex64 storage',
  ComplexAbs: 'input is complex64, which wasm cannot hold',
  Real: 'input is complex64, which wasm cannot hold',
  Imag: 'input is complex64, which wasm cannot hold',
  FFT: 'input and output are complex64, which wasm cannot hold',
  IFFT: 'input and output are complex64, which wasm cannot hold',
});

/** Native wasm kernels that give wrong results in tfjs 4.22 and are replaced (see replaceOneHot). */
export const WASM_REPLACED_KERNELS: readonly string[] = Object.freeze(['OneHot']);

/** What `registerWasmFallbackKernels` did. */
export interface WasmFallbackReport {
  /** Kernels now served by the cpu bridge on wasm (including ones bridged by an earlier call). */
  registered: string[];
  /** Native wasm kernels replaced because they compute wrong results (see WASM_REPLACED_KERNELS). */
  replaced: string[];
  /** Kernels cpu has, wasm lacks, and that were left out on purpose (see WASM_UNBRIDGED_KERNELS). */
  skipped: { kernel: string; reason: string }[];
}

/** The few backend methods the bridge needs; both cpu and wasm implement them. */
interface BridgeBackend extends tf.KernelBackend {
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  makeOutput?(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  readSync(dataId: object): tf.backend_util.BackendValues;
  disposeData(dataId: object, force?: boolean): boolean;
}

const bridged = new Set<string>();

/**
 * Register the cpu bridge on 'wasm' for every kernel that cpu has and wasm
 * lacks (except the complex64 ones, see WASM_UNBRIDGED_KERNELS). Idempotent.
 * Call it after `@tensorflow/tfjs-backend-wasm` has been imported and before
 * the first op runs on wasm; `initBackend` does this for you.
 */
export function registerWasmFallbackKernels(): WasmFallbackReport {
  if (tf.findBackendFactory('wasm') == null) {
    throw new BackendError(
      "registerWasmFallbackKernels: the 'wasm' backend is not registered; import '@tensorflow/tfjs-backend-wasm' first (or call initBackend({ backend: 'wasm' }))",
    );
  }
  const wasmKernels = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const skipped: WasmFallbackReport['skipped'] = [];
  for (const config of tf.getKernelsForBackend('cpu')) {
    const name = config.kernelName;
    if (wasmKernels.has(name)) continue; // native wasm kernel, or bridged by an earlier call
    const reason = WASM_UNBRIDGED_KERNELS[name];
    if (reason !== undefined) {
      skipped.push({ kernel: name, reason });
      continue;
    }
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: DIRECT_KERNELS[name] ?? bridgeToCpu(name) });
    bridged.add(name);
  }
  replaceOneHot();
  return {
    replaced: [...WASM_REPLACED_KERNELS], registered: [...bridged].sort(), skipped: skipped.sort((a, b) => a.kernel.localeCompare(b.kernel)) };
}

/**
 * tfjs-backend-wasm 4.22's OneHot ignores its `dtype` attribute and always
 * writes int32 values, so `tf.oneHot(ids, n, 1, 0, 'float32')` came back as the
 * float32 bit patterns of the integers 0 and 1 (1 read as 1.4e-45). Cross-entropy
 * over such labels is zero and nothing trains. The int32 case stays native; any
 * other dtype runs the cpu kernel through the bridge.
 */
let oneHotReplaced = false;
function replaceOneHot(): void {
  if (oneHotReplaced) return;
  const native = tf.getKernel('OneHot', 'wasm');
  if (native == null) return;
  const bridge = bridgeToCpu('OneHot');
  tf.unregisterKernel('OneHot', 'wasm');
  tf.registerKernel({
    kernelName: 'OneHot',
    backendName: 'wasm',
    // the native kernel binds its wasm export in setupFunc when the backend initialises
    setupFunc: native.setupFunc,
    disposeFunc: native.disposeFunc,
    kernelFunc: (args) => ((args.attrs as { dtype?: string }).dtype === 'int32' ? native.kernelFunc(args) : bridge(args)),
  });
  oneHotReplaced = true;
}

/**
 * UnsortedSegmentSum computed in one pass over the rows, reading and writing
 * wasm memory directly. tfjs 4.22's cpu kernel builds a mask per segment
 * (O(rows x segments) work), so the bridged version took seconds for a
 * gather gradient over a few thousand rows; this one is O(rows x width).
 * Same sums in the same order as the cpu kernel for float32 inputs.
 */
const unsortedSegmentSumViaCpu = bridgeToCpu('UnsortedSegmentSum');
const unsortedSegmentSum: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const wasm = backend as BridgeBackend;
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (attrs as { numSegments: number }).numSegments;
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0] || x.dtype === 'string' || x.dtype === 'complex64') {
    return unsortedSegmentSumViaCpu({ inputs, attrs, backend });
  }
  const rows = x.shape[0] ?? 1;
  const width = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const values = wasm.readSync(x.dataId) as Float32Array | Int32Array | Uint8Array;
  const ids = wasm.readSync(segmentIds.dataId) as Int32Array | Float32Array;
  const out = x.dtype === 'float32' ? new Float32Array(numSegments * width) : new Int32Array(numSegments * width);
  for (let r = 0; r < rows; r++) {
    const segment = ids[r];
    if (segment < 0 || segment >= numSegments) continue; // as tf: out-of-range ids are dropped
    const src = r * width;
    const dst = segment * width;
    for (let j = 0; j < width; j++) out[dst + j] += values[src + j];
  }
  return wasm.makeOutput!([numSegments, ...x.shape.slice(1)], x.dtype === 'bool' ? 'int32' : x.dtype, undefined, out);
};

/** Missing kernels that get a direct implementation instead of the cpu bridge. */
const DIRECT_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  UnsortedSegmentSum: unsortedSegmentSum,
  Conv2DBackpropFilter: conv2dBackpropFilterViaPatches(bridgeToCpu('Conv2DBackpropFilter')),
};

/** The cpu backend instance (created on first use; importing '@tensorflow/tfjs' registers its factory). */
function cpuBackend(): BridgeBackend {
  const backend = tf.engine().findBackend('cpu') as BridgeBackend | null;
  if (backend == null) {
    throw new BackendError("wasm fallback kernels need the 'cpu' backend, which is not registered; import '@tensorflow/tfjs'");
  }
  // The cpu backend prints a "install tfjs-node to speed things up" banner on
  // its first write; here it is only our scratch space, so the banner would mislead.
  if ((backend as { firstUse?: boolean }).firstUse === true) (backend as { firstUse?: boolean }).firstUse = false;
  return backend;
}

/**
 * A wasm kernel function that runs the cpu kernel `name` on cpu copies of its
 * inputs. The cpu kernel is looked up per call, so a kernel registered on cpu
 * later (or replaced) is honoured.
 */
function bridgeToCpu(name: string): tf.KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const wasm = backend as BridgeBackend;
    if (typeof wasm.makeOutput !== 'function') {
      throw new BackendError(`wasm fallback kernel ${name}: the active backend has no makeOutput(); expected the wasm backend`);
    }
    const cpu = cpuBackend();
    const cpuKernel = tf.getKernel(name, 'cpu');
    if (cpuKernel == null) throw new BackendError(`wasm fallback kernel ${name}: the cpu backend has no kernel ${name}`);

    // Every cpu buffer we create or receive is ours; all are freed in `finally`.
    const owned: tf.TensorInfo[] = [];
    const toCpu = (info: tf.TensorInfo): tf.TensorInfo => {
      const copy = cpu.makeTensorInfo!(info.shape.slice(), info.dtype, wasm.readSync(info.dataId));
      owned.push(copy);
      return copy;
    };
    try {
      // Einsum (and any variadic kernel) receives its inputs as an array; keep that shape.
      let cpuInputs: tf.NamedTensorInfoMap;
      if (Array.isArray(inputs)) {
        cpuInputs = (inputs as tf.TensorInfo[]).map((info) => (info == null ? info : toCpu(info))) as unknown as tf.NamedTensorInfoMap;
      } else {
        cpuInputs = {};
        for (const [key, info] of Object.entries(inputs)) {
          if (info != null) cpuInputs[key] = toCpu(info);
        }
      }
      const result = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu });
      const cpuOutputs = Array.isArray(result) ? result : [result];
      owned.push(...cpuOutputs);
      const wasmOutputs = cpuOutputs.map((out) =>
        wasm.makeOutput!(out.shape.slice(), out.dtype, undefined, asStorage(cpu.readSync(out.dataId), out.dtype)),
      );
      return Array.isArray(result) ? wasmOutputs : wasmOutputs[0];
    } finally {
      for (const info of owned) cpu.disposeData(info.dataId, true);
    }
  };
}

/** Values in the typed array wasm stores for `dtype` (wasm copies raw bytes, so the element width must match). */
function asStorage(values: tf.backend_util.BackendValues, dtype: tf.DataType): tf.backend_util.BackendValues {
  switch (dtype) {
    case 'float32':
      return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    case 'int32':
      return values instanceof Int32Array ? values : Int32Array.from(values as ArrayLike<number>);
    case 'bool':
      return values instanceof Uint8Array ? values : Uint8Array.from(values as ArrayLike<number>);
    case 'string':
      return values; // Uint8Array[] of encoded strings, stored as-is by both backends
    default:
      throw new BackendError(`wasm fallback kernels: cannot move a ${dtype} tensor into wasm memory`);
  }
}
