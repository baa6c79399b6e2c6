/**
 * Fused causal scaled dot-product attention (Vaswani et al. 2017, eq. 1, with
 * a causal mask): for every batch entry b and head h,
 *   S = scale Q K^T,  P = softmax over the visible keys j (j <= i, and not padding),  O = P V,
 * scale = 1/sqrt(d) by default. One kernel forward (which also returns the
 * row log-sum-exp L = log sum_j exp S_ij), one backward that recomputes
 * P = exp(S - L) instead of keeping it, as FlashAttention does (Dao et al.
 * 2022, Alg. 2):
 *   dV = P^T dO,  dP = dO V^T,  dS = P (dP - rowsum(dO O)),  dQ = scale dS K,  dK = scale dS^T Q.
 * Keys after i and padded keys cost nothing (the loops skip them).
 *
 * Layouts: 'bhtd' takes q, k, v [B, H, T, d] (the textbook form); 'bthd'
 * takes [B, T, H, d], i.e. a Dense output [B, T, H*d] reshaped, and returns
 * that layout, so the head split and merge need no transposes.
 *
 * A query row with no visible key (every key j <= i padded) returns zeros
 * (and passes no gradient). The unfused composition with additive -1e9 masks
 * would average some other keys' values there instead; the two agree on
 * every row that has a visible key.
 */
import * as tf from '@tensorflow/tfjs';
import { simdKernelsFor } from '../backend/simd-kernels.js';
import { canFuse, registerJsKernels, runFused, type JsKernel, type WasmContext } from './fused-kernel.js';

export const CAUSAL_ATTENTION_KERNEL = 'PaperkitCausalAttention';
export const CAUSAL_ATTENTION_MASKED_KERNEL = 'PaperkitCausalAttentionMasked';
const GRAD_KERNEL = 'PaperkitCausalAttentionGrad';
const MASKED_GRAD_KERNEL = 'PaperkitCausalAttentionMaskedGrad';

export type AttentionLayout = 'bhtd' | 'bthd';

interface Dims {
  b: number;
  h: number;
  t: number;
  d: number;
  /** Offset of (batch, head, t = 0), and the step from one t to the next. */
  base(batch: number, head: number): number;
  tStride: number;
}

function dims(shape: number[], layout: string): Dims {
  if (layout === 'bthd') {
    const [b, t, h, d] = shape;
    return { b, h, t, d, tStride: h * d, base: (batch, head) => (batch * t * h + head) * d };
  }
  const [b, h, t, d] = shape;
  return { b, h, t, d, tStride: d, base: (batch, head) => (batch * h + head) * t * d };
}

type Arr = ArrayLike<number> & { [i: number]: number };

function attentionForward(q: Arr, k: Arr, v: Arr, mask: Arr | null, o: Arr, lse: Arr, shape: number[], attrs: tf.NamedAttrMap): void {
  const { b: B, h: H, t: T, d, base, tStride } = dims(shape, attrs.layout as string);
  const scale = attrs.scale as number;
  const p = new Float64Array(T);
  const acc = new Float64Array(d);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const off = base(b, h);
      for (let i = 0; i < T; i++) {
        const qi = off + i * tStride;
        let m = -Infinity;
        for (let j = 0; j <= i; j++) {
          if (mask !== null && mask[b * T + j] === 0) {
            p[j] = -Infinity;
            continue;
          }
          const kj = off + j * tStride;
          let s = 0;
          for (let c = 0; c < d; c++) s += q[qi + c] * k[kj + c];
          s *= scale;
          p[j] = s;
          if (s > m) m = s;
        }
        const row = (b * H + h) * T + i;
        if (m === -Infinity) {
          lse[row] = Infinity; // no visible key: output stays zero
          continue;
        }
        let l = 0;
        acc.fill(0);
        for (let j = 0; j <= i; j++) {
          if (p[j] === -Infinity) continue;
          const w = Math.exp(p[j] - m);
          l += w;
          const vj = off + j * tStride;
          for (let c = 0; c < d; c++) acc[c] += w * v[vj + c];
        }
        const inv = 1 / l;
        for (let c = 0; c < d; c++) o[qi + c] = acc[c] * inv;
        lse[row] = m + Math.log(l);
      }
    }
  }
}

