import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init-backend.js';
import {
  WASM_FALLBACK_KERNELS,
  WASM_UNBRIDGED_KERNELS,
  registerWasmFallbackKernels,
} from '../../src/backend/wasm-fallback-kernels.js';
import { createRng } from '../../src/random.js';

const rng = createRng(7);
const arr = (n: number) => rng.normalArray(n);

/** Run `f` on `backend` and read every output tensor as a plain array. */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<number[][]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(f);
  const values = outs.map((t) => Array.from(t.dataSync()));
  tf.dispose(outs);
  return values;
}

/** wasm (with the bridged kernels) and cpu agree within 1e-5 (relative to magnitude above 1). */
async function expectSameOnBothBackends(f: () => tf.Tensor[]): Promise<void> {
  const cpu = await on('cpu', f);
  const wasm = await on('wasm', f);
  await tf.setBackend('wasm');
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((expected, k) => {
    expect(wasm[k].length).toBe(expected.length);
    expected.forEach((v, i) => expect(Math.abs(wasm[k][i] - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
  });
}

const table = arr(6 * 3);
const ids = [4, 0, 2, 2, 5, 0, 1];
const x = arr(2 * 6 * 6 * 3);
const convFilter = arr(3 * 3 * 3 * 4);
const dwFilter = arr(3 * 3 * 3 * 2);
const ea = arr(2 * 3 * 4);
const eb = arr(2 * 4 * 5);
// drawn once here: a case must build identical inputs on both backends
const gatherWeights = arr(ids.length * 3);
const convUpstream = arr(2 * 6 * 6 * 4);
const dwUpstream = arr(2 * 6 * 6 * 6);

const cases: Record<string, () => tf.Tensor[]> = {
  'UnsortedSegmentSum forward': () => [
    tf.unsortedSegmentSum(tf.tensor2d(table, [6, 3]), tf.tensor1d([0, 3, 1, 3, 0, 2], 'int32'), 5),
  ],
  'UnsortedSegmentSum on rank-3 data and int32 values': () => [
    tf.unsortedSegmentSum(tf.tensor3d([...table, ...table], [4, 3, 3]), tf.tensor1d([2, 2, 0, 3], 'int32'), 4),
    tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 3),
  ],
  'gather gradient (UnsortedSegmentSum)': () => {
    const weights = tf.tensor2d(gatherWeights, [ids.length, 3]);
    return [tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), weights)))(tf.tensor2d(table, [6, 3]))];
  },
  'conv2d gradients, same padding (Conv2DBackpropFilter)': () => {
    const w = tf.tensor4d(convUpstream, [2, 6, 6, 4]);
    const g = tf.grads((a: tf.Tensor, f: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), w)),
    );
    return g([tf.tensor4d(x, [2, 6, 6, 3]), tf.tensor4d(convFilter, [3, 3, 3, 4])]);
  },
  'conv2d gradients, stride 2 valid': () =>
    tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 2, 'valid'))))([
      tf.tensor4d(x, [2, 6, 6, 3]),
      tf.tensor4d(convFilter, [3, 3, 3, 4]),
    ]),
  'depthwiseConv2d gradients (DepthwiseConv2dNativeBackpropFilter/Input)': () => {
    const w = tf.tensor4d(dwUpstream, [2, 6, 6, 6]);
    return tf.grads((a: tf.Tensor, f: tf.Tensor) =>
      tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'), w)),
    )([tf.tensor4d(x, [2, 6, 6, 3]), tf.tensor4d(dwFilter, [3, 3, 3, 2])]);
  },
  'Einsum forward (tfjs has no Einsum gradient)': () => [
    tf.einsum('bij,bjk->bik', tf.tensor3d(ea, [2, 3, 4]), tf.tensor3d(eb, [2, 4, 5])),
    tf.einsum('bij->bji', tf.tensor3d(ea, [2, 3, 4])),
    tf.einsum('ij,ij->i', tf.tensor2d(ea.subarray(0, 12), [3, 4]), tf.tensor2d(eb.subarray(0, 12), [3, 4])),
  ],
  'RaggedRange (two int32 outputs)': () => {
    const r = tf.raggedRange(tf.tensor1d([0, 5, 2], 'int32'), tf.tensor1d([3, 5, 9], 'int32'), tf.tensor1d([1, 1, 3], 'int32'));
    return [r.rtNestedSplits, r.rtDenseValues];
  },
};

describe('wasm fallback kernels', () => {
  beforeAll(async () => {
    const info = await initBackend({ backend: 'wasm', quiet: true });
    expect(info.name).toBe('wasm');
  });

  it('bridges exactly the kernels cpu has and wasm lacks, except the complex64 ones', () => {
    const report = registerWasmFallbackKernels(); // second call: idempotent, no duplicate registration
    const complex = Object.keys(WASM_UNBRIDGED_KERNELS).sort();
    expect(report.skipped.map((s) => s.kernel)).toEqual(complex);
    expect([...report.registered, ...complex].sort()).toEqual([...WASM_FALLBACK_KERNELS].sort());
    expect(report.registered).toEqual([
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'Draw',
      'Einsum',
      'RaggedGather',
      'RaggedRange',
      'RaggedTensorToTensor',
      'StaticRegexReplace',
      'UnsortedSegmentSum',
    ]);
    // now wasm has every kernel cpu has, except the complex64 ones
    const wasmKernels = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
    const missing = tf.getKernelsForBackend('cpu').map((k) => k.kernelName).filter((k) => !wasmKernels.has(k));
    expect(missing.sort()).toEqual(complex);
  });

  for (const [name, f] of Object.entries(cases)) {
    it(`${name}: wasm matches cpu within 1e-5`, async () => {
      await expectSameOnBothBackends(f);
    });
  }

  it('string kernels work through the bridge (StaticRegexReplace)', async () => {
    await tf.setBackend('wasm');
    const out = tf.tidy(() => tf.string.staticRegexReplace(tf.tensor1d(['a-b', 'c--d']), '-+', '_'));
    expect(await out.array()).toEqual(['a_b', 'c_d']);
    out.dispose();
  });

  it('oneHot honours a float32 dtype on wasm (the native kernel writes int32 bits)', async () => {
    await tf.setBackend('wasm');
    const ids = tf.tensor1d([2, 0, 1], 'int32');
    const asFloat = tf.oneHot(ids, 3, 1, 0, 'float32');
    const smoothed = tf.oneHot(ids, 3, 0.9, 0.05, 'float32');
    const asInt = tf.oneHot(ids, 3);
    expect(Array.from(await asFloat.data())).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(await smoothed.data())[2]).toBeCloseTo(0.9, 6);
    expect(asInt.dtype).toBe('int32');
    expect(Array.from(await asInt.data())).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    tf.dispose([ids, asFloat, smoothed, asInt]);
  });

  it('complex kernels stay unregistered on wasm, so they fail loudly', async () => {
    await tf.setBackend('wasm');
    expect(() => tf.complex([1], [2])).toThrow(/Complex/);
  });

  it('leaks nothing: engine tensors and cpu-side buffers are flat over repeated calls', async () => {
    await tf.setBackend('wasm');
    const cpu = tf.engine().findBackend('cpu')!;
    const run = () => {
      for (const f of Object.values(cases)) tf.dispose(tf.tidy(f));
    };
    run(); // warm-up (lazy allocations)
    const tensors = tf.memory().numTensors;
    const cpuBuffers = cpu.numDataIds();
    const wasmBuffers = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(cpu.numDataIds()).toBe(cpuBuffers);
    expect(tf.engine().backend.numDataIds()).toBe(wasmBuffers);
  });
});
