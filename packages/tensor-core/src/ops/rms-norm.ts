/**
 * Fused RMS normalisation over the last axis (Zhang & Sennrich 2019):
 *   y = x / sqrt(mean(x^2) + eps) * gamma
 * One kernel forward, one backward. With r = 1/sqrt(mean(x^2) + eps) and
 * g = dy gamma, per row of width D
 *   dx = r (g - x r^2 mean(g x)),  dgamma = sum_rows dy x r.
 */
import * as tf from '@tensorflow/tfjs';
import { canFuse, registerJsKernels, rowsAndDim, runFused, type JsKernel } from './fused-kernel.js';

export const RMS_NORM_KERNEL = 'PaperkitRMSNorm';
const GRAD_KERNEL = 'PaperkitRMSNormGrad';

function rowScale(x: ArrayLike<number>, base: number, d: number, eps: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[base + j] * x[base + j];
  return 1 / Math.sqrt(s / d + eps);
}

const forward: JsKernel = {
  name: RMS_NORM_KERNEL,
  inputs: ['x', 'gamma'],
  outputShapes: (shapes) => [shapes[0]],
  run([x, gamma], [y], shapes, attrs) {
    const [rows, d] = rowsAndDim(shapes[0]);
    const eps = attrs.eps as number;
    for (let r = 0, base = 0; r < rows; r++, base += d) {
      const scale = rowScale(x, base, d, eps);
      for (let j = 0; j < d; j++) y[base + j] = x[base + j] * scale * gamma[j];
    }
  },
};

const backward: JsKernel = {
  name: GRAD_KERNEL,
  inputs: ['dy', 'x', 'gamma'],
  outputShapes: (shapes) => [shapes[1], shapes[2]],
  run([dy, x, gamma], [dx, dgamma], shapes, attrs) {
    const [rows, d] = rowsAndDim(shapes[1]);
    const eps = attrs.eps as number;
    const dg = new Float64Array(d);
    for (let r = 0, base = 0; r < rows; r++, base += d) {
      const scale = rowScale(x, base, d, eps);
      let sumGX = 0;
      for (let j = 0; j < d; j++) {
        sumGX += dy[base + j] * gamma[j] * x[base + j];
        dg[j] += dy[base + j] * x[base + j] * scale;
      }
      const k = (scale * scale * sumGX) / d;
      for (let j = 0; j < d; j++) dx[base + j] = scale * (dy[base + j] * gamma[j] - x[base + j] * k);
    }
    dgamma.set(dg);
  },
};

let ready = false;
function register(): void {
  if (ready) return;
  ready = true;
  registerJsKernels([forward, backward], [
    {
      kernelName: RMS_NORM_KERNEL,
      inputsToSave: ['x', 'gamma'],
      gradFunc: (dy, saved, attrs) => {
        const [x, gamma] = saved;
        const [dx, dgamma] = runFused(GRAD_KERNEL, { dy: dy as tf.Tensor, x, gamma }, attrs) as tf.Tensor[];
        return { x: () => dx, gamma: () => dgamma };
      },
    },
  ]);
}

/** The same normalisation in ordinary tfjs ops. */
export function rmsNormUnfused(x: tf.Tensor, gamma: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const meanSquare = tf.mean(tf.square(x), x.rank - 1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), gamma);
  });
}

/** RMS norm of x [..., D] with gamma [D] (float32); eps > 0. */
export function rmsNorm(x: tf.Tensor, gamma: tf.Tensor, eps = 1e-6): tf.Tensor {
  register();
  if (!canFuse(RMS_NORM_KERNEL) || x.dtype !== 'float32' || x.size === 0) return rmsNormUnfused(x, gamma, eps);
  return runFused(RMS_NORM_KERNEL, { x, gamma }, { eps }) as tf.Tensor;
}