function attentionBackward(
  dO: Arr, q: Arr, k: Arr, v: Arr, o: Arr, lse: Arr, mask: Arr | null,
  dq: Arr, dk: Arr, dv: Arr, shape: number[], attrs: tf.NamedAttrMap,
): void {
  const { b: B, h: H, t: T, d, base, tStride } = dims(shape, attrs.layout as string);
  const scale = attrs.scale as number;
  const dkAcc = new Float64Array(T * d);
  const dvAcc = new Float64Array(T * d);
  const dqAcc = new Float64Array(d);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const off = base(b, h);
      dkAcc.fill(0);
      dvAcc.fill(0);
      for (let i = 0; i < T; i++) {
        const L = lse[(b * H + h) * T + i];
        if (L === Infinity) continue;
        const qi = off + i * tStride;
        let D = 0;
        for (let c = 0; c < d; c++) D += dO[qi + c] * o[qi + c];
        dqAcc.fill(0);
        for (let j = 0; j <= i; j++) {
          if (mask !== null && mask[b * T + j] === 0) continue;
          const kj = off + j * tStride;
          let s = 0;
          let dp = 0;
          for (let c = 0; c < d; c++) {
            s += q[qi + c] * k[kj + c];
            dp += dO[qi + c] * v[kj + c];
          }
          const pij = Math.exp(s * scale - L);
          const ds = pij * (dp - D) * scale;
          const r = j * d;
          for (let c = 0; c < d; c++) {
            dvAcc[r + c] += pij * dO[qi + c];
            dqAcc[c] += ds * k[kj + c];
            dkAcc[r + c] += ds * q[qi + c];
          }
        }
        for (let c = 0; c < d; c++) dq[qi + c] = dqAcc[c];
      }
      for (let j = 0; j < T; j++) {
        const kj = off + j * tStride;
        for (let c = 0; c < d; c++) {
          dk[kj + c] = dkAcc[j * d + c];
          dv[kj + c] = dvAcc[j * d + c];
        }
      }
    }
  }
}

const lseShape = (shape: number[], layout: string): number[] => {
  const { b, h, t } = dims(shape, layout);
  return [b, h, t];
};

/**
 * The wasm path: the products run in the backend's wasm SIMD batched GEMM
 * (../backend/simd-kernels.ts, `bmm`, rows of the output four lanes at a
 * time) over all B*H heads at once and the exps in its SIMD exp, on scratch
 * buffers in the wasm heap; the masking, row sums and layout copies are JS
 * loops. The key axis is padded to Tp, a multiple of 4 (the GEMM's output
 * width), with zero keys that the mask hides. Needs d to be a multiple of 4.
 */
function headsIn(src: Arr, dst: Float32Array, g: Dims, rowsPadded: number): void {
  // dst [BH, rowsPadded, d] <- src (rows beyond T stay as they are: zero)
  const { b: B, h: H, t: T, d } = g;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const off = g.base(b, h);
      const out = (b * H + h) * rowsPadded * d;
      for (let t = 0; t < T; t++) {
        const s = off + t * g.tStride;
        const o = out + t * d;
        for (let c = 0; c < d; c++) dst[o + c] = src[s + c];
      }
    }
  }
}

function headsInTransposed(src: Arr, dst: Float32Array, g: Dims, tp: number): void {
  // dst [BH, d, tp] <- src^T per head (columns beyond T stay zero)
  const { b: B, h: H, t: T, d } = g;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const off = g.base(b, h);
      const out = (b * H + h) * d * tp;
      for (let t = 0; t < T; t++) {
        const s = off + t * g.tStride;
        for (let c = 0; c < d; c++) dst[out + c * tp + t] = src[s + c];
      }
    }
  }
}

