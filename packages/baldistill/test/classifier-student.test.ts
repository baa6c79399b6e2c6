import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, MLP, OptionError } from '@paperkit/tensor-core';
import { classifierStudent, ifdScores, layersModelNet, type Annotated } from '../src/index.js';
import { mlpStudent } from '../src/reproduce/mlp-student.js';

beforeAll(async () => {
  await initBackend({ quiet: true });
});

/** 2-D points, answer = quadrant-ish class, rationale = answer (a consistent CoT). */
function data(n: number, seed = 1): Annotated<number[], number, number>[] {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  return Array.from({ length: n }, (_, k) => {
    const x = [r(), r()];
    const a = (x[0] > 0 ? 1 : 0) + (x[1] > 0 ? 2 : 0);
    return { id: `e${k}`, domain: 'd', input: x, rationale: a, answer: a, synthetic: false };
  });
}

describe('classifierStudent (tfjs adapter)', () => {
  const make = (steps = 150) =>
    classifierStudent<number[]>({
      inputDim: 2,
      answerClasses: 4,
      rationaleClasses: 4,
      featurize: (x) => x,
      createNet: (seed) => new MLP({ sizes: [2, 32, 8], seed }),
      steps,
    });

  it('learns a rationale + answer task from annotated examples', async () => {
    const s = make(250);
    await s.fit(data(400), { seed: 0, stage: 0 });
    const test = data(200, 7);
    const pred = await s.predict(test.map((e) => e.input));
    const acc = test.filter((e, k) => pred[k] === e.answer).length / test.length;
    expect(acc).toBeGreaterThan(0.85);
    s.dispose();
  });

  it('its IFD is p(y_s | null) / p(y_s | x) from the answer head', async () => {
    const s = make(50);
    await s.fit(data(64), { seed: 1, stage: 0 });
    const x = [0.5, -0.5];
    const [resp] = await s.generateBatch([x]);
    const withX = await s.logLikelihood(x, resp);
    const without = await s.logLikelihood(null, resp);
    const [ifd] = await ifdScores(s, [x]);
    expect(ifd).toBeCloseTo(Math.exp(without.sum) / Math.exp(withX.sum), 5);
    expect(withX.tokens).toBe(1);
    s.dispose();
  });

  it('keeps tf.memory().numTensors flat over many fits, scorings and predictions', async () => {
    const s = mlpStudent(8, { steps: 40 });
    const examples = Array.from({ length: 100 }, (_, k) => ({ id: `e${k}`, domain: 'd0', input: { x: Array.from({ length: 16 }, (_, j) => Math.sin(k + j)), d: k % 8 }, rationale: k % 4, answer: (k * 3) % 4, synthetic: false }));
    await s.fit(examples, { seed: 0, stage: 0 });
    await ifdScores(s, examples.map((e) => e.input));
    const before = tf.memory().numTensors;
    for (let stage = 1; stage <= 5; stage++) {
      s.reset();
      await s.fit(examples, { seed: stage, stage });
      await ifdScores(s, examples.map((e) => e.input));
      await s.predict(examples.map((e) => e.input));
    }
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });

  it('wraps a tf.sequential model, and names a bad class id', async () => {
    const s = classifierStudent<number[]>({
      inputDim: 2,
      answerClasses: 4,
      featurize: (x) => x,
      createNet: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 16, activation: 'relu' }), tf.layers.dense({ units: 4 })] }),
      steps: 20,
    });
    await s.fit(data(40), { seed: 0, stage: 0 });
    expect((await s.predict([[0.1, 0.2]])).length).toBe(1);
    const bad = data(3).map((e, k) => (k === 2 ? { ...e, answer: 9 } : e));
    await expect(s.fit(bad, { seed: 0, stage: 1 })).rejects.toThrow(/"e2"\.answer.*\[0, 4\)/);
    expect(layersModelNet).toBeTypeOf('function');
    s.dispose();
    expect(() => classifierStudent({ inputDim: 0, answerClasses: 4, featurize: (x: number[]) => x, createNet: () => new MLP({ sizes: [2, 4] }) })).toThrow(OptionError);
  });
});
