/**
 * Fused layer normalisation over the last axis (Ba et al. 2016):
 *   y = (x - mean) / sqrt(var + eps) * gamma + beta      (biased variance)
 * One kernel forward (which also keeps each row's mean and rstd), one
 * backward. With xhat = (x - mean) rstd and g = dy gamma, per row of width D
 *   dx = rstd (g - mean(g) - xhat mean(g xhat)),  dgamma = sum_rows dy xhat,  dbeta = sum_rows dy.
 */
import * as tf from '@tensorflow/tfjs';
import { canFuse, registerJsKernels, rowsAndDim, runFused, type JsKernel } from './fused-kernel.js';

export const LAYER_NORM_KERNEL = 'PaperkitLayerNorm';
const GRAD_KERNEL = 'PaperkitLayerNormGrad';

const forward: JsKernel = {
  name: LAYER_NORM_KERNEL,
  inputs: ['x', 'gamma', 'beta'],
  // y, and per row [mean, rstd] for the backward pass
  outputShapes: (shapes) => [shapes[0], [rowsAndDim(shapes[0])[0], 2]],
  run([x, gamma, beta], [y, stats], shapes, attrs) {
    const [rows, d] = rowsAndDim(shapes[0]);
    const eps = attrs.eps as number;
    for (let r = 0, base = 0; r < rows; r++, base += d) {
      // one pass in double precision: var = E[x^2] - mean^2 loses nothing a float32 input can show
      let s = 0;
      let s2 = 0;
      for (let j = 0; j < d; j++) {
        const v = x[base + j];
        s += v;
        s2 += v * v;
      }
      const mean = s / d;
      const rstd = 1 / Math.sqrt(Math.max(s2 / d - mean * mean, 0) + eps);
      stats[2 * r] = mean;
      stats[2 * r + 1] = rstd;
      for (let j = 0; j < d; j++) y[base + j] = (x[base + j] - mean) * rstd * gamma[j] + beta[j];
    }
  },
};

const backward: JsKernel = {
  name: GRAD_KERNEL,
  inputs: ['dy', 'x', 'gamma', 'stats'],
  outputShapes: (shapes) => [shapes[1], shapes[2], shapes[2]],
  run([dy, x, gamma, stats], [dx, dgamma, dbeta], shapes) {
    const [rows, d] = rowsAndDim(shapes[1]);
    const dg = new Float64Array(d);
    const db = new Float64Array(d);
    for (let r = 0, base = 0; r < rows; r++, base += d) {
      const mean = stats[2 * r];
      const rstd = stats[2 * r + 1];
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
      for (let j = 0; j < d; j++) dx[base + j] = rstd * (dy[base + j] * gamma[j] - mG - (x[base + j] - mean) * rstd * mGX);
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
      outputsToSave: [false, true],
      gradFunc: (dys, saved) => {
        const [x, gamma, stats] = saved;
        const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
        // One backward kernel for all three gradients, run here (not inside a
        // per-input closure, whose tidy would free the other two outputs).
        const [dx, dgamma, dbeta] = runFused(GRAD_KERNEL, { dy, x, gamma, stats }) as tf.Tensor[];
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
  const [y, stats] = runFused(LAYER_NORM_KERNEL, { x, gamma, beta }, { eps }) as tf.Tensor[];
  stats.dispose(); // kept by the tape when gradients are recorded
  return y;
}