function headsOut(src: Float32Array, dst: Arr, g: Dims, rowsPadded: number): void {
  const { b: B, h: H, t: T, d } = g;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const off = g.base(b, h);
      const inp = (b * H + h) * rowsPadded * d;
      for (let t = 0; t < T; t++) {
        const o = off + t * g.tStride;
        const s = inp + t * d;
        for (let c = 0; c < d; c++) dst[o + c] = src[s + c];
      }
    }
  }
}

const ceil4 = (n: number) => (n + 3) & ~3;

/**
 * Exponent floor: exp(-87) is still a normal float (1.6e-38), so the SIMD exp
 * never computes subnormals (tens of times slower on x86); a probability
 * below it is negligible next to the row's largest, which is 1.
 */
const EXP_FLOOR = -87;

/**
 * Before the SIMD exp: S = Q K^T [BH, T, tp] becomes scale S - shift on the
 * visible keys (shift = the row max in the forward pass, written to lse, or
 * the saved log-sum-exp in the backward pass), floored at EXP_FLOOR, and 0 on
 * hidden keys (exp(0) is cheap; `zeroHidden` clears them after the exp).
 */
function maskedRows(S: Float32Array, g: Dims, tp: number, scale: number, mask: Arr | null, lse: Arr, given: boolean): void {
  const { b: B, h: H, t: T } = g;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      for (let i = 0; i < T; i++) {
        const row = (bh * T + i) * tp;
        let shift = given ? lse[bh * T + i] : -Infinity;
        if (!given) {
          for (let j = 0; j <= i; j++) {
            if (mask !== null && mask[b * T + j] === 0) continue;
            const v = S[row + j] * scale;
            if (v > shift) shift = v;
          }
          lse[bh * T + i] = shift === -Infinity ? Infinity : shift; // the forward pass adds log(sum) after the exps
        }
        if (shift === Infinity || shift === -Infinity) {
          S.fill(0, row, row + tp);
          continue;
        }
        for (let j = 0; j <= i; j++) {
          const v = S[row + j] * scale - shift;
          S[row + j] = v > EXP_FLOOR ? v : EXP_FLOOR;
        }
        if (mask !== null) for (let j = 0; j <= i; j++) if (mask[b * T + j] === 0) S[row + j] = 0;
        S.fill(0, row + i + 1, row + tp);
      }
    }
  }
}

/** After the exp: hidden keys (and rows without a visible key) back to exactly 0. */
function zeroHidden(P: Float32Array, g: Dims, tp: number, mask: Arr | null, lse: Arr): void {
  const { b: B, h: H, t: T } = g;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      for (let i = 0; i < T; i++) {
        const row = (bh * T + i) * tp;
        if (lse[bh * T + i] === Infinity) {
          P.fill(0, row, row + tp);
          continue;
        }
        for (let j = i + 1; j < tp; j++) P[row + j] = 0;
        if (mask !== null) for (let j = 0; j <= i; j++) if (mask[b * T + j] === 0) P[row + j] = 0;
      }
    }
  }
}

