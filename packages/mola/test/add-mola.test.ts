import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, ShapeError, createRng, jacobiEigenSymmetric, randomNormal } from '@paperkit/tensor-core';
import { UnsupportedLayerError, addMoLA } from '../src/index.js';
import { maxAbsDiff, randomizeAdapters, setupBackend, smallCnn, smallMlp } from './helpers.js';

beforeAll(setupBackend);

const ids = [0, 1, 2, 1, 0, 2];

describe('addMoLA', () => {
  it('zero init: right after addMoLA the outputs equal the base model (< 1e-6), grad and router, dense and conv', () => {
    for (const [base, x] of [
      [smallMlp(5, 4), randomNormal(createRng(1), [6, 5])],
      [smallCnn(4), randomNormal(createRng(2), [6, 8, 8, 2])],
    ] as const) {
      const expected = base.predict(x) as tf.Tensor;
      for (const mode of ['grad', 'router'] as const) {
        const m = addMoLA(base, { numAdapters: 3, mode, rank: 2 });
        const y = m.predict(x, mode === 'grad' ? { taskIds: ids } : {});
        expect(maxAbsDiff(y, expected)).toBeLessThan(1e-6);
        tf.dispose(y);
        m.dispose();
      }
      tf.dispose([expected, x]);
    }
  });

  it('adapts every hidden Dense/Conv2D by default and leaves the user model untouched', () => {
    const base = smallCnn(4);
    const before = base.getWeights().map((w) => w.arraySync());
    const m = addMoLA(base, { numAdapters: 2, mode: 'grad', rank: 2 });
    expect(m.adaptedLayers).toEqual(['c1', 'c2']);
    randomizeAdapters(m);
    const opt = tf.train.sgd(0.1);
    const x = randomNormal(createRng(3), [4, 8, 8, 2]);
    opt.minimize(() => m.lossTerms({ x, y: [0, 1, 2, 3], taskIds: [0, 1, 0, 1] }).total, false, m.trainableVariables);
    expect(base.getWeights().map((w) => w.arraySync())).toEqual(before);
    m.dispose();
  });

  it('gradient separation: a task-0 batch gives adapters e != 0 exactly zero gradient', () => {
    const m = addMoLA(smallMlp(5, 4), { numAdapters: 3, mode: 'grad', rank: 2 });
    randomizeAdapters(m);
    const x = randomNormal(createRng(4), [5, 5]);
    const vars = m.adapters().flatMap((a) => [a.layer.A, a.layer.B]);
    const { grads } = tf.variableGrads(() => m.lossTerms({ x, y: [0, 1, 2, 3, 1], taskIds: [0, 0, 0, 0, 0] }).total, vars);
    for (const { layer } of m.adapters()) {
      const gA = grads[layer.A.name].arraySync() as number[][];
      const gB = grads[layer.B.name].arraySync() as number[][];
      const r = layer.rank;
      expect(gA.every((row) => row.slice(r).every((v) => v === 0))).toBe(true);
      expect(gB.slice(r).every((row) => row.every((v) => v === 0))).toBe(true);
      expect(gB.slice(0, r).some((row) => row.some((v) => v !== 0))).toBe(true);
    }
    tf.dispose(Object.values(grads));
    m.dispose();
  });

  it("gradient separation: on a mixed batch adapter e's gradient equals the gradient from task e's samples alone", () => {
    const m = addMoLA(smallMlp(5, 4), { numAdapters: 3, mode: 'grad', rank: 2 });
    randomizeAdapters(m);
    const x = randomNormal(createRng(5), [6, 5]);
    const y = [0, 1, 2, 3, 1, 2];
    const vars = m.adapters().flatMap((a) => [a.layer.A, a.layer.B]);
    const mixed = tf.variableGrads(() => m.lossTerms({ x, y, taskIds: ids }).total, vars).grads;
    for (let e = 0; e < 3; e++) {
      const rows = ids.map((t, i) => (t === e ? i : -1)).filter((i) => i >= 0);
      const xe = tf.gather(x, rows);
      const own = tf.variableGrads(() => m.lossTerms({ x: xe, y: rows.map((i) => y[i]), taskIds: rows.map(() => e) }).total, vars).grads;
      for (const { layer } of m.adapters()) {
        const r = layer.rank;
        const sliceA = (g: tf.Tensor) => tf.slice(g, [0, e * r], [-1, r]);
        const sliceB = (g: tf.Tensor) => tf.slice(g, [e * r, 0], [r, -1]);
        expect(maxAbsDiff(sliceA(mixed[layer.A.name]), sliceA(own[layer.A.name]))).toBeLessThan(1e-6);
        expect(maxAbsDiff(sliceB(mixed[layer.B.name]), sliceB(own[layer.B.name]))).toBeLessThan(1e-6);
      }
      tf.dispose([xe, ...Object.values(own)]);
    }
    tf.dispose(Object.values(mixed));
    m.dispose();
  });

  it('mergeForTask(t) is a plain model equal to the unmerged grad output for task t (< 1e-5), dense and conv', () => {
    for (const [base, x] of [
      [smallMlp(5, 4), randomNormal(createRng(6), [4, 5])],
      [smallCnn(4), randomNormal(createRng(7), [4, 8, 8, 2])],
    ] as const) {
      const m = addMoLA(base, { numAdapters: 3, mode: 'grad', rank: 2 });
      randomizeAdapters(m);
      for (let t = 0; t < 3; t++) {
        const merged = m.mergeForTask(t);
        const kinds = (mm: tf.LayersModel) => mm.layers.map((l) => l.getClassName()).filter((c) => c !== 'InputLayer');
        expect(kinds(merged)).toEqual(kinds(base));
        expect(merged.countParams()).toBe(base.countParams());
        const expected = m.predict(x, { taskIds: [t, t, t, t] });
        const got = merged.predict(x) as tf.Tensor;
        expect(maxAbsDiff(got, expected)).toBeLessThan(1e-5);
        tf.dispose([got, expected]);
        merged.dispose();
      }
      m.dispose();
    }
  });

  it('router with forced one-hot gates equals grad; router gates are non-negative and sum to 1', () => {
    const x = randomNormal(createRng(8), [6, 5]);
    const grad = addMoLA(smallMlp(5, 4), { numAdapters: 3, mode: 'grad', rank: 2, seed: 3 });
    const router = addMoLA(smallMlp(5, 4), { numAdapters: 3, mode: 'router', rank: 2, seed: 3 });
    randomizeAdapters(grad, 11);
    randomizeAdapters(router, 11);
    const oneHot = tf.tensor2d(ids.flatMap((t) => [0, 1, 2].map((e) => (e === t ? 1 : 0))), [6, 3]);
    const a = grad.predict(x, { taskIds: ids });
    const b = router.predict(x, { gates: oneHot });
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    const g = router.gates(x);
    expect(g.shape).toEqual([6, 3]);
    expect(Math.min(...g.dataSync())).toBeGreaterThanOrEqual(0);
    const sums = tf.sum(g, 1);
    expect(maxAbsDiff(sums, tf.onesLike(sums))).toBeLessThan(1e-6);
    tf.dispose([x, oneHot, a, b, g, sums]);
    grad.dispose();
    router.dispose();
  });

  it("a user's tfjs router is trained through the gates, and TwD on the gates runs", () => {
    const userRouter = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 3, name: 'my_router' })] });
    const m = addMoLA(smallMlp(5, 4), { numAdapters: 3, mode: 'router', rank: 2, router: userRouter, twd: { weight: 1, on: 'gates' } });
    randomizeAdapters(m);
    const x = randomNormal(createRng(12), [6, 5]);
    const routerVars = userRouter.trainableWeights.map((w) => w.read() as tf.Variable);
    expect(m.trainableVariables).toEqual(expect.arrayContaining(routerVars));
    const { value, grads } = tf.variableGrads(() => {
      const t = m.lossTerms({ x, y: [0, 1, 2, 3, 0, 1], taskIds: ids });
      expect(t.twd).toBeDefined();
      return t.total;
    }, routerVars);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(routerVars.some((v) => Math.max(...grads[v.name].dataSync().map(Math.abs)) > 0)).toBe(true);
    tf.dispose([value, x, ...Object.values(grads)]);
    m.dispose();
    userRouter.dispose();
  });

  it('rank(s B_e A_e) <= r (eigenvalues of the delta Gram matrix)', () => {
    const m = addMoLA(smallMlp(7, 4), { numAdapters: 2, mode: 'grad', rank: 2 });
    randomizeAdapters(m);
    for (const { layer } of m.adapters()) {
      for (let e = 0; e < 2; e++) {
        const delta = tf.tidy(() => tf.sub(layer.mergedKernel(e), layer.kernel));
        const gram = tf.tidy(() => tf.matMul(delta, delta, true, false));
        const n = gram.shape[0] as number;
        const rows = gram.arraySync() as number[][];
        const { values } = jacobiEigenSymmetric(rows);
        const max = Math.max(...values.map(Math.abs));
        expect(values.filter((v) => Math.abs(v) > 1e-6 * max).length).toBeLessThanOrEqual(2);
        expect(n).toBeGreaterThan(2);
        tf.dispose([delta, gram]);
      }
    }
    m.dispose();
  });

  it('bad input gets typed errors naming what was wrong', () => {
    const base = smallMlp(5, 4);
    expect(() => addMoLA(base, { numAdapters: 0, mode: 'grad' })).toThrow(OptionError);
    expect(() => addMoLA(base, { numAdapters: 2, mode: 'soft' as never })).toThrow(/mode/);
    expect(() => addMoLA(base, { numAdapters: 2, mode: 'grad', rank: 7 })).toThrow(/rank.*h1|h1.*rank/);
    expect(() => addMoLA(base, { numAdapters: 2, mode: 'grad', targets: ['nope'] })).toThrow(/targets.*nope|nope/);
    expect(() => addMoLA(base, { numAdapters: 2, mode: 'grad', numTasks: 3 })).toThrow(/numTasks/);
    const cnn = smallCnn(4);
    expect(() => addMoLA(cnn, { numAdapters: 2, mode: 'grad', targets: ['bn'] })).toThrow(UnsupportedLayerError);
    const m = addMoLA(base, { numAdapters: 3, mode: 'grad', rank: 2 });
    const x = tf.zeros([2, 5]);
    expect(() => m.predict(x)).toThrow(/taskIds/);
    expect(() => m.predict(x, { taskIds: [0, 3] })).toThrow(/taskIds\[1\].*\[0, 3\)/);
    expect(() => m.predict(x, { taskIds: [0] })).toThrow(ShapeError);
    expect(() => m.predict(x, { gates: tf.ones([2, 2]) })).toThrow(/gates.*N x E/);
    expect(() => m.predict(tf.zeros([2, 4]), { taskIds: [0, 1] })).toThrow(ShapeError);
    expect(() => m.mergeForTask(5)).toThrow(OptionError);
    const r = addMoLA(base, { numAdapters: 3, mode: 'router', rank: 2 });
    expect(() => r.mergeForTask(0)).toThrow(/mode/);
    const notDense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4 }), tf.layers.activation({ activation: 'relu' })] });
    expect(() => addMoLA(notDense, { numAdapters: 2, mode: 'grad' })).toThrow(/the model output must be a Dense/);
    m.dispose();
    r.dispose();
  });
});
