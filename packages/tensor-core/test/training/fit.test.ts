import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/backend/init-backend.js';
import { NonFiniteLossError, OptionError, ShapeError } from '../../src/errors.js';
import { createRng, glorotUniform } from '../../src/random.js';
import { fit, trainSteps, type StepInfo } from '../../src/training/fit.js';

let backend = '';
beforeAll(async () => {
  backend = (await initBackend({ quiet: true })).name; // wasm here (no tfjs-node)
});

/** y = X w* + b* + small noise, N rows, D features. */
function regressionData(seed: number, n = 256, d = 4) {
  const rng = createRng(seed);
  const wTrue = [1.5, -2, 0.5, 3].slice(0, d);
  const x = rng.normalArray(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0.7;
    for (let j = 0; j < d; j++) s += x[i * d + j] * wTrue[j];
    y[i] = s + rng.normal(0, 0.01);
  }
  return { x: tf.tensor2d(x, [n, d]), y: tf.tensor2d(y, [n, 1]) };
}

function linearModel(seed: number, d = 4) {
  const rng = createRng(seed);
  const w = tf.variable(glorotUniform(rng, [d, 1]));
  const b = tf.variable(tf.zeros([1]));
  return { w, b, dispose: () => tf.dispose([w, b]) };
}

const mseOf = (pred: tf.Tensor, y: tf.Tensor) => tf.mean(tf.square(tf.sub(pred, y))) as tf.Scalar;

