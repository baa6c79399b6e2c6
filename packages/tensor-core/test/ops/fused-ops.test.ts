/**
 * Every fused op must equal its unfused composition of ordinary tfjs ops
 * within 1e-5 (relative to the largest magnitude compared), on values and on
 * the gradients of every input, over random shapes, on wasm (with and without
 * tensor-core's fast wasm kernels underneath) and on cpu, and must not leak.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFastWasmKernels, unregisterFastWasmKernels } from '../../src/backend/fast-wasm-kernels.js';
import { causalAttention, causalAttentionUnfused, type AttentionLayout } from '../../src/ops/causal-attention.js';
import { canFuse, setFusedOps } from '../../src/ops/fused-kernel.js';
import { erf, fusedGelu, geluUnfused } from '../../src/ops/gelu.js';
import { layerNorm, layerNormUnfused } from '../../src/ops/layer-norm.js';
import { rmsNorm, rmsNormUnfused } from '../../src/ops/rms-norm.js';
import {
  fusedSoftmaxCrossEntropy,
  fusedSparseSoftmaxCrossEntropy,
  softmaxCrossEntropyUnfused,
} from '../../src/ops/softmax-cross-entropy.js';

/** Deterministic values in [lo, hi) (an LCG). */
function values(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  return out;
}
const ints = (n: number, k: number, seed: number) => Int32Array.from(values(n, seed, 0, 1), (u) => Math.min(k - 1, Math.floor(u * k)));
const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** max |a - b| / max(1, max |b|) over all entries. */
function relErr(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return diff / scale;
}

/**
 * Value and gradients (of sum(out * w) for a fixed random w, so every output
 * entry matters) with respect to `inputs`, fused and unfused; returns the
 * worst relative error. Fused kernels must actually run (checked by name).
 */
function compare(
  kernel: string,
  inputs: tf.Tensor[],
  fused: (...xs: tf.Tensor[]) => tf.Tensor,
  unfused: (...xs: tf.Tensor[]) => tf.Tensor,
  seed: number,
): number {
  tf.tidy(() => fused(...inputs)); // registers the kernels
  expect(canFuse(kernel)).toBe(true);
  return tf.tidy(() => {
    const outShape = unfused(...inputs).shape;
    const w = tf.tensor(values(size(outShape), seed), outShape);
    const objective = (f: (...xs: tf.Tensor[]) => tf.Tensor) => (...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w));
    const a = tf.grads(objective(fused))(inputs);
    const b = tf.grads(objective(unfused))(inputs);
    let worst = relErr(fused(...inputs), unfused(...inputs));
    a.forEach((g, i) => {
      worst = Math.max(worst, relErr(g, b[i]));
    });
    return worst;
  });
}

/** Random shapes from a seed: rows 1..40 in 1-3 leading dims, width 1..70. */
function randomShape(seed: number): number[] {
  const u = values(4, seed, 0, 1);
  const lead = 1 + Math.floor(u[0] * 3);
  const shape = Array.from({ length: lead }, (_, i) => 1 + Math.floor(values(1, seed * 7 + i, 0, 1)[0] * (i === 0 ? 12 : 4)));
  return [...shape, 1 + Math.floor(u[1] * 70)];
}

