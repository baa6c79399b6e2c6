import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAST_WASM_KERNELS,
  FUSED_ADAM_KERNEL,
  adamUpdateArrays,
  fastWasmKernelsActive,
  registerFastWasmKernels,
  unregisterFastWasmKernels,
} from '../../src/backend/fast-wasm-kernels.js';
import { newWasmMemory, simdKernelsFor, simdModuleBytes } from '../../src/backend/simd-kernels.js';
import { FusedAdamOptimizer } from '../../src/training/fused-adam.js';

// The overrides must be invisible except for speed: every case below runs the
// same computation on wasm with the overrides, on wasm without them (the
// original tfjs kernels) and on cpu, and compares forward values and gradients.

/** Deterministic values in [-1, 1) (an LCG, so the test needs no other module). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (2 * s) / 4294967296 - 1;
  }
  return out;
}

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

type Flavour = 'fast' | 'plain' | 'cpu';

async function use(flavour: Flavour): Promise<void> {
  if (flavour === 'cpu') {
    await tf.setBackend('cpu');
    return;
  }
  if (flavour === 'fast') registerFastWasmKernels();
  else unregisterFastWasmKernels();
  await tf.setBackend('wasm');
}

/** `run` with the overrides, with tfjs's own wasm kernels and on cpu (leaves the overrides active). */
async function onEachFlavour<T>(run: () => T): Promise<Record<Flavour, T>> {
  await use('fast');
  const fast = run();
  await use('plain');
  const plain = run();
  await use('cpu');
  const cpu = run();
  await use('fast');
  return { fast, plain, cpu };
}

/** Largest |x - ref| relative to max(1, max |ref|). */
function relErr(x: Float32Array, ref: Float32Array): number {
  expect(x.length).toBe(ref.length);
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]));
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(x[i] - ref[i]));
  return worst / scale;
}

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * y = matMul(a, b) and, when `withGrads`, the gradients of sum(y * w) with
 * respect to a and b (tfjs-core's matMul gradient does not reduce broadcast
 * batch dims on any backend, so broadcasting cases check the forward only).
 */
function runMatMul(c: MatMulCase, withGrads: boolean, explicitBroadcast = false): Record<'y' | 'ga' | 'gb', Float32Array> {
  return tf.tidy(() => {
    let a = tf.tensor(values(size(c.a), 1), c.a);
    let b = tf.tensor(values(size(c.b), 2), c.b);
    if (explicitBroadcast) {
      // The reference for broadcasting cases: tile both operands to the full
      // batch shape first (cpu's own kernel mishandles two-sided broadcasting).
      const outer = tf.backend_util.assertAndGetBroadcastShape(c.a.slice(0, -2), c.b.slice(0, -2));
      a = tf.broadcastTo(a, [...outer, ...c.a.slice(-2)]);
      b = tf.broadcastTo(b, [...outer, ...c.b.slice(-2)]);
    }
    const y = tf.matMul(a, b, c.transposeA, c.transposeB);
    if (!withGrads) return { y: y.dataSync() as Float32Array, ga: new Float32Array(0), gb: new Float32Array(0) };
    const w = tf.tensor(values(y.size, 3), y.shape);
    const [ga, gb] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, z, c.transposeA, c.transposeB), w)))([a, b]);
    return { y: y.dataSync() as Float32Array, ga: ga.dataSync() as Float32Array, gb: gb.dataSync() as Float32Array };
  });
}

/** Shapes of a and b for an [M, K] x [K, N] product with the given transposes and batch dims. */
function operands(batchA: number[], batchB: number[], m: number, k: number, n: number, tA: boolean, tB: boolean): MatMulCase {
  return {
    a: [...batchA, ...(tA ? [k, m] : [m, k])],
    b: [...batchB, ...(tB ? [n, k] : [k, n])],
    transposeA: tA,
    transposeB: tB,
  };
}

const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

