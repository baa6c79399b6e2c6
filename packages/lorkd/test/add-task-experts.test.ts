import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, createRng, jacobiEigenSymmetric, randomNormal } from '@paperkit/tensor-core';
import { MultiExpertConv2D, MultiExpertDense, UnsupportedLayerError, addTaskExperts, isExpertLayer, taskOneHot } from '../src/index.js';
import { maxAbsDiff, randomizeExperts, setupBackend, smallCnn, smallMlp } from './helpers.js';

beforeAll(setupBackend);

/** Number of eigenvalues of M M^T above 1e-6 * max (M row-major rows x cols). */
function numericalRank(m: Float32Array, rows: number, cols: number): number {
  const gram: number[][] = Array.from({ length: rows }, () => new Array<number>(rows).fill(0));
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += m[i * cols + k] * m[j * cols + k];
      gram[i][j] = s;
    }
  }
  const { values } = jacobiEigenSymmetric(gram, rows);
  const max = Math.max(...Array.from(values));
  return Array.from(values).filter((v) => v > 1e-6 * max).length;
}

describe('addTaskExperts', () => {
  it('starts as a no-op: student(x, e_t) equals the base model (max abs diff < 1e-6), Sequential MLP', () => {
    const base = smallMlp(5, 7);
    const student = addTaskExperts(base, { numTasks: 3, rank: 2 });
    expect(student.inputs.length).toBe(2);
    expect(student.layers.filter(isExpertLayer).length).toBe(2); // the output layer (heads) is skipped
    const x = randomNormal(createRng(1), [6, 5]);
    for (let t = 0; t < 3; t++) {
      const y = student.predict([x, taskOneHot(new Array(6).fill(t), 3)]) as tf.Tensor;
      expect(maxAbsDiff(y, base.predict(x) as tf.Tensor)).toBeLessThan(1e-6);
    }
  });

  it('starts as a no-op on a functional CNN with BatchNorm, pooling and flatten', () => {
    const base = smallCnn(4);
    const student = addTaskExperts(base, { numTasks: 2, rank: 2 });
    expect(student.layers.filter((l) => l instanceof MultiExpertConv2D).length).toBe(2);
    const x = randomNormal(createRng(2), [3, 8, 8, 2]);
    const y = student.predict([x, taskOneHot([0, 1, 1], 2)]) as tf.Tensor;
    expect(maxAbsDiff(y, base.predict(x) as tf.Tensor)).toBeLessThan(1e-6);
  });

  it('each conv delta_t unfolded to C_out x (C_in k k) has at most r eigenvalues of delta delta^T above 1e-6 max (lowrank-kxk-1x1)', () => {
    const x = tf.input({ shape: [6, 6, 3] });
    const y = tf.layers.flatten().apply(tf.layers.conv2d({ filters: 8, kernelSize: 3 }).apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const base = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(y) as tf.SymbolicTensor });
    const student = addTaskExperts(base, { numTasks: 2, perTaskRank: [2, 3] });
    randomizeExperts(student);
    const conv = student.layers.find((l) => l instanceof MultiExpertConv2D) as MultiExpertConv2D;
    [2, 3].forEach((r, t) => {
      const delta = conv.delta(t); // [3, 3, 3, 8]
      const unfolded = tf.transpose(tf.reshape(delta, [27, 8])).dataSync() as Float32Array; // [8, 27]
      expect(numericalRank(unfolded, 8, 27)).toBeLessThanOrEqual(r);
      expect(numericalRank(unfolded, 8, 27)).toBe(r);
    });
  });

  it("'official' factorisation: rank(B_t A_t) <= r k as a (C_out k) x (C_in k) matrix", () => {
    const x = tf.input({ shape: [6, 6, 3] });
    const y = tf.layers.flatten().apply(tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const base = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(y) as tf.SymbolicTensor });
    const student = addTaskExperts(base, { numTasks: 2, rank: 1, factorization: 'official' });
    randomizeExperts(student);
    const conv = student.layers.find((l) => l instanceof MultiExpertConv2D) as MultiExpertConv2D;
    const [, , a, b] = conv.getWeights(); // kernel, bias, A [(R k), (C_in k)], B [(C_out k), (R k)]
    const ba = tf.matMul(tf.slice(b, [0, 0], [-1, 3]) as tf.Tensor2D, tf.slice(a, [0, 0], [3, -1]) as tf.Tensor2D); // task 0, r k = 3
    const rank = numericalRank(ba.dataSync() as Float32Array, 12, 9);
    expect(rank).toBeLessThanOrEqual(3);
    // The view to a kernel does not keep that bound at r: the unfolded delta can exceed rank r = 1.
    const unfolded = tf.transpose(tf.reshape(conv.delta(0), [27, 4])).dataSync() as Float32Array;
    expect(numericalRank(unfolded, 4, 27)).toBeGreaterThan(1);
  });

  it('an unsupported layer throws UnsupportedLayerError naming the layer', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 4 }), tf.layers.gaussianNoise({ stddev: 0.1, name: 'noisy' }), tf.layers.dense({ units: 2 })],
    });
    expect(() => addTaskExperts(model, { numTasks: 2 })).toThrow(UnsupportedLayerError);
    expect(() => addTaskExperts(model, { numTasks: 2 })).toThrow(/noisy/);
  });

  it('rank <= 0, rank > min(C_out, C_in k k) and a perTaskRank of the wrong length throw OptionError', () => {
    const base = smallMlp(5, 3);
    expect(() => addTaskExperts(base, { numTasks: 2, rank: 0 })).toThrow(OptionError);
    expect(() => addTaskExperts(base, { numTasks: 2, rank: 6 })).toThrow(/min\(C_out, C_in\*k\*k\) = 5/);
    expect(() => addTaskExperts(base, { numTasks: 2, perTaskRank: [2] })).toThrow(/perTaskRank/);
    expect(() => addTaskExperts(base, { numTasks: 2, perTaskRank: [2, -1] })).toThrow(/perTaskRank\[1\]/);
    expect(() => addTaskExperts(base, { numTasks: 2, targets: ['nope'] })).toThrow(OptionError);
  });

  it('expert layers are registered classes: the student survives a JSON round trip with equal outputs', async () => {
    const student = addTaskExperts(smallMlp(5, 4), { numTasks: 2, rank: 2 });
    randomizeExperts(student);
    const json = student.toJSON(undefined, false) as object;
    const copy = await tf.models.modelFromJSON({ modelTopology: json } as tf.io.ModelArtifacts as never);
    copy.setWeights(student.getWeights());
    expect(copy.layers.some((l) => l instanceof MultiExpertDense)).toBe(true);
    const x = randomNormal(createRng(3), [4, 5]);
    const rows = taskOneHot([0, 1, 0, 1], 2);
    expect(maxAbsDiff(copy.predict([x, rows]) as tf.Tensor, student.predict([x, rows]) as tf.Tensor)).toBeLessThan(1e-6);
  });
});