function attentionForwardWasm(ctx: WasmContext, shape: number[], attrs: tf.NamedAttrMap, masked: boolean): boolean {
  const simd = simdKernelsFor(ctx.memory);
  const g = dims(shape, attrs.layout as string);
  if (simd === null || g.d % 4 !== 0) return false;
  const { b: B, h: H, t: T, d } = g;
  const BH = B * H;
  const tp = ceil4(T);
  const pQ = ctx.alloc(BH * T * d);
  const pKt = ctx.alloc(BH * d * tp);
  const pV = ctx.alloc(BH * tp * d);
  const pS = ctx.alloc(BH * T * tp);
  const pO = ctx.alloc(BH * T * d);
  const { data, out } = ctx.views();
  const Kt = ctx.at(pKt, BH * d * tp);
  const V = ctx.at(pV, BH * tp * d);
  Kt.fill(0);
  V.fill(0);
  headsIn(data[0], ctx.at(pQ, BH * T * d), g, T);
  headsInTransposed(data[1], Kt, g, tp);
  headsIn(data[2], V, g, tp);
  simd.bmm(pQ, pKt, pS, BH, T, d, tp);
  const S = ctx.at(pS, BH * T * tp);
  const lse = out[1];
  const mask = masked ? data[3] : null;
  maskedRows(S, g, tp, attrs.scale as number, mask, lse, false);
  simd.exp(pS, pS, BH * T * tp * 4);
  zeroHidden(S, g, tp, mask, lse);
  for (let r = 0; r < BH * T; r++) {
    if (lse[r] === Infinity) continue;
    const row = r * tp;
    let l = 0;
    for (let j = 0; j < tp; j++) l += S[row + j];
    const inv = 1 / l;
    for (let j = 0; j < tp; j++) S[row + j] *= inv;
    lse[r] += Math.log(l);
  }
  simd.bmm(pS, pV, pO, BH, T, tp, d);
  headsOut(ctx.at(pO, BH * T * d), out[0], g, T);
  return true;
}

/** The wasm backward pass (see attentionForwardWasm): P recomputed from the saved log-sum-exp, five SIMD GEMMs. */
function attentionBackwardWasm(ctx: WasmContext, shape: number[], attrs: tf.NamedAttrMap, masked: boolean): boolean {
  const simd = simdKernelsFor(ctx.memory);
  const g = dims(shape, attrs.layout as string);
  if (simd === null || g.d % 4 !== 0) return false;
  const { b: B, h: H, t: T, d } = g;
  const BH = B * H;
  const tp = ceil4(T);
  const scale = attrs.scale as number;
  const nTd = BH * T * d;
  const nPd = BH * tp * d;
  const nTT = BH * T * tp;
  const [pQ, pKt, pK, pVt, pdO, pP, pdP, pPT, pdST, pdQ, pdK, pdV] = [nTd, nPd, nPd, nPd, nTd, nTT, nTT, nTT, nTT, nTd, nPd, nPd].map((n) => ctx.alloc(n));
  const { data, out } = ctx.views();
  const [dO, q, k, v, o, lse] = data;
  const mask = masked ? data[6] : null;
  const Kt = ctx.at(pKt, nPd);
  const K = ctx.at(pK, nPd);
  const Vt = ctx.at(pVt, nPd);
  Kt.fill(0);
  K.fill(0);
  Vt.fill(0);
  const Q = ctx.at(pQ, nTd);
  const dOh = ctx.at(pdO, nTd);
  headsIn(q, Q, g, T);
  headsIn(dO, dOh, g, T);
  headsInTransposed(k, Kt, g, tp);
  headsIn(k, K, g, tp);
  headsInTransposed(v, Vt, g, tp);
  // P = exp(scale Q K^T - lse) on the visible keys, 0 elsewhere
  simd.bmm(pQ, pKt, pP, BH, T, d, tp);
  const P = ctx.at(pP, nTT);
  maskedRows(P, g, tp, scale, mask, lse, true);
  simd.exp(pP, pP, nTT * 4);
  zeroHidden(P, g, tp, mask, lse);
  // dP = dO V^T; dS = P (dP - rowsum(dO O)) scale, and both transposed for dK and dV
  simd.bmm(pdO, pVt, pdP, BH, T, d, tp);
  const dP = ctx.at(pdP, nTT);
  const PT = ctx.at(pPT, nTT);
  const dST = ctx.at(pdST, nTT);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const bh = b * H + h;
      const off = g.base(b, h);
      for (let i = 0; i < T; i++) {
        const qi = off + i * g.tStride;
        let D = 0;
        for (let c = 0; c < d; c++) D += dO[qi + c] * o[qi + c];
        const row = (bh * T + i) * tp;
        const colBase = bh * tp * T + i;
        for (let j = 0; j <= i; j++) {
          const p = P[row + j];
          const ds = p * (dP[row + j] - D) * scale;
          dP[row + j] = ds;
          PT[colBase + j * T] = p;
          dST[colBase + j * T] = ds;
        }
        for (let j = i + 1; j < tp; j++) {
          dP[row + j] = 0;
          PT[colBase + j * T] = 0;
          dST[colBase + j * T] = 0;
        }
      }
    }
  }
  simd.bmm(pdP, pK, pdQ, BH, T, tp, d); // dQ = dS K
  simd.bmm(pdST, pQ, pdK, BH, tp, T, d); // dK = dS^T Q
  simd.bmm(pPT, pdO, pdV, BH, tp, T, d); // dV = P^T dO
  headsOut(ctx.at(pdQ, nTd), out[0], g, T);
  headsOut(ctx.at(pdK, nPd), out[1], g, tp);
  headsOut(ctx.at(pdV, nPd), out[2], g, tp);
  return true;
}