// [batchA, batchB, M, K, N, equal batch dims]
// With equal batch dims (or none) a case is checked forward and backward
// against both plain wasm and cpu. With broadcasting batch dims tfjs-core's
// matMul gradient fails on every backend (it does not reduce the broadcast
// dims) and cpu's kernel mishandles two-sided broadcasting, so those cases
// check the forward value against cpu on explicitly broadcast operands.
const SHAPES: [number[], number[], number, number, number, boolean][] = [
  [[], [], 64, 64, 64, true], // square, power of two
  [[], [], 37, 53, 29, true], // odd sizes, not multiples of the transpose tile
  [[], [], 1, 17, 5, true], // a row vector
  [[], [], 33, 1, 7, true], // outer product (K = 1)
  [[], [], 130, 70, 3, true], // tall, narrow
  [[5], [5], 9, 11, 13, true], // batched x batched, small entries, N odd (loop kernel)
  [[5], [5], 9, 11, 12, true], // small entries, N % 4 = 0 (wasm SIMD batched kernel)
  [[2, 4], [2, 4], 32, 16, 32, true], // attention-sized entries (wasm SIMD batched kernel)
  [[2, 3], [2, 3], 70, 65, 66, true], // rank 4, entries above the per-entry XNNPACK threshold
  [[4], [], 7, 12, 5, false], // batched activations x shared weight (one tall GEMM)
  [[3, 2], [1, 1], 6, 10, 9, false], // rank 4 against size-1 batch dims
  [[], [4], 6, 10, 9, false], // shared left operand x batched
  [[2, 1], [1, 3], 5, 8, 6, false], // both sides broadcast
];

let registeredBefore = false;

beforeAll(async () => {
  registeredBefore = fastWasmKernelsActive();
  registerFastWasmKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
});

afterAll(async () => {
  if (!registeredBefore) unregisterFastWasmKernels();
});

describe('registerFastWasmKernels', () => {
  it('overrides BatchMatMul and Transpose on wasm and adds the fused Adam kernel, idempotently', async () => {
    await use('fast');
    expect(registerFastWasmKernels()).toEqual([...FAST_WASM_KERNELS]);
    expect(fastWasmKernelsActive()).toBe(true);
    expect(tf.getKernel(FUSED_ADAM_KERNEL, 'wasm')).toBeDefined();
    unregisterFastWasmKernels();
    expect(fastWasmKernelsActive()).toBe(false);
    expect(tf.getKernel(FUSED_ADAM_KERNEL, 'wasm')).toBeUndefined();
    registerFastWasmKernels();
    expect(fastWasmKernelsActive()).toBe(true);
  });
});

describe('fast BatchMatMul equals the plain wasm kernel and cpu within 1e-5 (forward and both gradients)', () => {
  for (const [batchA, batchB, m, k, n, sameBatch] of SHAPES) {
    for (const [tA, tB] of TRANSPOSES) {
      const c = operands(batchA, batchB, m, k, n, tA, tB);
      it(`[${c.a}] x [${c.b}] transposeA=${tA} transposeB=${tB}`, async () => {
        await use('fast');
        const fast = runMatMul(c, sameBatch);
        await use('cpu');
        const cpu = runMatMul(c, sameBatch, !sameBatch);
        for (const key of ['y', 'ga', 'gb'] as const) expect(relErr(fast[key], cpu[key]), `${key} vs cpu`).toBeLessThanOrEqual(1e-5);
        if (sameBatch) {
          await use('plain');
          const plain = runMatMul(c, true);
          for (const key of ['y', 'ga', 'gb'] as const) expect(relErr(fast[key], plain[key]), `${key} vs plain wasm`).toBeLessThanOrEqual(1e-5);
        }
        await use('fast');
      });
    }
  }

  it('gives the same transposeA products when the left operand recurs (the operand-swapping path)', async () => {
    await use('fast');
    const adj = tf.tensor2d(values(40 * 40, 51), [40, 40]);
    const results: Float32Array[] = [];
    for (let round = 0; round < 3; round++) {
      const d = tf.tensor2d(values(40 * 7, 60 + round), [40, 7]);
      const fast = tf.matMul(adj, d, true, false);
      const expected = tf.tidy(() => tf.matMul(tf.transpose(adj).clone(), d));
      await use('cpu');
      const cpu = tf.tidy(() => tf.matMul(adj, d, true, false).dataSync() as Float32Array);
      await use('fast');
      results.push(fast.dataSync() as Float32Array);
      expect(relErr(results[round], cpu)).toBeLessThanOrEqual(1e-5);
      expect(relErr(results[round], expected.dataSync() as Float32Array)).toBeLessThanOrEqual(1e-5);
      for (const t of [d, fast, expected]) t.dispose();
    }
    adj.dispose();
  });

  it('keeps a weight reused across calls correct after it is disposed and its id retired (XNNPACK operator cache)', async () => {
    await use('fast');
    const x = tf.tensor2d(values(8 * 6, 4), [8, 6]);
    for (let round = 0; round < 3; round++) {
      const w = tf.tensor2d(values(6 * 5, 10 + round), [6, 5]);
      const fast = [tf.matMul(x, w), tf.matMul(x, w, false, false)].map((t) => t.dataSync() as Float32Array);
      const expected = tf.tidy(() => tf.sum(tf.mul(tf.expandDims(x, 2), tf.expandDims(w, 0)), 1).dataSync() as Float32Array);
      for (const f of fast) expect(relErr(f, expected)).toBeLessThanOrEqual(1e-5);
      w.dispose();
    }
    x.dispose();
  });
});

