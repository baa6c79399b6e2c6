/**
 * Fused layer normalisation over the last axis (Ba et al. 2016):
 *   y = (x - mean) / sqrt(var + eps) * gamma + beta      (biased variance)
 * One kernel forward, one backward. With xhat = (x - mean) rstd and
 * g = dy gamma, the backward kernel computes per row of width D
 *   dx = rstd (g - mean(g) - xhat mean(g xhat)),  dgamma = sum_rows dy xhat,  dbeta = sum_rows dy,
 * recomputing mean and rstd from x (cheaper than saving them).
 */
import * as tf from '@tensorflow/tfjs';
import { canFuse, registerJsKernels, rowsAndDim, runFused, type JsKernel } from './fused-kernel.js';

export const LAYER_NORM_KERNEL = 'PaperkitLayerNorm';
const GRAD_KERNEL = 'PaperkitLayerNormGrad';

/** mean and 1/sqrt(var + eps) of row r (double precision). */
function rowStats(x: ArrayLike<number>, base: number, d: number, eps: number): [number, number] {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[base + j];
  const mean = s / d;
  let v = 0;
  for (let j = 0; j < d; j++) {
    const c = x[base + j] - mean;
    v += c * c;
  }
  return [mean, 1 / Math.sqrt(v / d + eps)];
}

const forward: JsKernel = {
  name: LAYER_NORM_KERNEL,
  inputs: ['x', 'gamma', 'beta'],
  outputShapes: (shapes) => [shapes[0]],
  run([x, gamma, beta], [y], shapes, attrs) {
    const [rows, d] = rowsAndDim(shapes[0]);
    const eps = attrs.eps as number;
    for (let r = 0, base = 0; r < rows; r++, base += d) {
      const [mean, rstd] = rowStats(x, base, d, eps);
      for (let j = 0; j < d; j++) y[base + j] = (x[base + j] - mean) * rstd * gamma[j] + beta[j];
    }
  },
};

const backward: JsKernel = {
  name: GRAD_KERNEL,
  inputs: ['dy', 'x', 'gamma'],
  outputShapes: (shapes) => [shapes[1], shapes[2], shapes[2]],
  run([dy, x, gamma], [dx, dgamma, dbeta], shapes, attrs) {
    const [rows, d] = rowsAndDim(shapes[1]);
    const eps = attrs.eps as number;
    const dg = new Float64Array(d);
    const db = new Float64Array(d);
    for (let r = 0, base = 0; r < rows; r++, base += d) {
      const [mean, rstd] = rowStats(x, base, d, eps);
      let sumG = 0;
      let sumGX = 0;
      for (let j = 0; j < d; j++) {
        const xhat = (x[base + j] - mean) * rstd;
        const g = dy[base + j] * gamma[j];
        sumG += g;
        sumGX += g * xhat;
        dg[j] += dy[base + j] * xhat;
        db[j] += dy[base + j];
      }
      const mG = sumG / d;
      const mGX = sumGX / d;
      for (let j = 0; j < d; j++) {
        const xhat = (x[base + j] - mean) * rstd;
        dx[base + j] = rstd * (dy[base + j] * gamma[j] - mG - xhat * mGX);
      }
    }
    dgamma.set(dg);
    dbeta.set(db);
  },
};

let ready = false;
function register(): void {
  if (ready) return;
  ready = true;
  registerJsKernels([forward, backward], [
    {
      kernelName: LAYER_NORM_KERNEL,
      inputsToSave: ['x', 'gamma'],
      gradFunc: (dy, saved, attrs) => {
        const [x, gamma] = saved;
        // One backward kernel for all three gradients, run here (not inside a
        // per-input closure, whose tidy would free the other two outputs).
        const [dx, dgamma, dbeta] = runFused(GRAD_KERNEL, { dy: dy as tf.Tensor, x, gamma }, attrs) as tf.Tensor[];
        return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
      },
    },
  ]);
}

/** The same normalisation in ordinary tfjs ops (other backends, and the tests' reference). */
export function layerNormUnfused(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const centred = tf.sub(x, tf.mean(x, axis, true));
    const variance = tf.mean(tf.square(centred), axis, true);
    const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normed, gamma), beta);
  });
}

/**
 * Layer norm of x [..., D] with gamma, beta [D] (float32). Shapes are the
 * caller's to check (LayerNorm does); eps > 0.
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  register();
  if (!canFuse(LAYER_NORM_KERNEL) || x.dtype !== 'float32' || x.size === 0) return layerNormUnfused(x, gamma, beta, eps);
  return runFused(LAYER_NORM_KERNEL, { x, gamma, beta }, { eps }) as tf.Tensor;
}