/** erfc(a), a >= 0, in double: 1 - the Maclaurin series of erf up to 3, the continued fraction beyond. */
function erfcReference(a: number): number {
  if (a <= 3) {
    let term = a;
    let sum = a;
    for (let n = 1; n < 200; n++) {
      term *= (-a * a) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-18) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...))))
  let f = a;
  for (let n = 60; n >= 1; n--) f = a + n / 2 / f;
  return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
}
/** erf in double (see erfcReference; the series directly below 3, where 1 - erfc would round). */
function erfReference(x: number): number {
  const a = Math.abs(x);
  if (a > 3) return Math.sign(x) * (1 - erfcReference(a));
  let term = a;
  let sum = a;
  for (let n = 1; n < 200; n++) {
    term *= (-a * a) / n;
    sum += term / (2 * n + 1);
    if (Math.abs(term) < 1e-18) break;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
}

const TOL = 1e-5;

const variants: { name: string; setup: () => Promise<void> }[] = [
  { name: 'wasm (fast kernels)', setup: async () => { await tf.setBackend('wasm'); registerFastWasmKernels(); } },
  { name: 'wasm (tfjs kernels)', setup: async () => { await tf.setBackend('wasm'); unregisterFastWasmKernels(); } },
  { name: 'cpu', setup: async () => { await tf.setBackend('cpu'); } },
];

afterAll(async () => {
  await tf.setBackend('wasm');
  registerFastWasmKernels();
});

describe.each(variants)('fused ops on $name', ({ setup }) => {
  beforeAll(async () => {
    await setup();
    await tf.ready();
  });

  it('layerNorm equals the composition (values and x, gamma, beta gradients) over random shapes', () => {
    for (let s = 1; s <= 12; s++) {
      const shape = randomShape(s);
      const d = shape[shape.length - 1];
      const x = tf.tensor(values(size(shape), s, -3, 3), shape);
      const gamma = tf.tensor1d(values(d, s + 100, 0.5, 1.5));
      const beta = tf.tensor1d(values(d, s + 200));
      const err = compare('PaperkitLayerNorm', [x, gamma, beta], (a, g, b) => layerNorm(a, g, b, 1e-5), (a, g, b) => layerNormUnfused(a, g, b, 1e-5), s);
      expect(err, `shape ${shape}`).toBeLessThan(TOL);
      tf.dispose([x, gamma, beta]);
    }
  });

  it('rmsNorm equals the composition (values and x, gamma gradients) over random shapes', () => {
    for (let s = 1; s <= 12; s++) {
      const shape = randomShape(s + 50);
      const d = shape[shape.length - 1];
      const x = tf.tensor(values(size(shape), s, -3, 3), shape);
      const gamma = tf.tensor1d(values(d, s + 100, 0.5, 1.5));
      const err = compare('PaperkitRMSNorm', [x, gamma], (a, g) => rmsNorm(a, g, 1e-6), (a, g) => rmsNormUnfused(a, g, 1e-6), s);
      expect(err, `shape ${shape}`).toBeLessThan(TOL);
      tf.dispose([x, gamma]);
    }
  });

  it('softmax cross-entropy (dense labels) equals the composition, logits and labels gradients included', () => {
    for (let s = 1; s <= 10; s++) {
      const [b, c] = [1 + (s * 7) % 40, 1 + (s * 13) % 70];
      const logits = tf.tensor2d(values(b * c, s, -8, 8), [b, c]);
      // soft labels (not summing to one in some rows), with exact zeros
      const labels = tf.tensor2d(values(b * c, s + 9, -0.5, 1).map((u) => Math.max(0, u)), [b, c]);
      const err = compare('PaperkitSoftmaxCrossEntropy', [logits, labels], (z, y) => fusedSoftmaxCrossEntropy(y, z), (z, y) => softmaxCrossEntropyUnfused(y, z), s);
      expect(err, `[${b}, ${c}]`).toBeLessThan(TOL);
      tf.dispose([logits, labels]);
    }
  });

  it('sparse softmax cross-entropy equals the one-hot composition, huge logits and out-of-range labels included', () => {
    for (let s = 1; s <= 10; s++) {
      const [b, c] = [1 + (s * 5) % 33, 2 + (s * 11) % 60];
      const z = values(b * c, s, -8, 8);
      if (s % 3 === 0) z[0] = 1e4; // no overflow
      const logits = tf.tensor2d(z, [b, c]);
      const ids = ints(b, c, s + 3);
      if (s % 4 === 0) ids[0] = c; // outside [0, C): contributes nothing, as its zero one-hot row would
      const labels = tf.tensor1d(ids, 'int32');
      // the reference's one-hot rows built in JS (wasm's own OneHot kernel mishandles ids >= C)
      const hot = new Float32Array(b * c);
      ids.forEach((id, i) => {
        if (id >= 0 && id < c) hot[i * c + id] = 1;
      });
      const oneHot = tf.tensor2d(hot, [b, c]);
      const err = compare(
        'PaperkitSparseSoftmaxCrossEntropy',
        [logits],
        (l) => fusedSparseSoftmaxCrossEntropy(labels, l),
        (l) => softmaxCrossEntropyUnfused(oneHot, l),
        s,
      );
      expect(err, `[${b}, ${c}]`).toBeLessThan(TOL);
      tf.dispose([logits, labels, oneHot]);
    }
  });

  it('GELU equals the erf composition (value and gradient) from -12 to 12', () => {
    const n = 4001;
    const x = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1)));
    expect(compare('PaperkitGelu', [x], fusedGelu, geluUnfused, 1)).toBeLessThan(TOL);
    const r = tf.tensor(values(3 * 5 * 7, 4, -4, 4), [3, 5, 7]);
    expect(compare('PaperkitGelu', [r], fusedGelu, geluUnfused, 2)).toBeLessThan(TOL);
    tf.dispose([x, r]);
  });

  it('GELU keeps float32 accuracy against a double-precision reference, the far negative tail included', () => {
    const n = 2401;
    const xs = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    const x = tf.tensor1d(xs);
    const y = fusedGelu(x).dataSync();
    const dy = tf.grad((a: tf.Tensor) => tf.sum(fusedGelu(a)))(x).dataSync();
    let worst = 0;
    let worstSlope = 0;
    xs.forEach((v, i) => {
      const u = v * Math.SQRT1_2;
      const cdf = u < 0 ? erfcReference(-u) / 2 : (1 + erfReference(u)) / 2;
      const ref = v * cdf;
      if (Math.abs(ref) > 1e-30) worst = Math.max(worst, Math.abs(y[i] - ref) / Math.abs(ref));
      worstSlope = Math.max(worstSlope, Math.abs(dy[i] - (cdf + (v * Math.exp(-u * u)) / Math.sqrt(2 * Math.PI))));
    });
    expect(worst).toBeLessThan(2e-5); // relative, down to gelu(-12) ~ 2e-32
    expect(worstSlope).toBeLessThan(1e-6);
    x.dispose();
  });

  const attentionCases: { layout: AttentionLayout; shape: number[]; masked: boolean }[] = [
    { layout: 'bhtd', shape: [2, 3, 5, 4], masked: false },
    { layout: 'bhtd', shape: [3, 2, 17, 8], masked: true },
    { layout: 'bthd', shape: [2, 9, 4, 16], masked: false },
    { layout: 'bthd', shape: [2, 15, 2, 16], masked: true },
    { layout: 'bhtd', shape: [1, 1, 64, 3], masked: true },
    { layout: 'bthd', shape: [4, 64, 2, 32], masked: true },
  ];

  it.each(attentionCases)('causal attention $layout $shape (key mask: $masked) equals the masked-softmax composition', ({ layout, shape, masked }) => {
    const [b] = shape;
    const t = layout === 'bhtd' ? shape[2] : shape[1];
    const q = tf.tensor(values(size(shape), 1, -2, 2), shape);
    const k = tf.tensor(values(size(shape), 2, -2, 2), shape);
    const v = tf.tensor(values(size(shape), 3, -2, 2), shape);
    // right padding (every query keeps key 0 visible): the last few keys of some rows are padding
    const m = new Float32Array(b * t).fill(1);
    for (let i = 0; i < b; i++) for (let j = t - (i * 3) % Math.max(1, t - 1); j < t; j++) m[i * t + j] = 0;
    const keyMask = masked ? tf.tensor2d(m, [b, t]) : undefined;
    const err = compare(
      masked ? 'PaperkitCausalAttentionMasked' : 'PaperkitCausalAttention',
      [q, k, v],
      (a, bb, c) => causalAttention(a, bb, c, { layout, keyMask, implementation: 'fused' }),
      (a, bb, c) => causalAttentionUnfused(a, bb, c, { layout, keyMask }),
      7,
    );
    expect(err).toBeLessThan(TOL);
    tf.dispose([q, k, v, ...(keyMask ? [keyMask] : [])]);
  });

  it.each([2, 4])('causal attention (head size %i): a query with no visible key gives zeros and no gradient; padded keys get no gradient', (d) => {
    const shape = [1, 1, 4, d];
    const q = tf.tensor(values(4 * d, 1), shape);
    const k = tf.tensor(values(4 * d, 2), shape);
    const v = tf.tensor(values(4 * d, 3), shape);
    const keyMask = tf.tensor2d([[0, 1, 0, 1]]);
    const attend = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => causalAttention(a, b, c, { keyMask, implementation: 'fused' });
    const out = attend(q, k, v);
    const o = out.dataSync();
    expect(Array.from(o.slice(0, d))).toEqual(new Array(d).fill(0)); // query 0 sees only key 0, which is padding
    // query 1 sees key 1 only: its output is v[1]
    Array.from(v.dataSync().slice(d, 2 * d)).forEach((x, c) => expect(o[d + c]).toBeCloseTo(x, 6));
    const [dq, dk, dv] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(attend(a, b, c)))([q, k, v]);
    expect(Array.from(dq.dataSync().slice(0, d))).toEqual(new Array(d).fill(0));
    expect(Array.from(dk.dataSync().slice(0, d))).toEqual(new Array(d).fill(0));
    expect(Array.from(dv.dataSync().slice(2 * d, 3 * d))).toEqual(new Array(d).fill(0));
    tf.dispose([q, k, v, keyMask, out, dq, dk, dv]);
  });

  it('no fused op leaks tensors over repeated forward + backward passes', () => {
    const x = tf.tensor(values(6 * 8, 1), [6, 8]);
    const g = tf.ones([8]);
    const bta = tf.zeros([8]);
    const q = tf.tensor(values(2 * 5 * 2 * 4, 2), [2, 5, 2, 4]);
    const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
    const labels = tf.tensor1d([1, 2, 3, 4, 5, 6], 'int32');
    const soft = tf.softmax(x);
    const step = () =>
      tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, qq: tf.Tensor) => {
          const h = fusedGelu(rmsNorm(layerNorm(a, b, c), b));
          const att = causalAttention(qq, qq, qq, { layout: 'bthd', keyMask: mask, implementation: 'fused' });
          return tf.addN([fusedSparseSoftmaxCrossEntropy(labels, h), fusedSoftmaxCrossEntropy(soft, h), tf.sum(att)]);
        };
        tf.grads(f)([x, g, bta, q]);
        f(x, g, bta, q);
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, bta, q, mask, labels, soft]);
  });
});

