/**
 * 512 x 512 x 512 matmul, plain and with transposeA / transposeB (the two
 * cases matMul's gradient issues). The same code serves both tfjs flavours:
 * the difference is whether tensor-core's fast wasm kernels are registered.
 */
import * as tf from '@tensorflow/tfjs';
import { seededUniform, type BenchStep, type CoreWorkload } from '../workload.js';

const N = 512;

function matmul(transposeA: boolean, transposeB: boolean): () => Promise<BenchStep> {
  return async () => {
    const a = tf.tensor2d(seededUniform(N * N, 1), [N, N]);
    const b = tf.tensor2d(seededUniform(N * N, 2), [N, N]);
    return {
      step() {
        tf.matMul(a, b, transposeA, transposeB).dispose();
      },
      dispose() {
        a.dispose();
        b.dispose();
      },
    };
  };
}

const variant = (suffix: string, transposeA: boolean, transposeB: boolean): CoreWorkload => ({
  name: `matmul-512${suffix}`,
  torch: `matmul-512${suffix}`,
  flops: 2 * N ** 3,
  paperkit: matmul(transposeA, transposeB),
  raw: matmul(transposeA, transposeB),
});

export const coreWorkloads: CoreWorkload[] = [variant('', false, false), variant('-tA', true, false), variant('-tB', false, true)];