const forward = (name: string, masked: boolean): JsKernel => ({
  name,
  inputs: masked ? ['q', 'k', 'v', 'keyMask'] : ['q', 'k', 'v'],
  outputShapes: (shapes, attrs) => [shapes[0], lseShape(shapes[0], attrs.layout as string)],
  run(data, [o, lse], shapes, attrs) {
    attentionForward(data[0], data[1], data[2], masked ? data[3] : null, o, lse, shapes[0], attrs);
  },
  runWasm: (ctx, shapes, attrs) => attentionForwardWasm(ctx, shapes[0], attrs, masked),
});

const backward = (name: string, masked: boolean): JsKernel => ({
  name,
  inputs: masked ? ['dy', 'q', 'k', 'v', 'o', 'lse', 'keyMask'] : ['dy', 'q', 'k', 'v', 'o', 'lse'],
  outputShapes: (shapes) => [shapes[1], shapes[1], shapes[1]],
  run(data, [dq, dk, dv], shapes, attrs) {
    attentionBackward(data[0], data[1], data[2], data[3], data[4], data[5], masked ? data[6] : null, dq, dk, dv, shapes[1], attrs);
  },
  runWasm: (ctx, shapes, attrs) => attentionBackwardWasm(ctx, shapes[1], attrs, masked),
});

let ready = false;
function register(): void {
  if (ready) return;
  ready = true;
  const grad = (gradKernel: string, masked: boolean): tf.GradConfig['gradFunc'] => (dys, saved, attrs) => {
    const [q, k, v, ...rest] = saved;
    const keyMask = masked ? rest[0] : null;
    const [o, lse] = masked ? rest.slice(1) : rest;
    // dys = [dO, dLse]; the log-sum-exp is an internal output (never used downstream).
    const dO = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
    const inputs: tf.NamedTensorMap = { dy: dO, q, k, v, o, lse };
    if (keyMask) inputs.keyMask = keyMask;
    const [dq, dk, dv] = runFused(gradKernel, inputs, attrs) as tf.Tensor[];
    const out: Record<string, () => tf.Tensor> = { q: () => dq, k: () => dk, v: () => dv };
    if (keyMask) out.keyMask = () => tf.zerosLike(keyMask);
    return out;
  };
  registerJsKernels(
    [forward(CAUSAL_ATTENTION_KERNEL, false), forward(CAUSAL_ATTENTION_MASKED_KERNEL, true), backward(GRAD_KERNEL, false), backward(MASKED_GRAD_KERNEL, true)],
    [
      { kernelName: CAUSAL_ATTENTION_KERNEL, inputsToSave: ['q', 'k', 'v'], outputsToSave: [true, true], gradFunc: grad(GRAD_KERNEL, false) },
      { kernelName: CAUSAL_ATTENTION_MASKED_KERNEL, inputsToSave: ['q', 'k', 'v', 'keyMask'], outputsToSave: [true, true], gradFunc: grad(MASKED_GRAD_KERNEL, true) },
    ],
  );
}

