/**
 * Fused softmax cross-entropy from logits z [B, C], mean over the batch:
 *   dense labels y [B, C]:  L = (1/B) sum_i sum_c y_ic (lse_i - z_ic),  lse_i = log sum_c exp z_ic
 *   sparse labels t [B]:    L = (1/B) sum_i (lse_i - z_i,t_i)
 * with the log-sum-exp shifted by the row max (no overflow). Gradients, for
 * an upstream scalar g:
 *   dz_ic = (g/B) (softmax(z_i)_c sum_c' y_ic' - y_ic),  dy_ic = (g/B) (lse_i - z_ic)
 * (dense; the sparse form has y = onehot(t), and a label outside [0, C)
 * contributes nothing, as its all-zero one-hot row would). The forward kernel
 * also returns softmax(z) (its exps in the backend's wasm SIMD exp on wasm),
 * which the backward kernels reuse instead of computing exps again.
 */
import * as tf from '@tensorflow/tfjs';
import { simdKernelsFor } from '../backend/simd-kernels.js';
import { canFuse, registerJsKernels, runFused, type JsKernel } from './fused-kernel.js';

export const SOFTMAX_CE_KERNEL = 'PaperkitSoftmaxCrossEntropy';
export const SPARSE_SOFTMAX_CE_KERNEL = 'PaperkitSparseSoftmaxCrossEntropy';
const GRAD_KERNEL = 'PaperkitSoftmaxCrossEntropyGrad';
const LABELS_GRAD_KERNEL = 'PaperkitSoftmaxCrossEntropyLabelsGrad';
const SPARSE_GRAD_KERNEL = 'PaperkitSparseSoftmaxCrossEntropyGrad';

/** exp(-87) = 1.6e-38, still a normal float. */
const EXP_FLOOR = -87;

/**
 * softmax(z) row by row into p, and the per-row log-sum-exp into lse. On wasm
 * the exps run in wasm SIMD over the whole [B, C] block at once (the backend's
 * exp kernel, in place), else Math.exp.
 */
function softmaxRows(z: ArrayLike<number>, p: Float32Array, lse: Float64Array, b: number, c: number, exp: ((n: number) => void) | null): void {
  const max = new Float64Array(b);
  for (let i = 0, base = 0; i < b; i++, base += c) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) if (z[base + j] > m) m = z[base + j];
    max[i] = m;
    // Below EXP_FLOOR the probability is under 1e-38 and set to 0 after the exp (which then sees 0: the
    // SIMD exp is tens of times slower on subnormal results). A row of -Infinity, or with +Infinity, keeps
    // tfjs's NaN behaviour.
    for (let j = 0; j < c; j++) {
      const d = z[base + j] - m;
      p[base + j] = d < EXP_FLOOR ? 0 : d;
    }
  }
  if (exp) exp(b * c);
  else for (let i = 0; i < b * c; i++) p[i] = Math.exp(p[i]);
  for (let i = 0, base = 0; i < b; i++, base += c) {
    let s = 0;
    const m = max[i];
    for (let j = 0; j < c; j++) {
      if (z[base + j] - m < EXP_FLOOR) p[base + j] = 0;
      s += p[base + j];
    }
    const inv = 1 / s;
    for (let j = 0; j < c; j++) p[base + j] *= inv;
    lse[i] = max[i] + Math.log(s);
  }
}

/** The mean loss from the log-sum-exps (dense labels y [B, C], or class ids t [B]). */
function meanLoss(z: ArrayLike<number>, labels: ArrayLike<number>, lse: Float64Array, b: number, c: number, sparse: boolean): number {
  let total = 0;
  for (let i = 0, base = 0; i < b; i++, base += c) {
    if (sparse) {
      const t = labels[i];
      if (t >= 0 && t < c) total += lse[i] - z[base + t];
    } else {
      for (let j = 0; j < c; j++) if (labels[base + j] !== 0) total += labels[base + j] * (lse[i] - z[base + j]);
    }
  }
  return total / b;
}

/** Forward kernels: [loss, softmax(z)]; the probabilities are kept for the backward pass. */
const forward = (name: string, sparse: boolean): JsKernel => ({
  name,
  inputs: ['logits', 'labels'],
  outputShapes: (shapes) => [[], shapes[0]],
  run([z, labels], [loss, p], shapes) {
    const [b, c] = shapes[0];
    const lse = new Float64Array(b);
    softmaxRows(z, p, lse, b, c, null);
    loss[0] = meanLoss(z, labels, lse, b, c, sparse);
  },
  runWasm(ctx, shapes) {
    const simd = simdKernelsFor(ctx.memory);
    if (simd === null) return false;
    const [b, c] = shapes[0];
    const { data, out } = ctx.views();
    const lse = new Float64Array(b);
    const pPtr = ctx.outputs[1];
    softmaxRows(data[0], out[1], lse, b, c, (n) => {
      const bulk = n - (n % 4);
      if (bulk > 0) simd.exp(pPtr, pPtr, bulk * 4);
      for (let i = bulk; i < n; i++) out[1][i] = Math.exp(out[1][i]);
    });
    out[0][0] = meanLoss(data[0], data[1], lse, b, c, sparse);
    return true;
  },
});

