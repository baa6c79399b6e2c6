/**
 * Which wasm kernels run on XNNPACK's thread pool: matmuls and convolutions
 * with enough arithmetic to pay for waking the pool (./wasm-threads.ts).
 * Everything else, and every small product, stays on the calling thread.
 *
 * The threshold is measured, not guessed: bench/parallel-threshold.ts times
 * products on one thread and on the pool. On our 2-core machine the pool
 * wins from about 2 MFLOP (0.6-0.7x the time), reaches 0.5x from 8 MFLOP,
 * and below 1 MFLOP is as likely to lose (up to 1.7x the time) as to win.
 */
import * as tf from '@tensorflow/tfjs';
import { runOnThreadPool } from './thread-pool.js';

/** Floating-point operations from which a kernel call runs on the pool (measured default). */
export const PARALLEL_MIN_FLOPS = 2_000_000;

let minFlops = PARALLEL_MIN_FLOPS;

/** Change the threshold (bench/parallel-threshold.ts sweeps it); returns the previous value. */
export function setParallelMinFlops(flops: number): number {
  const previous = minFlops;
  minFlops = flops;
  return previous;
}

type Work = (inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap) => number;

/** The shape of a named input ([] when absent: the work estimate then stays small, and the call serial). */
const shape = (inputs: tf.NamedTensorInfoMap, name: string): number[] => inputs[name]?.shape ?? [];

/** 2 M N K per batch entry of a (possibly transposed, possibly broadcast) batched product. */
const matMulWork: Work = (inputs, attrs) => {
  const a = shape(inputs, 'a');
  const b = shape(inputs, 'b');
  const m = attrs.transposeA ? a[a.length - 1] : a[a.length - 2];
  const k = attrs.transposeA ? a[a.length - 2] : a[a.length - 1];
  const n = attrs.transposeB ? b[b.length - 2] : b[b.length - 1];
  const batch = Math.max(tf.util.sizeFromShape(a.slice(0, -2)), tf.util.sizeFromShape(b.slice(0, -2)));
  return 2 * batch * m * n * k;
};

/** 2 x (filter taps) x (output positions, from the input size over the strides) for NHWC convolutions. */
const convWork = (image: number[], filter: number[], strides: unknown): number => {
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : Array.isArray(strides) ? strides : [1, 1];
  return (2 * tf.util.sizeFromShape(filter) * image[0] * image[1] * image[2]) / (sh * sw);
};

const WORK: Record<string, Work> = {
  BatchMatMul: matMulWork,
  _FusedMatMul: matMulWork,
  Conv2D: (inputs, attrs) => convWork(shape(inputs, 'x'), shape(inputs, 'filter'), attrs.strides),
  FusedConv2D: (inputs, attrs) => convWork(shape(inputs, 'x'), shape(inputs, 'filter'), attrs.strides),
  // dx of a convolution: every filter tap at every position of dy
  Conv2DBackpropInput: (inputs) => convWork(shape(inputs, 'dy'), shape(inputs, 'filter'), 1),
};

const wrapped = new Map<string, tf.KernelConfig>();

/**
 * Wrap the wasm kernels in WORK so that large calls run on the thread pool.
 * Call after every other wasm kernel override is registered (it wraps what is
 * registered now). Idempotent; harmless when the pool has one thread.
 */
export function registerParallelWasmKernels(): void {
  for (const [name, work] of Object.entries(WORK)) {
    const inner = tf.getKernel(name, 'wasm');
    if (inner == null || wrapped.get(name) === inner) continue;
    const kernelFunc = ((args: Parameters<tf.KernelFunc>[0]) =>
      work(args.inputs, args.attrs ?? {}) >= minFlops ? runOnThreadPool(() => inner.kernelFunc(args)) : inner.kernelFunc(args)) as tf.KernelFunc;
    const config: tf.KernelConfig = { ...inner, kernelFunc };
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config);
    wrapped.set(name, config);
  }
}
