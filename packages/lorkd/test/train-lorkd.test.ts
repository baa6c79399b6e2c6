import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NonFiniteLossError, OptionError, ShapeError, createRng, randomNormal } from '@paperkit/tensor-core';
import { addSoftMoE, addTaskExperts, evaluateTasks, trainLoRKD } from '../src/index.js';
import { setupBackend, smallCnn, smallMlp } from './helpers.js';

let backend = '';
beforeAll(async () => {
  backend = await setupBackend();
});

/** Two tasks, 3 and 2 classes; labels depend on the task through different directions. */
function toyData(n: number, seed = 0) {
  const rng = createRng(seed);
  const x = rng.normalArray(n * 5);
  const task = Int32Array.from({ length: n }, (_, i) => i % 2);
  const y = Int32Array.from({ length: n }, (_, i) => {
    const v = task[i] === 0 ? x[i * 5] + x[i * 5 + 1] : x[i * 5 + 2] - x[i * 5 + 3];
    return task[i] === 0 ? (v < -0.5 ? 0 : v < 0.5 ? 1 : 2) : v < 0 ? 0 : 1;
  });
  return { x: tf.tensor2d(x, [n, 5]), y, task };
}

describe('trainLoRKD', () => {
  it('learns the toy tasks with KD from teacher logits and keeps the tensor count flat over many steps (leak test)', async () => {
    const data = toyData(96);
    const teacherLogits = randomNormal(createRng(5), [96, 5]);
    const student = addTaskExperts(smallMlp(5, 5), { numTasks: 2, rank: 2, alpha: 2 });
    await trainLoRKD({ student, data, classesPerTask: [3, 2], teacher: teacherLogits, kd: { weight: 0.1 }, optimizer: 'adam', lr: 0.01, epochs: 2, batchSize: 16 });
    const before = tf.memory().numTensors;
    const result = await trainLoRKD({ student, data, classesPerTask: [3, 2], teacher: teacherLogits, kd: { weight: 0.1 }, optimizer: 'adam', lr: 0.01, epochs: 20, batchSize: 16 });
    expect(result.steps).toBe(120);
    expect(tf.memory().numTensors).toBe(before);
    expect(result.epochLosses[19]).toBeLessThan(result.epochLosses[0]);
    const evaluation = await evaluateTasks(student, data, { classesPerTask: [3, 2] });
    expect(evaluation.meanTaskAccuracy).toBeGreaterThan(0.7);
  });

  it('conv experts (with BatchNorm) train on the default backend', async () => {
    const rng = createRng(1);
    const n = 24;
    const x = randomNormal(rng, [n, 8, 8, 2]);
    const task = Array.from({ length: n }, (_, i) => i % 2);
    const y = Array.from({ length: n }, (_, i) => (i >> 1) % 2);
    const student = addTaskExperts(smallCnn(4), { numTasks: 2, rank: 2 });
    const result = await trainLoRKD({ student, data: { x, y, task }, classesPerTask: [2, 2], kd: false, optimizer: 'adam', lr: 0.01, epochs: 6, batchSize: 8 });
    expect(['wasm', 'cpu', 'tensorflow']).toContain(backend);
    expect(result.epochLosses[5]).toBeLessThan(result.epochLosses[0]);
  });

  it('feature KD (a projected teacher layer) and the soft-routed variant train without errors', async () => {
    const data = toyData(32, 2);
    const teacher = smallMlp(5, 5, 7);
    const student = addTaskExperts(smallMlp(5, 5), { numTasks: 2, rank: 1 });
    const r1 = await trainLoRKD({ student, data, classesPerTask: [3, 2], teacher, kd: { target: 'features', weight: 0.5, temperature: 2 }, epochs: 2, batchSize: 8 });
    expect(Number.isFinite(r1.lastLoss)).toBe(true);
    const moe = addSoftMoE(smallMlp(5, 5), { numTasks: 2, rank: 1 });
    expect(moe.inputs.length).toBe(1);
    const r2 = await trainLoRKD({ student: moe, data, classesPerTask: [3, 2], teacher, epochs: 2, batchSize: 8 });
    expect(Number.isFinite(r2.lastLoss)).toBe(true);
  });

  it('x / task / y batch mismatches throw ShapeError naming the tensor', async () => {
    const data = toyData(10);
    const student = addTaskExperts(smallMlp(5, 5), { numTasks: 2, rank: 1 });
    const base = { student, classesPerTask: [3, 2], epochs: 1 };
    await expect(trainLoRKD({ ...base, data: { ...data, task: data.task.slice(0, 9) } })).rejects.toThrow(/data\.task/);
    await expect(trainLoRKD({ ...base, data: { ...data, y: data.y.slice(0, 8) } })).rejects.toThrow(ShapeError);
    await expect(trainLoRKD({ ...base, data: { ...data, y: data.y.slice(0, 8) } })).rejects.toThrow(/data\.y/);
    await expect(trainLoRKD({ ...base, data: { ...data, task: Int32Array.from(data.task, (t) => t + 1) } })).rejects.toThrow(OptionError);
    await expect(trainLoRKD({ ...base, data: { ...data, task: tf.tensor2d(Array.from({ length: 20 }, () => 0.5), [10, 2]) } })).rejects.toThrow(/one-hot/);
  });

  it('teacher logits whose width is not sum(classesPerTask) throw ShapeError', async () => {
    const data = toyData(10);
    const student = addTaskExperts(smallMlp(5, 5), { numTasks: 2, rank: 1 });
    await expect(trainLoRKD({ student, data, classesPerTask: [3, 2], teacher: tf.zeros([10, 4]), epochs: 1 })).rejects.toThrow(/teacher logits/);
    await expect(trainLoRKD({ student, data, classesPerTask: [3, 3], epochs: 1, kd: false })).rejects.toThrow(ShapeError);
  });

  it('a NaN loss throws NonFiniteLossError carrying the step index', async () => {
    const data = toyData(16);
    const student = addTaskExperts(smallMlp(5, 5), { numTasks: 2, rank: 1 });
    const poisoned = { ...data, x: tf.fill([16, 5], Number.NaN) };
    const error = await trainLoRKD({ student, data: poisoned, classesPerTask: [3, 2], kd: false, epochs: 1, batchSize: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).step).toBe(0);
    // Weights poisoned after epoch 0: the first non-finite loss is step 4 (16 rows / batch 4 per epoch).
    const fresh = addTaskExperts(smallMlp(5, 5), { numTasks: 2, rank: 1 });
    const poison = () => {
      const layer = fresh.layers[fresh.layers.length - 1];
      const [k, b] = layer.getWeights();
      layer.setWeights([tf.fill(k.shape, Number.NaN), b]);
    };
    const late = await trainLoRKD({ student: fresh, data, classesPerTask: [3, 2], kd: false, epochs: 3, batchSize: 4, onEpoch: (e) => e === 0 && poison() }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(NonFiniteLossError);
    expect((late as NonFiniteLossError).step).toBe(4);
  });
});
