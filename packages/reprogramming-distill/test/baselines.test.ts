import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '@paperkit/tensor-core';
import {
  cacheTeacherFeatures, evaluateAccuracy, gaussianJitter, loraFeatureExtractor, teacherFeatureFn, trainAdapterProbe, trainFitNets,
  trainHintonKD, trainLinearProbe, trainLoRAProbe, trainStudentOnly,
} from '../src/index.js';
import { setupBackend, tinyStudent, tinyTeacher, toyData, weightsSnapshot } from './helpers.js';

beforeAll(setupBackend);

describe('baselines (spec section 4)', () => {
  it('every baseline trains on the same cache, learns the toy task and leaves the FM untouched', async () => {
    const teacher = tinyTeacher();
    const before = weightsSnapshot(teacher);
    const data = toyData(96);
    const cache = cacheTeacherFeatures({ teacher, teacherFeatureLayer: 'feat', data, numClasses: 3, augment: gaussianJitter(0.1), copies: 2 });
    const common = { numClasses: 3, data: cache, steps: 120, batchSize: 32, lr: 1e-2 };
    const only = await trainStudentOnly({ ...common, student: tinyStudent() });
    const probe = await trainLinearProbe({ ...common, teacher, teacherFeatureLayer: 'feat' });
    const adapter = await trainAdapterProbe({ ...common, teacher, teacherFeatureLayer: 'feat', bottleneck: 4 });
    const lora = await trainLoRAProbe({ ...common, teacher, teacherFeatureLayer: 'feat', rank: 2, alpha: 4 });
    const z = probe.logitsFromFeatures(cache.features) as tf.Tensor2D;
    const kd = await trainHintonKD({ ...common, student: tinyStudent(), teacherLogits: z });
    const fit = await trainFitNets({ ...common, student: tinyStudent() });
    for (const [name, model] of [['student', only.deployModel], ['probe', probe.predict!], ['adapter', adapter.predict!], ['lora', lora.predict], ['kd', kd.deployModel], ['fitnets', fit.deployModel]] as const) {
      expect(evaluateAccuracy(model, data.x, data.y), name).toBeGreaterThan(0.45);
    }
    for (const r of [only, probe, adapter, lora, kd, fit]) expect(r.history.losses.every(Number.isFinite)).toBe(true);
    weightsSnapshot(teacher).forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(before[i])));
    [only, probe, adapter, lora, kd, fit].forEach((r) => r.dispose());
    tf.dispose([z, data.x]);
    cache.dispose();
  });

  it('the LoRA FM equals the FM features at initialisation (B = 0) and trains only A and B', () => {
    const teacher = tinyTeacher(3);
    const lora = loraFeatureExtractor(teacher, { featureLayer: 'feat', rank: 2, alpha: 4 });
    const data = toyData(12);
    tf.tidy(() => {
      const diff = tf.max(tf.abs(tf.sub(lora.apply(data.x), teacherFeatureFn(teacher, 'feat')(data.x)))).dataSync()[0];
      expect(diff).toBeLessThan(1e-5);
    });
    expect(lora.trainableVariables).toHaveLength(4);
    expect(lora.trainableVariables.every((v) => /lora_(A|B)/.test(v.name))).toBe(true);
    lora.dispose();
    data.x.dispose();
  });

  it('bad input: non-Dense FM layers, teacher logits of the wrong shape, a non-cache for FitNets', async () => {
    const conv = tf.sequential({ layers: [tf.layers.reshape({ inputShape: [6], targetShape: [6, 1] }), tf.layers.flatten(), tf.layers.dense({ units: 3 })] });
    expect(() => loraFeatureExtractor(conv)).toThrow(/Reshape/);
    const data = toyData(16);
    const cache = cacheTeacherFeatures({ teacher: tinyTeacher(), teacherFeatureLayer: 'feat', data, numClasses: 3 });
    await expect(trainHintonKD({ numClasses: 3, data: cache, student: tinyStudent(), teacherLogits: tf.zeros([5, 3]) as tf.Tensor2D, steps: 2 })).rejects.toBeInstanceOf(ShapeError);
    await expect(trainFitNets({ numClasses: 3, data: data as never, student: tinyStudent(), steps: 2 })).rejects.toBeInstanceOf(OptionError);
    cache.dispose();
    data.x.dispose();
  });
});