describe('fit', () => {
  it('learns a tiny regression: loss drops by more than 10x', async () => {
    const data = regressionData(1);
    const m = linearModel(2);
    const result = await fit({
      data,
      variables: [m.w, m.b],
      loss: (batch) => mseOf(tf.add(tf.matMul(batch.x, m.w), m.b), batch.y),
      optimizer: { name: 'adam', lr: 0.05 },
      epochs: 15,
      batchSize: 32,
      progress: false,
    });
    expect(result.steps).toBe(15 * 8);
    expect(result.epochs).toBe(15);
    expect(result.epochLosses).toHaveLength(15);
    expect(result.losses).toHaveLength(120);
    expect(result.lastLoss).toBe(result.losses[119]);
    expect(result.epochLosses[0] / result.epochLosses[14]).toBeGreaterThan(10);
    expect(result.losses[0] / result.lastLoss).toBeGreaterThan(100);
    expect(Array.from(m.w.dataSync()).map((v) => Math.round(v * 10) / 10)).toEqual([1.5, -2, 0.5, 3]);
    m.dispose();
    tf.dispose(data);
  });

  it('same seed gives identical final weights; another seed gives different ones', async () => {
    const data = regressionData(3);
    const run = async (seed: number) => {
      const m = linearModel(4);
      await fit({
        data,
        variables: [m.w, m.b],
        loss: (batch) => mseOf(tf.add(tf.matMul(batch.x, m.w), m.b), batch.y),
        optimizer: { name: 'sgd', lr: 0.05 },
        epochs: 2,
        batchSize: 24,
        seed,
        progress: false,
      });
      const out = [...m.w.dataSync(), ...m.b.dataSync()];
      m.dispose();
      return out;
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    tf.dispose(data);
  });

  it('a NaN loss at step 37 throws NonFiniteLossError(step 37) and leaks nothing', async () => {
    const w = tf.variable(tf.ones([3]));
    const before = tf.memory().numTensors;
    const run = trainSteps({
      steps: 100,
      variables: [w],
      loss: (step) => tf.add(tf.sum(tf.square(w)), step >= 37 ? Number.NaN : 0) as tf.Scalar,
      optimizer: { name: 'sgd', lr: 0.01 },
      progress: false,
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).step).toBe(37);
    expect(Number.isNaN((error as NonFiniteLossError).loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it('finds the exact step of an Infinity too, with syncEvery 1 and 1000', async () => {
    for (const syncEvery of [1, 1000]) {
      const w = tf.variable(tf.ones([2]));
      const error = await trainSteps({
        steps: 60,
        variables: [w],
        loss: (step) => tf.add(tf.sum(w), step === 42 ? Number.POSITIVE_INFINITY : 0) as tf.Scalar,
        optimizer: { name: 'sgd', lr: 0.01 },
        syncEvery,
        progress: false,
      }).catch((e: unknown) => e);
      expect((error as NonFiniteLossError).step).toBe(42);
      w.dispose();
    }
  });

  it(`leaks no tensors over 1,000 steps (numTensors flat; default backend)`, async () => {
    // a small embedding + MLP, so the step also runs gather's gradient (a bridged kernel on wasm)
    const rng = createRng(5);
    const n = 64;
    const ids = tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(10)), 'int32');
    const target = tf.tensor2d(rng.normalArray(n), [n, 1]);
    const emb = tf.variable(glorotUniform(rng, [10, 8]));
    const w1 = tf.variable(glorotUniform(rng, [8, 16]));
    const w2 = tf.variable(glorotUniform(rng, [16, 1]));
    const base = tf.memory().numTensors;
    const atSync: number[] = [];
    const result = await fit({
      data: { ids, target },
      variables: [emb, w1, w2],
      loss: (batch) => {
        const h = tf.relu(tf.matMul(tf.gather(emb, batch.ids), w1));
        return mseOf(tf.matMul(h, w2), batch.target);
      },
      epochs: 125,
      batchSize: 8,
      syncEvery: 25,
      progress: false,
      callbacks: {
        onStep: (info) => {
          if (info.loss !== undefined) atSync.push(tf.memory().numTensors);
        },
      },
    });
    expect(result.steps).toBe(1000);
    expect(atSync.length).toBe(125);
    // Adam's moment variables appear after the first step, then nothing grows.
    expect(new Set(atSync.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(base); // the optimizer fit built is disposed
    console.info(`[leak test on ${backend}] numTensors: before ${base}, during ${atSync[1]}..${atSync[atSync.length - 1]}, after ${tf.memory().numTensors}; ${result.seconds.toFixed(2)} s for 1000 steps`);
    tf.dispose([ids, target, emb, w1, w2]);
  });

  it('trains a tf.LayersModel (tf.sequential) through its trainableWeights', async () => {
    const data = regressionData(6, 128, 4);
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 8, activation: 'tanh', inputShape: [4] }), tf.layers.dense({ units: 1 })],
    });
    const before = model.getWeights().map((t) => t.arraySync());
    const result = await fit({
      data,
      model,
      loss: (batch) => mseOf(model.apply(batch.x) as tf.Tensor, batch.y),
      optimizer: { name: 'adam', lr: 0.03 },
      epochs: 20,
      batchSize: 32,
      progress: false,
    });
    expect(result.epochLosses[0] / result.epochLosses[19]).toBeGreaterThan(10);
    const after = model.getWeights().map((t) => t.arraySync());
    expect(after).not.toEqual(before);
    model.dispose();
    tf.dispose(data);
  });

  it('trains a Module-like object and plain variables alike, and leaves an optimizer it was given alive', async () => {
    const data = regressionData(7, 64, 2);
    const m = linearModel(8, 2);
    const module = { trainableVariables: [m.w, m.b] };
    const opt = tf.train.adam(0.1);
    const result = await fit({
      data,
      model: module,
      loss: (batch) => mseOf(tf.add(tf.matMul(batch.x, m.w), m.b), batch.y),
      optimizer: opt,
      epochs: 10,
      batchSize: 16,
      progress: false,
    });
    expect(result.epochLosses[9]).toBeLessThan(result.epochLosses[0] / 5);
    expect(opt.iterations).toBe(40);
    opt.dispose();
    m.dispose();
    tf.dispose(data);
  });

  it('reads losses in batches: one data() per sync point, no dataSync per step', async () => {
    const w = tf.variable(tf.ones([2]));
    const data = vi.spyOn(tf.Tensor.prototype, 'data');
    const dataSync = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const chunks: Array<[number, number]> = [];
    const steps: StepInfo[] = [];
    await trainSteps({
      steps: 120,
      variables: [w],
      loss: () => tf.sum(tf.square(w)),
      optimizer: { name: 'sgd', lr: 0.01 },
      syncEvery: 50,
      progress: false,
      callbacks: {
        onLosses: (first, losses) => void chunks.push([first, losses.length]),
        onStep: (info) => void steps.push(info),
      },
    });
    expect(chunks).toEqual([[0, 50], [50, 50], [100, 20]]);
    expect(data).toHaveBeenCalledTimes(3);
    expect(dataSync).not.toHaveBeenCalled();
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(steps.filter((s) => s.loss !== undefined).map((s) => s.step)).toEqual([49, 99, 119]);
    vi.restoreAllMocks();
    w.dispose();
  });

  it('calls onEpochEnd with each epoch mean, and stops when a callback returns false', async () => {
    const data = regressionData(9, 40, 4);
    const m = linearModel(1);
    const means: number[] = [];
    const result = await fit({
      data,
      variables: [m.w, m.b],
      loss: (batch) => mseOf(tf.add(tf.matMul(batch.x, m.w), m.b), batch.y),
      epochs: 5,
      batchSize: 10,
      progress: false,
      callbacks: {
        onEpochEnd: (epoch, mean) => {
          means.push(mean);
          return epoch < 1; // stop after epoch 1
        },
      },
    });
    expect(result.epochs).toBe(2);
    expect(result.steps).toBe(8);
    expect(result.epochLosses).toEqual(means);
    const first = result.losses.subarray(0, 4).reduce((a, b) => a + b, 0) / 4;
    expect(means[0]).toBeCloseTo(first, 5);

    const early = await fit({
      data,
      variables: [m.w, m.b],
      loss: (batch) => mseOf(tf.add(tf.matMul(batch.x, m.w), m.b), batch.y),
      epochs: 5,
      batchSize: 10,
      progress: false,
      callbacks: { onStep: (info) => info.step !== 5 },
    });
    expect(early.steps).toBe(6);
    expect(early.epochs).toBe(2); // the second one partial
    expect(early.losses).toHaveLength(6);
    m.dispose();
    tf.dispose(data);
  });

  it('honours dropLast and shuffle=false (batches in row order)', async () => {
    const x = tf.tensor2d(Array.from({ length: 10 }, (_, i) => [i]), [10, 1]);
    const w = tf.variable(tf.zeros([1, 1]));
    const seen: number[][] = [];
    const res = await fit({
      data: { x },
      variables: [w],
      loss: (batch) => {
        seen.push(Array.from(batch.x.dataSync())); // test-only read, to see the rows
        return tf.sum(tf.matMul(batch.x, w));
      },
      batchSize: 4,
      shuffle: false,
      dropLast: true,
      progress: false,
    });
    expect(res.steps).toBe(2);
    expect(seen).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    tf.dispose([x, w]);
  });

  it('validates its options with typed errors', async () => {
    const w = tf.variable(tf.ones([1]));
    const x = tf.ones([4, 1]);
    const y = tf.ones([5, 1]);
    const loss = () => tf.sum(w) as tf.Scalar;
    await expect(fit({ data: { x, y }, variables: [w], loss, progress: false })).rejects.toThrow(ShapeError);
    await expect(fit({ data: { x, y }, variables: [w], loss, progress: false })).rejects.toThrow(/data\.y/);
    await expect(fit({ data: { x }, loss, progress: false })).rejects.toThrow(OptionError);
    await expect(fit({ data: { x }, variables: [w], model: { trainableVariables: [w] }, loss, progress: false })).rejects.toThrow(/exactly one/);
    await expect(fit({ data: { x }, variables: [w], loss, batchSize: 0, progress: false })).rejects.toThrow(/batchSize/);
    await expect(fit({ data: {}, variables: [w], loss, progress: false })).rejects.toThrow(/option data/);
    await expect(trainSteps({ steps: 3, variables: [w], loss: () => tf.add(w, 0) as unknown as tf.Scalar, progress: false })).rejects.toThrow(/loss: expected shape \[\]/);
    tf.dispose([w, x, y]);
  });
});