describe('fast Transpose equals cpu exactly', () => {
  const cases: [number[], number[]][] = [
    [[64, 64], [1, 0]],
    [[512, 512], [1, 0]], // power-of-two rows (cache aliasing)
    [[3, 8, 12], [0, 2, 1]], // sides divisible by 4: the wasm SIMD path
    [[8, 12], [1, 0]],
    [[37, 53], [1, 0]],
    [[3, 33, 17], [0, 2, 1]],
    [[4, 5, 6], [1, 0, 2]],
    [[4, 5, 6], [2, 1, 0]],
    [[4, 5, 6], [2, 0, 1]], // a rotation, not a swap: the original kernel
    [[2, 7, 3, 16], [0, 2, 1, 3]], // attention head split
    [[2, 7, 3, 5], [0, 2, 1, 3]],
    [[2, 1, 9, 4], [0, 3, 2, 1]], // size-1 axes dropped
    [[3, 4], [0, 1]], // identity
  ];
  for (const [shape, perm] of cases) {
    it(`[${shape}] perm [${perm}]`, async () => {
      const run = () => tf.tidy(() => tf.transpose(tf.tensor(values(size(shape), 7), shape), perm).dataSync());
      await use('fast');
      const fast = run();
      await use('cpu');
      const cpu = run();
      await use('fast');
      expect(Array.from(fast)).toEqual(Array.from(cpu));
    });
  }

  it('leaves int32 to the original kernel and gets it right', async () => {
    await use('fast');
    const out = tf.tidy(() => tf.transpose(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32')).dataSync());
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('Identity and Sum', () => {
  it('tf.clone shares the buffer but stays valid after the original is disposed', async () => {
    await use('fast');
    const x = tf.tensor2d(values(6, 41), [2, 3]);
    const expected = Array.from(x.dataSync());
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId); // the same wasm buffer, no copy
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual(expected);
    y.dispose();
  });

  const sums: [number[], number | number[], boolean][] = [
    [[512, 64], 0, false], // columns divisible by 4: the wasm SIMD path
    [[16, 32, 64], [0, 1], false],
    [[37, 5], [0], true],
    [[4, 9, 6], [0, 1], false],
    [[4, 9, 6], [1, 0], true],
    [[4, 9, 6], [-3], false],
    [[4, 9, 6], [1], false], // not leading: original kernel
    [[4, 9, 6], -1, false], // last axis: original kernel
    [[7], 0, false], // all axes: original kernel
  ];
  for (const [shape, axis, keepDims] of sums) {
    it(`sum of [${shape}] over axis ${JSON.stringify(axis)} keepDims=${keepDims} equals cpu and plain wasm within 1e-5`, async () => {
      const run = () => tf.tidy(() => {
        const r = tf.sum(tf.tensor(values(size(shape), 42), shape), axis, keepDims);
        return { shape: r.shape, data: r.dataSync() as Float32Array };
      });
      const { fast, plain, cpu } = await onEachFlavour(run);
      expect(fast.shape).toEqual(cpu.shape);
      expect(relErr(fast.data, cpu.data)).toBeLessThanOrEqual(1e-5);
      expect(relErr(fast.data, plain.data)).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe('fast GatherV2', () => {
  // Forward only: tfjs's wasm backend has no UnsortedSegmentSum, so gather has no gradient there at all.
  const cases: [number[], number[], number, 'float32' | 'int32'][] = [
    [[6000, 5, 8], [32], 0, 'float32'], // a minibatch of windows
    [[64, 32], [32, 5], 0, 'float32'], // an embedding lookup with 2-D indices
    [[4, 9, 6], [7], 1, 'float32'], // a middle axis
    [[4, 9, 6], [3], -1, 'int32'], // the last axis (inner size 1), int32
    [[5, 3], [0], 0, 'float32'], // no indices
  ];
  for (const [shape, idxShape, axis, dtype] of cases) {
    it(`gather of [${shape}] (${dtype}) at [${idxShape}] indices on axis ${axis} equals cpu and plain wasm exactly`, async () => {
      const n = size(idxShape);
      const dim = shape[axis < 0 ? axis + shape.length : axis];
      const idx = Int32Array.from({ length: n }, (_, i) => (i * 7919 + 3) % dim);
      const run = () => tf.tidy(() => {
        const raw = values(size(shape), 43);
        const x = dtype === 'int32' ? tf.tensor(Int32Array.from(raw, (v) => Math.round(v * 100)), shape, 'int32') : tf.tensor(raw, shape);
        const i = tf.tensor(idx, idxShape, 'int32');
        const r = tf.gather(x, i, axis);
        return { shape: r.shape, data: Array.from(r.dataSync()) };
      });
      const { fast, plain, cpu } = await onEachFlavour(run);
      expect(fast.shape).toEqual(cpu.shape);
      expect(fast.data).toEqual(cpu.data);
      expect(fast.data).toEqual(plain.data);
    });
  }
  it('refuses an index out of range with the tfjs message', async () => {
    await use('fast');
    const x = tf.ones([3, 2]);
    const i = tf.tensor1d([0, 3], 'int32');
    expect(() => tf.gather(x, i)).toThrow(/index value 3 is not in \[0, 2\]/);
    tf.dispose([x, i]);
  });
});

describe('fast Exp', () => {
  it('is within 1 ulp of Math.exp from -104 to 89, subnormals and edges included (the SIMD kernel alone)', () => {
    const n = 1 << 16;
    const memory = newWasmMemory(8);
    const simd = simdKernelsFor(memory)!;
    const src = new Float32Array(memory.buffer, 0, n);
    const dst = new Float32Array(memory.buffer, n * 4, n);
    for (let i = 0; i < n; i++) src[i] = -104 + (193 * i) / n;
    const edges = [0, -0, NaN, Infinity, -Infinity, -1e9, 1e9, 88.72, 88.73, -103.9, -104, 1e-30];
    src.set(edges);
    simd.exp(0, n * 4, n * 4);
    let worstUlp = 0;
    for (let i = edges.length; i < n; i++) {
      const want = Math.fround(Math.exp(src[i]));
      if (want === Infinity) expect(dst[i]).toBe(Infinity);
      else if (want < 2 ** -126) expect(Math.abs(dst[i] - want)).toBeLessThanOrEqual(2 ** -149); // subnormal: one unit
      else worstUlp = Math.max(worstUlp, Math.abs(dst[i] - want) / (want * 2 ** -23));
    }
    expect(worstUlp).toBeLessThanOrEqual(1);
    expect(Array.from(dst.subarray(0, edges.length))).toEqual([
      1, 1, NaN, Infinity, 0, 0, Infinity, Math.fround(Math.exp(Math.fround(88.72))), Infinity, Math.fround(Math.exp(Math.fround(-103.9))), 0, 1,
    ]);
  });

  it('equals plain wasm within 2e-7 (relative) on odd sizes, and softmax-CE gradients agree', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(values(3 * 7 * 5, 11).map((v) => 30 * v), [3, 7, 5]); // 105 elements: a SIMD bulk and a tail
        const logits = tf.tensor(values(6 * 9, 12).map((v) => 4 * v), [6, 9]);
        const labels = tf.oneHot(tf.tensor1d([0, 3, 8, 2, 2, 5], 'int32'), 9);
        const grad = tf.grad((z: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, z))(logits);
        return { y: tf.exp(x).dataSync() as Float32Array, g: grad.dataSync() as Float32Array };
      });
    await use('fast');
    const fast = run();
    await use('plain');
    const plain = run();
    await use('fast');
    for (let i = 0; i < plain.y.length; i++) expect(Math.abs(fast.y[i] - plain.y[i])).toBeLessThanOrEqual(2e-7 * plain.y[i]);
    expect(relErr(fast.g, plain.g)).toBeLessThan(1e-6);
  });
});

describe('FusedAdamOptimizer', () => {
  /** Five steps of a small regression; returns the final weights. */
  function train(makeOptimizer: () => tf.Optimizer): Float32Array[] {
    const w1 = tf.variable(tf.tensor2d(values(12 * 7, 21), [12, 7]));
    const w2 = tf.variable(tf.tensor2d(values(7 * 3, 22), [7, 3]));
    const x = tf.tensor2d(values(16 * 12, 23), [16, 12]);
    const y = tf.tensor2d(values(16 * 3, 24), [16, 3]);
    const optimizer = makeOptimizer();
    for (let step = 0; step < 5; step++) {
      optimizer.minimize(() => tf.mean(tf.square(tf.sub(tf.matMul(tf.tanh(tf.matMul(x, w1)), w2), y))) as tf.Scalar, false, [w1, w2]);
    }
    const out = [w1.dataSync() as Float32Array, w2.dataSync() as Float32Array];
    optimizer.dispose();
    for (const t of [w1, w2, x, y]) t.dispose();
    return out;
  }

  it('matches tf.train.adam within 1e-5: fused kernel on wasm, composite ops on cpu', async () => {
    await use('cpu');
    const reference = train(() => tf.train.adam(0.01, 0.9, 0.999, 1e-8));
    const composite = train(() => new FusedAdamOptimizer({ learningRate: 0.01 }));
    await use('fast');
    const fused = train(() => new FusedAdamOptimizer({ learningRate: 0.01 }));
    for (let i = 0; i < reference.length; i++) {
      expect(relErr(composite[i], reference[i])).toBeLessThanOrEqual(1e-5);
      expect(relErr(fused[i], reference[i])).toBeLessThanOrEqual(1e-5);
    }
  });

  it('with weightDecay applies the decoupled AdamW shrink (fused equals composite)', async () => {
    await use('cpu');
    const composite = train(() => new FusedAdamOptimizer({ learningRate: 0.01, weightDecay: 0.1 }));
    const plainAdam = train(() => new FusedAdamOptimizer({ learningRate: 0.01 }));
    await use('fast');
    const fused = train(() => new FusedAdamOptimizer({ learningRate: 0.01, weightDecay: 0.1 }));
    for (let i = 0; i < composite.length; i++) expect(relErr(fused[i], composite[i])).toBeLessThanOrEqual(1e-5);
    expect(relErr(composite[0], plainAdam[0])).toBeGreaterThan(1e-4);
  });

  it('adamUpdateArrays does one Adam step by hand (t = 1: p - lr * sign(g) roughly)', () => {
    const p = Float32Array.from([1, -2]);
    const g = Float32Array.from([0.5, -0.25]);
    const zeros = new Float32Array(2);
    const outP = new Float32Array(2);
    const outM = new Float32Array(2);
    const outV = new Float32Array(2);
    adamUpdateArrays(p, g, zeros, zeros, outP, outM, outV, { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 1, weightDecay: 0 });
    expect(outM[0]).toBeCloseTo(0.05, 7);
    expect(outM[1]).toBeCloseTo(-0.025, 7);
    // (beta^t is rounded to float32 like tfjs's accumulated beta powers, hence 5 digits)
    expect(outP[0]).toBeCloseTo(0.9, 5);
    expect(outP[1]).toBeCloseTo(-1.9, 5);
  });

  it('the SIMD module also binds to a shared memory (the heap of the threaded backend) and transposes there', () => {
    const memory = newWasmMemory(1, true);
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const simd = simdKernelsFor(memory);
    expect(simd).not.toBeNull();
    const [rows, cols] = [8, 12];
    const src = new Float32Array(memory.buffer, 0, rows * cols);
    src.set(values(rows * cols, 5));
    simd!.transpose(0, rows * cols * 4, rows, cols);
    const dst = new Float32Array(memory.buffer, rows * cols * 4, rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(dst[c * rows + r]).toBe(src[r * cols + c]);
  });

  it('the hand-assembled wasm SIMD Adam validates and equals the JS loop within 1e-6 (Node 20 has wasm SIMD)', () => {
    expect(simdModuleBytes().length).toBeGreaterThan(100);
    const memory = newWasmMemory(1);
    const simd = simdKernelsFor(memory);
    expect(simd).not.toBeNull();
    const n = 1000; // a multiple of 4: the kernel's contract
    const view = (k: number) => new Float32Array(memory.buffer, k * n * 4, n);
    const [p, g, m, v] = [0, 1, 2, 3].map(view);
    p.set(values(n, 71));
    g.set(values(n, 72));
    m.set(values(n, 73).map((x) => 0.1 * x));
    v.set(values(n, 74).map((x) => 0.01 * x * x));
    const attrs = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 4, weightDecay: 0.05 };
    const js = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    adamUpdateArrays(p, g, m, v, js[0], js[1], js[2], attrs);
    const c1 = 1 - Math.fround(0.9 ** 4);
    const c2 = 1 - Math.fround(0.999 ** 4);
    simd!.adam(0, 4 * n, 8 * n, 12 * n, 16 * n, 20 * n, 24 * n, 4 * n, 0.9, 0.1, 0.999, 1 - 0.999, 0.01 / c1, 1 / Math.sqrt(c2), 1e-8, 1 - 0.01 * 0.05);
    expect(relErr(view(4), js[0])).toBeLessThanOrEqual(1e-6);
    expect(relErr(view(5), js[1])).toBeLessThanOrEqual(1e-6);
    expect(relErr(view(6), js[2])).toBeLessThanOrEqual(1e-6);
  });

  it('rejects a bad option with an OptionError naming it', () => {
    expect(() => new FusedAdamOptimizer({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => new FusedAdamOptimizer({ beta2: 1 })).toThrow(/beta2/);
  });
});

describe('no leaks', () => {
  it('keeps tf.memory() flat over 200 matmul forward/backward passes and Adam steps with the overrides', async () => {
    await use('fast');
    const w = tf.variable(tf.tensor2d(values(24 * 16, 31), [24, 16]));
    const x = tf.tensor2d(values(30 * 24, 32), [30, 24]);
    const q = tf.variable(tf.tensor4d(values(2 * 2 * 70 * 72, 33), [2, 2, 70, 72]));
    const optimizer = new FusedAdamOptimizer({ learningRate: 1e-3 });
    const step = () => {
      optimizer.minimize(
        () =>
          tf.tidy(() => {
            const h = tf.matMul(x, w); // backward: transposeA and transposeB products
            const att = tf.matMul(q, q, true, false); // [2, 2, 72, 72], K = 70: per-entry XNNPACK
            const small = tf.matMul(tf.slice(q, [0, 0, 0, 0], [2, 2, 8, 8]), tf.slice(q, [0, 0, 0, 0], [2, 2, 8, 8]), false, true); // SIMD batched
            return tf.add(tf.add(tf.mean(tf.square(h)), tf.mean(att)), tf.mean(small)) as tf.Scalar;
          }),
        false,
        [w, q],
      );
    };
    for (let i = 0; i < 5; i++) step();
    const before = tf.memory();
    for (let i = 0; i < 200; i++) step();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    optimizer.dispose();
    for (const t of [w, x, q]) t.dispose();
  });
});
