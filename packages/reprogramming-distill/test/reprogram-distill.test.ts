import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError, OptionError, ShapeError } from '@paperkit/tensor-core';
import {
  cacheTeacherFeatures, evaluateAccuracy, gaussianJitter, reprogramDistill, teacherFeatureFn, REPROGRAM_DISTILL_DEFAULTS,
} from '../src/index.js';
import { setupBackend, tinyStudent, tinyTeacher, toyData, weightsSnapshot } from './helpers.js';

beforeAll(setupBackend);

const small = { steps: 40, batchSize: 16, lr: 1e-2 };

describe('reprogramDistill', () => {
  it('keeps the teacher bit-identical, lowers the loss and deploys a student + C with no teacher tensor', async () => {
    const teacher = tinyTeacher();
    const student = tinyStudent();
    const data = toyData(64);
    const before = weightsSnapshot(teacher);
    const out = await reprogramDistill({ teacher, teacherFeatureLayer: 'feat', student, numClasses: 3, data, augment: gaussianJitter(0.1), ...small, steps: 80 });
    const after = weightsSnapshot(teacher);
    after.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(before[i])));
    const l = out.history.losses;
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(l.slice(-10))).toBeLessThan(mean(l.slice(0, 10)));
    expect(out.history.teacherCached).toBe(true);
    const teacherVars = new Set(teacher.weights.map((w) => w.read()));
    expect(out.deployModel.weights.some((w) => teacherVars.has(w.read()))).toBe(false);
    const logits = out.deployModel.predict(data.x) as tf.Tensor;
    expect(logits.shape).toEqual([64, 3]);
    expect(evaluateAccuracy(out.deployModel, data.x, data.y)).toBeGreaterThan(0.5);
    tf.dispose([logits, data.x]);
    out.dispose();
  });

  it('seeded runs are reproducible', async () => {
    const run = async () => {
      const data = toyData(48);
      const out = await reprogramDistill({ teacher: tinyTeacher(), teacherFeatureLayer: 'feat', student: tinyStudent(), numClasses: 3, data, augment: gaussianJitter(0.1), ...small, seed: 7 });
      data.x.dispose();
      out.dispose();
      return Array.from(out.history.losses);
    };
    expect(await run()).toEqual(await run());
  });

  it('leaks no tensors over many steps (tf.memory().numTensors flat)', async () => {
    const teacher = tinyTeacher();
    const student = tinyStudent();
    const data = toyData(32);
    const cache = cacheTeacherFeatures({ teacher, teacherFeatureLayer: 'feat', data, numClasses: 3, augment: gaussianJitter(0.1), copies: 2 });
    const opts = { teacher, teacherFeatureLayer: 'feat', student, numClasses: 3, teacherCache: cache, batchSize: 8, lr: 1e-2 };
    (await reprogramDistill({ ...opts, steps: 5 })).dispose();
    const start = tf.memory().numTensors;
    const counts = new Map<number, number>();
    const onStep = ({ step }: { step: number }) => void counts.set(step, tf.memory().numTensors);
    const out = await reprogramDistill({ ...opts, steps: 200, onStep });
    // Same position in the 50-step loss-sync cycle, 150 steps apart: the same count.
    expect(counts.get(160)).toBe(counts.get(10));
    out.dispose();
    out.deployModel.layers[out.deployModel.layers.length - 1].dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(start + 2); // the new deploy head's kernel and bias at most
    cache.dispose();
    data.x.dispose();
  });

  it('works with a function teacher, without a cache, RBF and unbiased CKA, a linear reprogrammer, and without co-training', async () => {
    const fm = tinyTeacher(1);
    const fn = teacherFeatureFn(fm, 'feat');
    const data = toyData(40);
    const variants = [
      { cacheTeacher: false as const, augment: gaussianJitter(0.05) },
      { loss: { cka: { kernel: 'rbf' as const } } },
      { loss: { cka: { estimator: 'unbiased' as const }, kl: { weight: 0 } }, reprogrammer: 'linear' as const },
      { coTrain: false },
    ];
    for (const v of variants) {
      const out = await reprogramDistill({ teacher: (x) => fn(x), student: tinyStudent(), numClasses: 3, data, ...small, steps: 12, ...v });
      expect(out.history.losses.every(Number.isFinite)).toBe(true);
      expect(out.history.steps).toBe(v.coTrain === false ? 24 : 12);
      out.dispose();
    }
    data.x.dispose();
  });

  it('input program: trains delta through the frozen teacher (no cache) and leaves the teacher unchanged', async () => {
    const teacher = tinyTeacher(2);
    const before = weightsSnapshot(teacher);
    const data = toyData(40);
    const out = await reprogramDistill({ teacher, teacherFeatureLayer: 'feat', student: tinyStudent(), numClasses: 3, data, inputProgram: 'additive', ...small, steps: 15 });
    expect(out.history.teacherCached).toBe(false);
    expect(Math.max(...Array.from(out.inputProgram!.delta.dataSync()).map(Math.abs))).toBeGreaterThan(0);
    weightsSnapshot(teacher).forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(before[i])));
    const z = out.teacherLogits(data.x);
    expect(z.shape).toEqual([40, 3]);
    tf.dispose([z, data.x]);
    out.dispose();
  });

  it('bad input: width mismatch of a user reprogrammer names both shapes; numClasses < 2; labels out of range; unknown layer', async () => {
    const data = toyData(16);
    const base = { teacher: tinyTeacher(), teacherFeatureLayer: 'feat', student: tinyStudent(), data, steps: 2, batchSize: 8 };
    const wrong = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 4 })] });
    await expect(reprogramDistill({ ...base, numClasses: 3, reprogrammer: wrong })).rejects.toThrow(/reprogrammer output: expected shape \[null, 5\].*got \[-1, 4\]/);
    await expect(reprogramDistill({ ...base, numClasses: 3, reprogrammer: wrong })).rejects.toBeInstanceOf(ShapeError);
    await expect(reprogramDistill({ ...base, numClasses: 1 })).rejects.toBeInstanceOf(OptionError);
    await expect(reprogramDistill({ ...base, numClasses: 2 })).rejects.toThrow(/data\.y\[\d+\].*\[0, 2\)/);
    await expect(reprogramDistill({ ...base, numClasses: 3, teacherFeatureLayer: 'nope' })).rejects.toThrow(/teacherFeatureLayer.*feat/);
    const before = tf.memory().numTensors;
    await expect(reprogramDistill({ ...base, numClasses: 3, loss: { cka: { estimator: 'unbiased' } }, batchSize: 3 })).rejects.toThrow(/at least 4 rows/);
    expect(tf.memory().numTensors).toBe(before); // the cache built before the check is freed
    await expect(reprogramDistill({ ...base, numClasses: 3, step: 5 } as never)).rejects.toThrow(/reprogramDistill\.step: expected one of the options/);
    await expect(reprogramDistill({ ...base, numClasses: 3, lr: -1 })).rejects.toThrow(/reprogramDistill\.lr/);
    expect(REPROGRAM_DISTILL_DEFAULTS.loss.teacherCe).toEqual([1, 0]);
    expect(REPROGRAM_DISTILL_DEFAULTS.steps).toBe(600);
    data.x.dispose();
  });

  it('teacher cache: copies of jittered inputs with the teacher features of exactly those inputs; NaN features refused', () => {
    const teacher = tinyTeacher();
    const data = toyData(10);
    const cache = cacheTeacherFeatures({ teacher, teacherFeatureLayer: 'feat', data, numClasses: 3, augment: gaussianJitter(0.1), copies: 3 });
    expect(cache.x.shape).toEqual([30, 6]);
    expect(cache.features.shape).toEqual([30, 8]);
    expect(Array.from(cache.classIds.slice(10, 20))).toEqual(Array.from(data.y));
    tf.tidy(() => {
      const direct = teacherFeatureFn(teacher, 'feat')(cache.x);
      expect(tf.max(tf.abs(tf.sub(direct, cache.features))).dataSync()[0]).toBeLessThan(1e-6);
      expect(tf.max(tf.abs(tf.sub(tf.slice(cache.x, 0, 10), data.x))).dataSync()[0]).toBeGreaterThan(0);
    });
    cache.dispose();
    const nanTeacher = (x: tf.Tensor) => tf.div(tf.slice(x, [0, 0], [-1, 2]), 0);
    const start = tf.memory().numTensors;
    expect(() => cacheTeacherFeatures({ teacher: nanTeacher, data, numClasses: 3 })).toThrow(FormatError);
    expect(() => cacheTeacherFeatures({ teacher: nanTeacher, data, numClasses: 3 })).toThrow(/teacher features:row 0, column 0/);
    expect(tf.memory().numTensors).toBe(start);
    expect(() => cacheTeacherFeatures({ teacher: (x) => tf.reshape(x, [10, 3, 2]), data, numClasses: 3 })).toThrow(/pool or flatten/);
    data.x.dispose();
  });
});