export interface CausalAttentionOptions {
  /** 'bhtd' (default): q, k, v [B, H, T, d]; 'bthd': [B, T, H, d]. The output has the same layout. */
  layout?: AttentionLayout;
  /** Key padding mask [B, T]: 1 = token, 0 = padding (never attended to). Build it outside the taped function. */
  keyMask?: tf.Tensor;
  /** Multiplies the scores; default 1/sqrt(d). */
  scale?: number;
  /**
   * 'auto' (default): the fused kernel where it is the faster choice (the cpu
   * backend), the composition on wasm, where tfjs's SIMD batched products and
   * exp beat this kernel's JS glue at our sizes (docs/performance.md, round 3);
   * 'fused' or 'unfused' force one (the kernel runs wherever it is registered).
   */
  implementation?: 'auto' | 'fused' | 'unfused';
}

/** Backends on which 'auto' runs the fused kernel (measured: docs/performance.md, round 3). */
const AUTO_FUSED_BACKENDS = new Set(['cpu']);

const MASKED = -1e9;

/** The same attention in ordinary tfjs ops with additive -1e9 masks (other backends, and the tests' reference). */
export function causalAttentionUnfused(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, options: CausalAttentionOptions = {}): tf.Tensor {
  const layout = options.layout ?? 'bhtd';
  return tf.tidy(() => {
    const toBhtd = (x: tf.Tensor) => (layout === 'bthd' ? tf.transpose(x, [0, 2, 1, 3]) : x) as tf.Tensor4D;
    const [qh, kh, vh] = [toBhtd(q), toBhtd(k), toBhtd(v)];
    const [b, , t, d] = qh.shape;
    const causal = new Float32Array(t * t);
    for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) causal[i * t + j] = MASKED;
    let additive: tf.Tensor = tf.tensor2d(causal, [t, t]);
    if (options.keyMask) {
      const padding = tf.mul(tf.sub(1, tf.cast(options.keyMask, 'float32')), MASKED);
      additive = tf.add(additive, tf.reshape(padding, [b, 1, 1, t]));
    }
    const scores = tf.add(tf.mul(tf.matMul(qh, kh, false, true), options.scale ?? 1 / Math.sqrt(d)), additive);
    const context = tf.matMul(tf.softmax(scores, -1) as tf.Tensor4D, vh);
    return layout === 'bthd' ? tf.transpose(context, [0, 2, 1, 3]) : context;
  });
}

/** Whether causalAttention runs the fused kernel on the active backend (with a key mask or without). */
export function causalAttentionFuses(masked: boolean, implementation: CausalAttentionOptions['implementation'] = 'auto'): boolean {
  register();
  if (implementation === 'unfused' || (implementation === 'auto' && !AUTO_FUSED_BACKENDS.has(tf.getBackend()))) return false;
  return canFuse(masked ? CAUSAL_ATTENTION_MASKED_KERNEL : CAUSAL_ATTENTION_KERNEL);
}

/**
 * Causal attention of q, k, v (float32, equal shapes, see `layout`); returns
 * the attended values in the same layout. Shapes are the caller's to check.
 */
export function causalAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, options: CausalAttentionOptions = {}): tf.Tensor {
  const layout = options.layout ?? 'bhtd';
  const kernel = options.keyMask ? CAUSAL_ATTENTION_MASKED_KERNEL : CAUSAL_ATTENTION_KERNEL;
  if (!causalAttentionFuses(options.keyMask !== undefined, options.implementation) || q.dtype !== 'float32' || q.size === 0) {
    return causalAttentionUnfused(q, k, v, options);
  }
  const scale = options.scale ?? 1 / Math.sqrt(q.shape[3] as number);
  const inputs: tf.NamedTensorMap = { q, k, v };
  let mask: tf.Tensor | null = null;
  if (options.keyMask) {
    mask = options.keyMask.dtype === 'float32' ? options.keyMask : tf.cast(options.keyMask, 'float32');
    inputs.keyMask = mask;
  }
  const [out, lse] = runFused(kernel, inputs, { layout, scale }) as tf.Tensor[];
  lse.dispose(); // kept by the tape when gradients are recorded
  if (mask && mask !== options.keyMask) mask.dispose();
  return out;
}