describe('fused ops switch', () => {
  it('setFusedOps(false) runs the composition instead (no Paperkit kernel is called)', async () => {
    await tf.setBackend('cpu');
    const previous = setFusedOps(false);
    try {
      const x = tf.tensor2d([[1, 2, 3]]);
      const profile = await tf.profile(() => layerNorm(x, tf.ones([3]), tf.zeros([3])));
      expect(profile.kernels.some((k) => k.name.startsWith('Paperkit'))).toBe(false);
      x.dispose();
    } finally {
      setFusedOps(previous);
    }
  });
});

describe('erf', () => {
  it('is within 2 float32 ulps (relative 2.4e-7) of a double-precision reference from -6 to 6, and odd', () => {
    let worst = 0;
    let odd = true;
    for (let i = -60000; i <= 60000; i++) {
      const x = i / 10000;
      const ref = erfReference(x);
      odd &&= erf(-x) === -erf(x);
      if (ref === 0) continue;
      worst = Math.max(worst, Math.abs(erf(x) - ref) / Math.abs(ref));
    }
    expect(odd).toBe(true);
    expect(worst).toBeLessThan(2.4e-7);
    expect(erf(0)).toBe(0);
    expect(erf(1e-30)).toBeCloseTo(1.1283791670955126e-30, 40);
    expect(erf(30)).toBe(1);
  });
});
