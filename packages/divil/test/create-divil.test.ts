import * as tf from '@tensorflow/tfjs';
import { Dense, MLP, NonFiniteLossError, OptionError, ShapeError, createRng } from '@paperkit/tensor-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { coloredDigits, createDivil, splitSequential, type Env } from '../src/index.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

function model(inDim: number, seed: number, hidden = 16) {
  const rng = createRng(seed);
  const featurizer = new MLP({ sizes: [inDim, hidden, hidden], outputActivation: 'relu', rng: rng.fork('f') });
  const head = new Dense({ inDim: hidden, outDim: 1, rng: rng.fork('h') });
  return { featurizer, head, dispose: () => (featurizer.dispose(), head.dispose()) };
}

const snapshot = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));

describe('createDivil', () => {
  const data = coloredDigits({ seed: 0, perEnv: 200, testSize: 50 });

  it('with beta = 0 reproduces the plain IRM trajectory exactly for the same seed, and the projector gets no gradient', async () => {
    const a = model(98, 1);
    const b = model(98, 1);
    const plain = createDivil(a, { contrastWeight: 0, penaltyWeight: 100, annealSteps: 3, seed: 7 });
    const withProjector = createDivil(b, { contrastWeight: 0, penaltyWeight: 100, annealSteps: 3, seed: 7, featureDim: 16 });
    const projectorBefore = snapshot(withProjector.projectorVariables);
    expect(projectorBefore.length).toBe(4);
    await plain.fit(data.train, { steps: 8, batchSize: 64 });
    await withProjector.fit(data.train, { steps: 8, batchSize: 64 });
    expect(snapshot(b.featurizer.variables)).toEqual(snapshot(a.featurizer.variables));
    expect(snapshot(b.head.variables)).toEqual(snapshot(a.head.variables));
    expect(snapshot(withProjector.projectorVariables)).toEqual(projectorBefore);
    // The projector never receives a gradient: it is not connected to the loss.
    const all = [...withProjector.modelTrainableVariables, ...withProjector.projectorVariables];
    const grads = tf.variableGrads(() => withProjector.lossTerms(data.train, 10).total, all);
    expect(Object.keys(grads.grads).sort()).toEqual(withProjector.modelTrainableVariables.map((v) => v.name).sort());
    expect(withProjector.trainableVariables.length).toBe(withProjector.modelTrainableVariables.length);
    tf.dispose([grads.value, ...Object.values(grads.grads)]);
    [plain, withProjector].forEach((l) => l.dispose());
    a.dispose();
    b.dispose();
  });

  it('with beta > 0 trains the projector and adds the contrastive term after the 1/lambda rescaling', () => {
    const m = model(98, 2);
    const l = createDivil(m, { contrastWeight: 0.5, penaltyWeight: 1000, annealSteps: 0, seed: 1 });
    const t = l.lossTerms(data.train, 5);
    const [total, task, penalty, contrast, l2] = [t.total, t.task, t.penalty, t.contrast, t.l2].map((s) => s.dataSync()[0]);
    const expected = (task + l.options.l2 * l2 + 1000 * penalty) / 1000 + 0.5 * contrast;
    expect(total).toBeCloseTo(expected, 5);
    expect(contrast).toBeGreaterThan(0);
    const grads = tf.variableGrads(() => l.lossTerms(data.train, 5).total, l.projectorVariables);
    expect(Object.keys(grads.grads).length).toBe(4);
    tf.dispose([t.total, t.task, t.penalty, t.contrast, t.l2, t.risks, grads.value, ...Object.values(grads.grads)]);
    l.dispose();
    m.dispose();
  });

  it("anneals: lambda_t = 1 before annealSteps, lambda after; 'insideRescale' divides beta L_div too", () => {
    const m = model(98, 3);
    const l = createDivil(m, { annealSteps: 10, penaltyWeight: 50, contrastPlacement: 'insideRescale', seed: 2 });
    expect(l.penaltyWeightAt(9)).toBe(1);
    expect(l.penaltyWeightAt(10)).toBe(50);
    const t = l.lossTerms(data.train, 20);
    const [total, task, penalty, contrast, l2] = [t.total, t.task, t.penalty, t.contrast, t.l2].map((s) => s.dataSync()[0]);
    expect(total).toBeCloseTo((task + l.options.l2 * l2 + 50 * penalty + 0.01 * contrast) / 50, 5);
    tf.dispose([t.total, t.task, t.penalty, t.contrast, t.l2, t.risks]);
    expect(createDivil(m, { objective: 'erm' }).penaltyWeightAt(500)).toBe(0);
    l.dispose();
    m.dispose();
  });

  it('keeps tf.memory().numTensors flat over many training steps (IRM + DivIL, minibatches)', async () => {
    const m = model(98, 4);
    const l = createDivil(m, { penaltyWeight: 100, annealSteps: 5, contrastRows: 32, featureMaskMode: 'random', negatives: 'farthest', seed: 3 });
    const sgd = tf.train.sgd(0.01);
    await l.fit(data.train, { steps: 3, batchSize: 64 });
    await l.trainStep(data.train, sgd);
    const before = tf.memory().numTensors;
    await l.fit(data.train, { steps: 30, batchSize: 64, logEvery: 7 });
    for (let i = 0; i < 3; i++) await l.trainStep(data.train, sgd);
    expect(tf.memory().numTensors).toBe(before);
    sgd.dispose();
    l.dispose();
    m.dispose();
  });

  it('trains VREx, GroupDRO (weights move off uniform) and a split tf.Sequential from pooled env ids', async () => {
    const seq = tf.sequential({ layers: [tf.layers.dense({ inputShape: [98], units: 8, activation: 'relu', name: 'phi' }), tf.layers.dense({ units: 1, name: 'w' })] });
    const parts = splitSequential(seq, 'phi');
    const x = tf.concat([data.train[0].x, data.train[1].x]);
    const y = tf.concat([data.train[0].y, data.train[1].y]);
    const env = Int32Array.from({ length: 400 }, (_, i) => (i < 200 ? 0 : 1));
    const dro = createDivil({ featurizer: parts.featurizer, head: parts.head, trainableVariables: [...parts.featurizerVariables, ...parts.headVariables] }, { objective: 'groupdro', contrastWeight: 0, groupDroEta: 1 });
    const before = snapshot(parts.headVariables);
    const h = await dro.fit({ x, y, env }, { steps: 5 });
    expect(h.losses.length).toBe(5);
    expect(snapshot(parts.headVariables)).not.toEqual(before);
    const q = dro.groupWeights()!;
    expect(q[0] + q[1]).toBeCloseTo(1, 5);
    expect(Math.abs(q[0] - 0.5)).toBeGreaterThan(1e-4); // the weights moved off uniform
    const vrex = createDivil({ featurizer: parts.featurizer, head: parts.head, trainableVariables: [...parts.featurizerVariables, ...parts.headVariables] }, { objective: 'vrex', vrexForm: 'variance', contrastWeight: 0.01, resetOptimizerAtAnneal: true, annealSteps: 2 });
    const hv = await vrex.fit(data.train, { steps: 4 });
    expect(hv.log.map((r) => r.penaltyWeight)).toEqual([1, 91257.186]);
    expect(vrex.step).toBe(4);
    await expect(vrex.fit(data.train, { steps: 4, optimizer: tf.train.adam() })).resolves.toBeTruthy(); // past annealing: nothing to reset
    [dro, vrex].forEach((l) => l.dispose());
    tf.dispose([x, y]);
    seq.dispose();
  });

  describe('clear errors', () => {
    const m = model(98, 5);
    it('fewer than 2 environments with an environment penalty', () => {
      const l = createDivil(m, { objective: 'irm' });
      expect(() => l.lossTerms([data.train[0]], 0)).toThrow(/at least 2 environments for the 'irm' objective/);
      expect(() => createDivil(m, { objective: 'vrex' }).lossTerms([data.train[0]], 0)).toThrow(OptionError);
    });

    it('an environment batch of fewer than 2 rows for InfoNCE', () => {
      const l = createDivil(m, { objective: 'erm', featureDim: 16 });
      const tiny: Env[] = [{ x: tf.slice(data.train[0].x, [0, 0], [1, 98]), y: tf.slice(data.train[0].y, [0, 0], [1, 1]) }];
      expect(() => l.lossTerms(tiny, 0)).toThrow(ShapeError);
      expect(() => l.lossTerms(tiny, 0)).toThrow(/needs negatives/);
      l.dispose();
    });

    it('label / logit shape mismatch', () => {
      const l = createDivil(m, { contrastWeight: 0 });
      const bad: Env[] = [data.train[0], { x: data.train[1].x, y: tf.zeros([200, 3]) }];
      expect(() => l.lossTerms(bad, 0)).toThrow(/labels: expected shape \[200\] or \[200, 1\]/);
    });

    it('rho outside [0, 1), keep outside (0, 1], tau <= 0, unknown options', () => {
      expect(() => createDivil(m, { featureMaskRatio: 1 })).toThrow(/createDivil.featureMaskRatio: expected a number in \[0, 1\)/);
      expect(() => createDivil(m, { featureMaskRatio: -0.1 })).toThrow(OptionError);
      expect(() => createDivil(m, { inputKeepProb: 0 })).toThrow(/createDivil.inputKeepProb/);
      expect(() => createDivil(m, { inputKeepProb: 1.2 })).toThrow(OptionError);
      expect(() => createDivil(m, { temperature: 0 })).toThrow(/createDivil.temperature/);
      expect(() => createDivil(m, { temprature: 0.5 } as never)).toThrow(/createDivil.temprature/);
    });

    it('a NaN loss, reporting the step', async () => {
      const l = createDivil(m, { objective: 'erm', contrastWeight: 0 });
      const nan: Env[] = [{ x: tf.fill([8, 98], Number.NaN), y: tf.zeros([8, 1]) }];
      await expect(l.fit(nan, { steps: 3 })).rejects.toThrow(NonFiniteLossError);
      const fresh = model(98, 6);
      const l2 = createDivil(fresh, { objective: 'erm', contrastWeight: 0 });
      await l2.trainStep(data.train, tf.train.sgd(0));
      await expect(l2.trainStep(nan, tf.train.sgd(0.01))).rejects.toThrow(/at step 1/);
      tf.dispose(nan.flatMap((e) => [e.x, e.y]));
      fresh.dispose();
    });
  });
});