/** dz = (g/B) (p sum(y) - y), from the saved probabilities. */
const denseGrad: JsKernel = {
  name: GRAD_KERNEL,
  inputs: ['dy', 'probs', 'labels'],
  outputShapes: (shapes) => [shapes[1]],
  run([dy, p, y], [dz], shapes) {
    const [b, c] = shapes[1];
    const g = dy[0] / b;
    for (let i = 0, base = 0; i < b; i++, base += c) {
      let mass = 0;
      for (let j = 0; j < c; j++) mass += y[base + j];
      for (let j = 0; j < c; j++) dz[base + j] = g * (p[base + j] * mass - y[base + j]);
    }
  },
};

/** dy = (g/B) (lse - z) = -(g/B) log p: the labels' gradient, only computed when labels are on the taped path. */
const labelsGrad: JsKernel = {
  name: LABELS_GRAD_KERNEL,
  inputs: ['dy', 'probs'],
  outputShapes: (shapes) => [shapes[1]],
  run([dy, p], [dl], shapes) {
    const g = dy[0] / shapes[1][0];
    for (let i = 0; i < p.length; i++) dl[i] = -g * Math.log(p[i]);
  },
};

/** dz = (g/B) (p - onehot(t)); rows with a label outside [0, C) stay zero. */
const sparseGrad: JsKernel = {
  name: SPARSE_GRAD_KERNEL,
  inputs: ['dy', 'probs', 'labels'],
  outputShapes: (shapes) => [shapes[1]],
  run([dy, p, t], [dz], shapes) {
    const [b, c] = shapes[1];
    const g = dy[0] / b;
    for (let i = 0, base = 0; i < b; i++, base += c) {
      const label = t[i];
      if (!(label >= 0 && label < c)) continue;
      for (let j = 0; j < c; j++) dz[base + j] = g * p[base + j];
      dz[base + label] -= g;
    }
  },
};

let ready = false;
function register(): void {
  if (ready) return;
  ready = true;
  registerJsKernels([forward(SOFTMAX_CE_KERNEL, false), forward(SPARSE_SOFTMAX_CE_KERNEL, true), denseGrad, labelsGrad, sparseGrad], [
    {
      kernelName: SOFTMAX_CE_KERNEL,
      inputsToSave: ['labels'],
      outputsToSave: [false, true],
      gradFunc: (dys, [labels, probs]) => {
        const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
        return {
          logits: () => runFused(GRAD_KERNEL, { dy, probs, labels }) as tf.Tensor,
          labels: () => runFused(LABELS_GRAD_KERNEL, { dy, probs }) as tf.Tensor,
        };
      },
    },
    {
      kernelName: SPARSE_SOFTMAX_CE_KERNEL,
      inputsToSave: ['labels'],
      outputsToSave: [false, true],
      gradFunc: (dys, [labels, probs]) => {
        const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
        return {
          logits: () => runFused(SPARSE_GRAD_KERNEL, { dy, probs, labels }) as tf.Tensor,
          // Integer class ids are never on a differentiable path.
          labels: () => tf.zeros(labels.shape, 'float32'),
        };
      },
    },
  ]);
}

/** -mean_i sum_c y_ic log softmax(z_i)_c in ordinary tfjs ops (other backends, and the tests' reference). */
export function softmaxCrossEntropyUnfused(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.cast(labels, 'float32'), tf.logSoftmax(logits, -1)), -1))) as tf.Scalar);
}

/** Dense labels [B, C] (float32; one-hot or any distribution) and logits [B, C]; shapes are the caller's to check. */
export function fusedSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  register();
  if (!canFuse(SOFTMAX_CE_KERNEL) || logits.dtype !== 'float32' || logits.size === 0) return softmaxCrossEntropyUnfused(labels, logits);
  const y = labels.dtype === 'float32' ? labels : tf.cast(labels, 'float32');
  const [loss, probs] = runFused(SOFTMAX_CE_KERNEL, { logits, labels: y }) as tf.Tensor[];
  probs.dispose(); // kept by the tape when gradients are recorded
  if (y !== labels) y.dispose();
  return loss as tf.Scalar;
}

/** Integer labels [B] (int32 class ids) and logits [B, C]. */
export function fusedSparseSoftmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  register();
  const c = logits.shape[1] as number;
  if (!canFuse(SPARSE_SOFTMAX_CE_KERNEL) || logits.dtype !== 'float32' || logits.size === 0) {
    return tf.tidy(() => softmaxCrossEntropyUnfused(tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, c, 1, 0, 'float32'), logits));
  }
  const ids = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
  const [loss, probs] = runFused(SPARSE_SOFTMAX_CE_KERNEL, { logits, labels: ids }) as tf.Tensor[];
  probs.dispose();
  if (ids !== labels) ids.dispose();
  return loss as tf.Scalar;
}
