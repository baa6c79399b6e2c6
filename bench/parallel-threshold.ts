/**
 * Where does XNNPACK's thread pool start to pay? Times products of growing
 * size on the calling thread alone and on the full pool, in one process, and
 * prints the ratio; PARALLEL_MIN_FLOPS in
 * packages/tensor-core/src/backend/parallel-kernels.ts is set from this.
 *
 *   pnpm tsx --conditions=@paperkit/source bench/parallel-threshold.ts [--threads N]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../packages/tensor-core/src/index.js';
import { setParallelMinFlops } from '../packages/tensor-core/src/backend/parallel-kernels.js';

const threadsArg = process.argv.indexOf('--threads');
const info = await initBackend({ threads: threadsArg > 0 ? Number(process.argv[threadsArg + 1]) : undefined });
if (info.threads < 2) {
  console.log(`one wasm thread here (${info.threadsFallback ?? 'one core'}): nothing to measure`);
  process.exit(0);
}

/** Median microseconds of `fn` over `reps` calls after a warm-up. */
function median(fn: () => void, reps: number): number {
  for (let i = 0; i < 5; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push((performance.now() - t0) * 1000);
  }
  return times.sort((a, b) => a - b)[reps >> 1];
}

const shapes: [number, number, number][] = [
  [64, 64, 64], [128, 64, 64], [128, 128, 64], [256, 64, 128], [128, 128, 128], [512, 64, 64],
  [256, 128, 128], [512, 64, 256], [256, 256, 256], [512, 512, 512],
];
console.log('m x k x n          MFLOP   1 thread us   pool us   pool/1');
for (const [m, k, n] of shapes) {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const step = () => tf.matMul(a, b).dispose();
  const reps = m * k * n > 1e7 ? 30 : 200;
  setParallelMinFlops(Infinity);
  const serial = median(step, reps);
  setParallelMinFlops(0);
  const pooled = median(step, reps);
  const mflop = (2 * m * k * n) / 1e6;
  console.log(`${`${m} x ${k} x ${n}`.padEnd(16)} ${mflop.toFixed(2).padStart(7)} ${serial.toFixed(0).padStart(13)} ${pooled.toFixed(0).padStart(9)} ${(pooled / serial).toFixed(2).padStart(8)}`);
  tf.dispose([a, b]);
}
