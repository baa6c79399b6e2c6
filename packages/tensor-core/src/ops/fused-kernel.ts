/**
 * How tensor-core's fused ops become tfjs kernels (docs/performance.md, round 3).
 *
 * A small transformer step used to issue about 780 kernels, and on the wasm
 * backend each one pays tfjs's per-op bookkeeping (tape entry, scope, saved
 * tensors, a JS call into wasm) whatever its size. A fused op is one kernel
 * forward and one backward: a JS loop over the tensors' own memory (the wasm
 * heap, or the cpu backend's typed arrays) registered under a `Paperkit*`
 * kernel name, with its gradient registered for that name (tfjs looks
 * gradients up by kernel name, on every backend).
 *
 * The kernels are registered for 'wasm' and 'cpu' the first time a fused op
 * runs. On any other backend (webgl, tfjs-node), or with PAPERKIT_FUSED_OPS=0,
 * the ops run the unfused composition of ordinary tfjs ops instead; both give
 * the same values and gradients within 1e-5 (test/ops/*.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmMemory } from '../backend/simd-kernels.js';

type TypedArray = Float32Array | Int32Array | Uint8Array;

/** One JS kernel: input names in order, output shapes, and the loop that fills the outputs. */
export interface JsKernel {
  name: string;
  inputs: readonly string[];
  /** Shapes of the (float32) outputs from the input shapes and the attributes. */
  outputShapes(shapes: number[][], attrs: tf.NamedAttrMap): number[][];
  /** Fill `out` from `data` (views of the inputs, in `inputs` order); outputs start zeroed. */
  run(data: TypedArray[], out: Float32Array[], shapes: number[][], attrs: tf.NamedAttrMap): void;
  /**
   * Optional faster path on the wasm backend (wasm SIMD on the heap): return
   * false to fall back to `run`. Outputs are not zeroed before it.
   */
  runWasm?(ctx: WasmContext, shapes: number[][], attrs: tf.NamedAttrMap): boolean;
}

/** What a wasm fast path gets: the heap, byte offsets of inputs and outputs, and fresh views. */
export interface WasmContext {
  memory: WasmMemory | undefined;
  inputs: number[];
  outputs: number[];
  /** Views of the inputs and outputs (take them after any allocation). */
  views(): { data: TypedArray[]; out: Float32Array[] };
  /** Byte offset of a scratch float32 buffer on the heap, freed when the kernel returns (invalidates earlier views). */
  alloc(floats: number): number;
  /** A float32 view of `floats` values at byte offset `ptr` (take it after every alloc). */
  at(ptr: number, floats: number): Float32Array;
}

/** The backend methods used here: BackendWasm (tfjs-backend-wasm) and MathBackendCPU. */
interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): TypedArray;
  getMemoryOffset(dataId: object): number;
  disposeData(dataId: object, force?: boolean): boolean;
  /** The heap: exported as asm.memory by the single-threaded build, imported (Module.wasmMemory) by the threaded one. */
  wasm: { asm?: { memory?: WasmMemory }; wasmMemory?: WasmMemory };
}
interface CpuLike {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: TypedArray): tf.TensorInfo;
}

const BACKENDS = ['wasm', 'cpu'] as const;

