/**
 * What a bench workload is. Every method package contributes
 * `bench/workloads/<name>.ts` exporting `workloads: BenchWorkload[]` (with a
 * `torch` key naming its twin in bench/torch/<name>.py, see below); the
 * harness (bench/run.ts) calls setup() once, then step() for warm-up and timed
 * runs, then dispose(). step() must finish its work before it returns (on wasm
 * and cpu every kernel is synchronous; read a value back on async backends).
 */
import * as tf from '@tensorflow/tfjs';

export interface BenchStep {
  step(): Promise<void> | void;
  dispose(): void;
}

export interface BenchWorkload {
  name: string;
  setup(): Promise<BenchStep>;
  /**
   * Key of the PyTorch twin: an entry of `WORKLOADS` in bench/torch/workloads.py
   * or in any bench/torch/<name>.py (all are loaded); the row then gets a
   * paperkit / PyTorch ratio measured in the same run.
   */
  torch?: string;
  /** Why the workload has no PyTorch twin (printed under the table) when `torch` is absent. */
  noTorch?: string;
}

/**
 * A tensor-core workload measured in three flavours in the same run: paperkit
 * (tensor-core's layers and optimizer, fast wasm kernels active), raw tfjs
 * (plain tfjs ops, run in a child process without any paperkit kernel
 * registered) and PyTorch (bench/torch/workloads.py, key `torch`).
 */
export interface CoreWorkload {
  name: string;
  /** Name of the same workload in bench/torch/workloads.py. */
  torch: string;
  /** Floating-point operations of one step, when meaningful (matmuls): the table then shows GFLOP/s. */
  flops?: number;
  paperkit(): Promise<BenchStep>;
  raw(): Promise<BenchStep>;
}

/**
 * Deterministic uniform values in [lo, hi) from a 32-bit LCG (numerical
 * recipes constants). The bench needs reproducible inputs in every flavour,
 * including the raw-tfjs one that must not load any paperkit code.
 */
export function seededUniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let state = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * state) / 4294967296;
  }
  return out;
}

/** Deterministic integers in [0, n). */
export function seededInts(count: number, n: number, seed: number): Int32Array {
  const u = seededUniform(count, seed, 0, 1);
  return Int32Array.from(u, (x) => Math.min(n - 1, Math.floor(x * n)));
}

/**
 * One-hot rows [ids.length, classes] built in JS (not with tf.oneHot, whose
 * wasm kernel ignores the dtype attribute in tfjs 4.22).
 */
export function oneHotRows(ids: Int32Array, classes: number): Float32Array {
  const out = new Float32Array(ids.length * classes);
  ids.forEach((id, row) => {
    out[row * classes + id] = 1;
  });
  return out;
}

/**
 * The raw-tfjs flavour's training step: tf.train.adam (PyTorch's epsilon) minimising `loss` over
 * `variables`; dispose() frees the optimizer, the variables and the `inputs` tensors.
 */
export function rawAdamStep(lr: number, loss: () => tf.Scalar, variables: tf.Variable[], inputs: tf.Tensor[]): BenchStep {
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  return {
    step() {
      optimizer.minimize(loss, false, variables);
    },
    dispose() {
      optimizer.dispose();
      tf.dispose([...variables, ...inputs]);
    },
  };
}
