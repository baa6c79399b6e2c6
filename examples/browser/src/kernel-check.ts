/**
 * A small check that tensor-core's additions to the wasm backend work in this
 * page: the cpu fallback kernels (gather's gradient needs UnsortedSegmentSum,
 * conv training needs Conv2DBackpropFilter, neither of which tfjs's wasm
 * backend has), the fast kernels (the fused Adam kernel is registered, a
 * transposed matmul runs through the overridden BatchMatMul), and whether the
 * SIMD kernels can bind to the backend's heap.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelCheck {
  crossOriginIsolated: boolean;
  gatherGrad: number[][];
  convFilterGrad: number[];
  transposedMatMul: number[][];
  fusedAdamRegistered: boolean;
  /** Where the wasm heap was found ('asm.memory' single-threaded, 'wasmMemory' threaded), 'none' if not. */
  heap: 'asm.memory' | 'wasmMemory' | 'none';
}

export function wasmKernelCheck(): KernelCheck {
  const gatherGrad = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, [0, 0, 2])))(tf.ones([3, 2])).arraySync() as number[][]);
  const convFilterGrad = tf.tidy(() => {
    const x = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
    const g = tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 1, 'valid')))(tf.ones([2, 2, 1, 1]));
    return Array.from(g.dataSync());
  });
  const transposedMatMul = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor2d([[1, 0], [0, 1], [1, 1]]), true, false).arraySync() as number[][]);
  const wasm = (tf.backend() as unknown as { wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown } }).wasm;
  const heap = wasm?.asm?.memory instanceof WebAssembly.Memory ? 'asm.memory' : wasm?.wasmMemory instanceof WebAssembly.Memory ? 'wasmMemory' : 'none';
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    gatherGrad, convFilterGrad, transposedMatMul,
    fusedAdamRegistered: tf.getKernel('PaperkitAdamUpdate', 'wasm') != null,
    heap,
  };
}
