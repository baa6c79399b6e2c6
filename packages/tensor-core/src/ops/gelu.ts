/**
 * Fused GELU, the exact erf form (Hendrycks & Gimpel 2016; PyTorch's default nn.GELU()):
 *   gelu(x) = x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)),
 *   gelu'(x) = Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
 * One kernel forward, which also writes y' while gradients are recorded, and
 * one multiplication backward (the unfused form is five kernels forward and
 * about ten backward). On wasm the kernel runs in wasm SIMD (./simd-gelu.ts);
 * on cpu it is a JS loop with `erf` below in double precision.
 */
import * as tf from '@tensorflow/tfjs';
import { canFuse, recordingGradients, registerJsKernels, runFused, type JsKernel } from './fused-kernel.js';
import { simdGeluFor } from './simd-gelu.js';

export const GELU_KERNEL = 'PaperkitGelu';

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_2PI = 0.3989422804014327;

/**
 * erfc(z) for z >= 0 from Numerical Recipes' Chebyshev fit (fractional error
 * below 1.2e-7 everywhere), given e = exp(-z^2).
 */
function erfcPositive(z: number, e: number): number {
  const t = 1 / (1 + 0.5 * z);
  const p =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * e * Math.exp(p);
}

/**
 * erf(x) accurate to float32: the Maclaurin series (2/sqrt pi) sum (-1)^n x^(2n+1) / (n! (2n+1))
 * for |x| < 1 (13 terms: relative error below 1e-10), and 1 - erfc(|x|) above,
 * where erfc <= 0.16 and its 1.2e-7 fractional error is below 2e-8 absolute,
 * a third of a float32 ulp of erf there. `e` = exp(-x^2) when the caller has it.
 */
export function erf(x: number, e = Math.exp(-x * x)): number {
  const a = Math.abs(x);
  if (a < 1) {
    const x2 = x * x;
    // coefficients (-1)^n / (n! (2n+1)), n = 0..12, in Horner form
    let s = ERF_SERIES[12];
    for (let n = 11; n >= 0; n--) s = s * x2 + ERF_SERIES[n];
    return TWO_OVER_SQRT_PI * x * s;
  }
  const r = 1 - erfcPositive(a, e);
  return x < 0 ? -r : r;
}

/** (-1)^n / (n! (2n + 1)) for n = 0..12. */
const ERF_SERIES: Float64Array = (() => {
  const c = new Float64Array(13);
  let fact = 1;
  for (let n = 0; n < 13; n++) {
    if (n > 0) fact *= n;
    c[n] = (n % 2 === 0 ? 1 : -1) / (fact * (2 * n + 1));
  }
  return c;
})();

/**
 * Forward: y and, when gradients are being recorded, y' = Phi(x) + x phi(x)
 * (so the backward pass is one multiplication, dy y').
 */
const forward: JsKernel = {
  name: GELU_KERNEL,
  inputs: ['x'],
  outputShapes: (shapes, attrs) => [shapes[0], attrs.withDerivative ? shapes[0] : [0]],
  run([x], [y, dydx], _shapes, attrs) {
    const withDerivative = attrs.withDerivative as boolean;
    geluRange(x, y, dydx, 0, x.length, withDerivative);
  },
  runWasm(ctx, shapes, attrs) {
    const simd = simdGeluFor(ctx.memory);
    if (simd === null) return false;
    const n = tf.util.sizeFromShape(shapes[0]);
    const bulk = n - (n % 4);
    const withDerivative = attrs.withDerivative as boolean;
    if (bulk > 0) simd.gelu(ctx.inputs[0], ctx.outputs[0], ctx.outputs[1], bulk * 4, withDerivative ? 1 : 0);
    if (bulk < n) {
      const { data, out } = ctx.views();
      geluRange(data[0], out[0], out[1], bulk, n, withDerivative);
    }
    return true;
  },
};

/** Phi(x) from u = x / sqrt 2 and e = exp(-u^2), using erfc in the negative tail (no cancellation in 1 + erf). */
function phi(u: number, e: number): number {
  if (u > -1) return 0.5 * (1 + erf(u, e));
  return 0.5 * erfcPositive(-u, e);
}

function geluRange(x: ArrayLike<number>, y: Float32Array, dydx: Float32Array, from: number, to: number, withDerivative: boolean): void {
  for (let i = from; i < to; i++) {
    const v = x[i];
    const u = v * Math.SQRT1_2;
    const e = Math.exp(-u * u); // exp(-x^2 / 2), shared by erf and the density
    const p = phi(u, e);
    y[i] = v * p;
    if (withDerivative) dydx[i] = p + v * INV_SQRT_2PI * e;
  }
}

let ready = false;
function register(): void {
  if (ready) return;
  ready = true;
  registerJsKernels([forward], [
    {
      kernelName: GELU_KERNEL,
      outputsToSave: [false, true],
      gradFunc: (dy, saved) => {
        const dydx = saved[0];
        return { x: () => tf.mul(Array.isArray(dy) ? dy[0] : dy, dydx) };
      },
    },
  ]);
}

/** 0.5 x (1 + erf(x / sqrt 2)) in ordinary tfjs ops (tf.erf). */
export function geluUnfused(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** GELU (erf form) of a float32 tensor. */
export function fusedGelu(x: tf.Tensor): tf.Tensor {
  register();
  if (!canFuse(GELU_KERNEL) || x.dtype !== 'float32' || x.size === 0) return geluUnfused(x);
  const [y, dydx] = runFused(GELU_KERNEL, { x }, { withDerivative: recordingGradients() }) as tf.Tensor[];
  dydx.dispose(); // kept by the tape when gradients are recorded
  return y;
}