/** The wasm flavour: outputs are allocated on the heap first (a heap growth would detach earlier views), then viewed. */
function wasmKernel(k: JsKernel): tf.KernelFunc {
  return (({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const b = backend as WasmLike;
    const ins = k.inputs.map((n) => inputs[n] as tf.TensorInfo);
    const shapes = ins.map((t) => t.shape);
    const infos = k.outputShapes(shapes, attrs ?? {}).map((s) => b.makeOutput(s, 'float32'));
    if (k.runWasm) {
      const memory = b.wasm.asm?.memory ?? b.wasm.wasmMemory;
      const scratch: tf.TensorInfo[] = [];
      const ctx: WasmContext = {
        memory,
        inputs: ins.map((t) => b.getMemoryOffset(t.dataId)),
        outputs: infos.map((t) => b.getMemoryOffset(t.dataId)),
        views: () => ({ data: ins.map((t) => b.typedArrayFromHeap(t)), out: infos.map((t) => b.typedArrayFromHeap(t) as Float32Array) }),
        alloc: (floats) => {
          const t = b.makeOutput([Math.max(1, floats)], 'float32');
          scratch.push(t);
          return b.getMemoryOffset(t.dataId);
        },
        at: (ptr, floats) => new Float32Array(memory!.buffer, ptr, floats),
      };
      try {
        if (k.runWasm(ctx, shapes, attrs ?? {})) return infos.length === 1 ? infos[0] : infos;
      } finally {
        for (const t of scratch) b.disposeData(t.dataId);
      }
    }
    const out = infos.map((t) => b.typedArrayFromHeap(t) as Float32Array);
    for (const o of out) o.fill(0);
    k.run(ins.map((t) => b.typedArrayFromHeap(t)), out, shapes, attrs ?? {});
    return infos.length === 1 ? infos[0] : infos;
  }) as unknown as tf.KernelFunc;
}

function cpuKernel(k: JsKernel): tf.KernelFunc {
  return (({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => {
    const b = backend as CpuLike;
    const ins = k.inputs.map((n) => inputs[n] as tf.TensorInfo);
    const shapes = ins.map((t) => t.shape);
    const out = k.outputShapes(shapes, attrs ?? {}).map((s) => new Float32Array(tf.util.sizeFromShape(s)));
    k.run(ins.map((t) => b.data.get(t.dataId).values as TypedArray), out, shapes, attrs ?? {});
    const shapesOut = k.outputShapes(shapes, attrs ?? {});
    const infos = out.map((o, i) => b.makeTensorInfo(shapesOut[i], 'float32', o));
    return infos.length === 1 ? infos[0] : infos;
  }) as unknown as tf.KernelFunc;
}

const registered = new Set<string>();

/** Register `kernels` on wasm and cpu (idempotent) and `gradients` for their names. */
export function registerJsKernels(kernels: JsKernel[], gradients: tf.GradConfig[]): void {
  for (const k of kernels) {
    if (registered.has(k.name)) continue;
    registered.add(k.name);
    for (const backendName of BACKENDS) {
      if (tf.getKernel(k.name, backendName) != null) continue;
      tf.registerKernel({ kernelName: k.name, backendName, kernelFunc: backendName === 'wasm' ? wasmKernel(k) : cpuKernel(k) });
    }
  }
  for (const g of gradients) {
    if (tf.getGradient(g.kernelName) == null) tf.registerGradient(g);
  }
}

let enabled: boolean | null = null;

/** Whether fused ops are on (default; PAPERKIT_FUSED_OPS=0 or setFusedOps(false) turns them off). */
export function fusedOpsEnabled(): boolean {
  if (enabled === null) enabled = !(typeof process !== 'undefined' && process.env?.PAPERKIT_FUSED_OPS === '0');
  return enabled;
}

/** Turn the fused kernels on or off (off: every op runs its unfused composition). Returns the previous setting. */
export function setFusedOps(on: boolean): boolean {
  const previous = fusedOpsEnabled();
  enabled = on;
  return previous;
}

/** Whether the active backend runs kernel `name` (after registration) and fused ops are on. */
export function canFuse(name: string): boolean {
  return fusedOpsEnabled() && tf.getKernel(name, tf.getBackend()) != null;
}

/** Run a registered kernel through the engine (taped, so its registered gradient applies). */
export function runFused(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as tf.Tensor | tf.Tensor[];
}

/** rows x last-dim view of a shape. */
export function rowsAndDim(shape: readonly number[]): [number, number] {
  const dim = shape[shape.length - 1];
  return [dim === 0 ? 0 : tf.util.sizeFromShape(shape as number[]) / dim, dim];
}

/** Whether the engine is recording gradients right now (inside tf.grad / minimize), as tfjs's own fused ops check. */
export function recordingGradients(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}
