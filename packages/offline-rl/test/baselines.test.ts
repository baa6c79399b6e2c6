import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { agreement, conflictRate, cosine, cosineMatrix, diagonalFisher, ewcPenalty, l2Penalty, meanGradient, mergeFisher, packnetSelect, unionMasks } from '../src/index.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

describe('baseline formulas (S3)', () => {
  it('cos([1, 0], [-1, 1]) = -1/sqrt(2)', () => {
    expect(cosine([1, 0], [-1, 1])).toBeCloseTo(-1 / Math.SQRT2, 12);
    expect(cosineMatrix([[1, 0], [-1, 1]])[0][1]).toBeCloseTo(-1 / Math.SQRT2, 12);
  });

  it('agreement and conflict rate by hand: g1 = [2, -1, .5], g2 = [2, 1, -.5]', () => {
    const g1 = [2, -1, 0.5];
    const g2 = [2, 1, -0.5];
    const mean = meanGradient([g1, g2]);
    expect(Array.from(mean)).toEqual([2, 0, 0]);
    expect(Array.from(agreement(mean, g1))).toEqual([4, -0, 0]);
    expect(conflictRate([1, -1, -2, 3])).toBe(0.5);
    expect(conflictRate([1, -1, -2, 3], [1, 1, 0, 0])).toBe(0.5);
  });

  it('L2 and EWC penalties are 0 at theta* and their gradients are lambda(theta - theta*) and lambda F (theta - theta*)', () => {
    const theta = tf.variable(tf.tensor1d([1, 2, 3]));
    const star = tf.tensor1d([1, 2, 3]);
    const fisher = tf.tensor1d([0.5, 1, 2]);
    expect(l2Penalty([theta], [star], 5).dataSync()[0]).toBe(0);
    expect(ewcPenalty([theta], [star], [fisher], 5).dataSync()[0]).toBe(0);
    const other = tf.tensor1d([0, 0, 1]);
    const gL2 = tf.grad((x: tf.Tensor) => l2Penalty([x], [other], 5))(theta);
    expect(Array.from(gL2.dataSync())).toEqual([5, 10, 10]);
    const gEwc = tf.grad((x: tf.Tensor) => ewcPenalty([x], [other], [fisher], 5))(theta);
    expect(Array.from(gEwc.dataSync())).toEqual([2.5, 10, 20]);
    const f = diagonalFisher([[tf.tensor1d([1, 2])], [tf.tensor1d([3, 0])]]);
    expect(Array.from(f[0].dataSync())).toEqual([5, 2]);
    const merged = mergeFisher(f, [tf.tensor1d([1, 0])], 0.5);
    expect(Array.from(merged[0].dataSync())).toEqual([3, 1]);
  });

  it('PackNet keeps the top (1 - q) of free weights by |w|, disjoint from owned weights', () => {
    const w = new Float32Array([0.1, -0.9, 0.5, 0.2, -0.3, 0.8]);
    const free = new Uint8Array([1, 0, 1, 1, 1, 1]);
    const mask = packnetSelect(w, free, 0.5);
    expect(Array.from(mask)).toEqual([0, 0, 1, 0, 1, 1]);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(3); // round(0.5 * 5 free)
    expect(mask[1]).toBe(0);
    expect(Array.from(unionMasks([mask, new Uint8Array([0, 1, 0, 0, 0, 0])], 6))).toEqual([0, 1, 1, 0, 1, 1]);
    expect(() => packnetSelect(w, free, 1)).toThrow(/prune fraction/);
  });
});
