import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { value } from './scalar-value.js';
import { OptionError, ShapeError } from '../../src/errors.js';
import { infoNCE, supervisedContrastive } from '../../src/losses/info-nce.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('infoNCE', () => {
  // a = b = I_2: logits = I / tau; every row loses -log(e^{1/tau} / (e^{1/tau} + 1)) = log(1 + e^{-1/tau}).
  // tau 1: log(1 + e^-1) = 0.313262; tau 0.5: log(1 + e^-2) = 0.126928.
  it('matches hand values on orthonormal pairs', () => {
    const eye = tf.eye(2);
    expect(value(infoNCE(eye, eye, { temperature: 1 }))).toBeCloseTo(0.313262, 5);
    expect(value(infoNCE(eye, eye, { temperature: 0.5 }))).toBeCloseTo(0.126928, 5);
    expect(value(infoNCE(eye, eye, { temperature: 0.5, symmetric: true }))).toBeCloseTo(0.126928, 5);
    eye.dispose();
  });

  // Unnormalised a = [[2, 0], [0, 1]], b = I, tau 1: logits = a; row 0: log(1 + e^-2) = 0.126928,
  // row 1: log(1 + e^-1) = 0.313262 -> mean 0.220095. Columns give the same here (logits symmetric).
  it('normalize: false uses raw dot products (hand value 0.220095); default normalises rows', () => {
    const a = tf.tensor2d([[2, 0], [0, 1]]);
    const b = tf.eye(2);
    expect(value(infoNCE(a, b, { temperature: 1, normalize: false }))).toBeCloseTo(0.220095, 5);
    expect(value(infoNCE(a, b, { temperature: 1 }))).toBeCloseTo(0.313262, 5);
    tf.dispose([a, b]);
  });

  it('symmetric averages both directions (differs from one direction on asymmetric logits)', () => {
    const a = tf.tensor2d([[2, 0], [1, 1]]);
    const b = tf.tensor2d([[1, 0], [0, 1]]);
    const ab = value(infoNCE(a, b, { temperature: 1, normalize: false }));
    const ba = value(infoNCE(b, a, { temperature: 1, normalize: false }));
    const sym = value(infoNCE(a, b, { temperature: 1, normalize: false, symmetric: true }));
    expect(sym).toBeCloseTo((ab + ba) / 2, 6);
    expect(Math.abs(ab - ba)).toBeGreaterThan(1e-3);
    tf.dispose([a, b]);
  });

  it('rejects mismatched views and bad temperatures', () => {
    const a = tf.zeros([3, 2]);
    const b = tf.zeros([4, 2]);
    expect(() => infoNCE(a, b)).toThrow(ShapeError);
    expect(() => infoNCE(a, a, { temperature: -1 })).toThrow(OptionError);
    tf.dispose([a, b]);
  });
});

describe('supervisedContrastive', () => {
  // f1 = f2 = (1, 0) (label 0), f3 = (0.6, 0.8) (label 1), tau 1: s = [[1, 1, .6], [1, 1, .6], [.6, .6, 1]].
  // Anchor 1: positive 2, denominator e^1 + e^0.6 -> log(e + e^0.6) - 1 = 0.513015; anchor 2 the same;
  // anchor 3 has no positive and is excluded. Loss = 0.513015.
  it('matches the hand value and excludes anchors without a positive', () => {
    const f = tf.tensor2d([[1, 0], [1, 0], [0.6, 0.8]]);
    expect(value(supervisedContrastive(f, [0, 0, 1], { temperature: 1 }))).toBeCloseTo(0.513015, 5);
    // Features are normalised inside: scaling a row changes nothing.
    const scaled = tf.tensor2d([[3, 0], [0.5, 0], [6, 8]]);
    expect(value(supervisedContrastive(scaled, [0, 0, 1], { temperature: 1 }))).toBeCloseTo(0.513015, 5);
    tf.dispose([f, scaled]);
  });

  it('returns exactly 0 (not NaN) when no anchor has a positive', () => {
    const f = tf.tensor2d([[1, 0], [0, 1]]);
    const v = value(supervisedContrastive(f, [0, 1]));
    expect(v === 0).toBe(true); // +0 or -0, never NaN
    f.dispose();
  });

  it('accepts int32 tensor labels, equal to array labels, and gives finite gradients under the tape', () => {
    const f = tf.variable(tf.randomNormal([6, 4], 0, 1, 'float32', 2), true, 'supcon_test_features');
    const labelsArray = [0, 1, 0, 2, 1, 0];
    const labels = tf.tensor1d(labelsArray, 'int32');
    const fromArray = value(supervisedContrastive(f, labelsArray, { temperature: 0.5 }));
    const { value: loss, grads } = tf.variableGrads(() => supervisedContrastive(f, labels, { temperature: 0.5 }), [f]);
    expect(loss.dataSync()[0]).toBeCloseTo(fromArray, 5);
    expect(Array.from(grads[f.name].dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([loss, ...Object.values(grads), labels, f]);
  });

  it("reduction 'pair' is one mean over all ordered positive pairs (JS reference; equals 'anchor' when tasks are balanced)", () => {
    const rows = [[1, 0.5, -1], [0.2, 1, 0.3], [-0.4, 0.1, 1], [1, 1, 1], [0.3, -0.7, 0.2]];
    const labels = [0, 0, 0, 1, 1];
    const tau = 0.7;
    const norm = rows.map((r) => { const n = Math.hypot(...r); return r.map((v) => v / n); });
    const s = norm.map((a) => norm.map((b) => a.reduce((acc, v, k) => acc + v * b[k], 0) / tau));
    let sum = 0;
    let pairs = 0;
    for (let i = 0; i < rows.length; i++) {
      const logDen = Math.log(s[i].reduce((acc, v, k) => (k === i ? acc : acc + Math.exp(v)), 0));
      for (let p = 0; p < rows.length; p++) {
        if (p !== i && labels[p] === labels[i]) { sum += -(s[i][p] - logDen); pairs++; }
      }
    }
    const f = tf.tensor2d(rows);
    expect(value(supervisedContrastive(f, labels, { temperature: tau, reduction: 'pair' }))).toBeCloseTo(sum / pairs, 5);
    const balanced = [0, 0, 1, 1, 2];
    expect(value(supervisedContrastive(f, balanced, { temperature: tau, reduction: 'pair' })))
      .toBeCloseTo(value(supervisedContrastive(f, balanced, { temperature: tau })), 5);
    expect(() => supervisedContrastive(f, labels, { reduction: 'mean' as never })).toThrow(/reduction/);
    f.dispose();
  });

  it('rejects a label count that differs from the feature rows', () => {
    const f = tf.zeros([3, 2]);
    expect(() => supervisedContrastive(f, [0, 1])).toThrow(/labels/);
    f.dispose();
  });
});
