import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, createRng } from '@paperkit/tensor-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { distanceInfoNCE, featureMask, featureMaskRow, negativesPerAnchor } from '../src/index.js';
import { setupBackend, value } from './helpers.js';

beforeAll(setupBackend);
const rng = createRng(5);

describe('distanceInfoNCE', () => {
  it('is ~0 when zi = zj and the rows are far apart', () => {
    const z = tf.tensor2d([[0, 0], [100, 0], [0, 100], [100, 100]]);
    expect(value(distanceInfoNCE(z, z))).toBeLessThan(1e-4);
    z.dispose();
  });

  it("is ln B when zi = zj and all B rows are identical ('all': the B - 1 other rows are negatives)", () => {
    const z = tf.ones([8, 3]);
    expect(value(distanceInfoNCE(z, z))).toBeCloseTo(Math.log(8), 4);
    z.dispose();
  });

  it('is invariant to a common shift of zi and zj', () => {
    const zi = tf.tensor2d(rng.normalArray(12 * 4), [12, 4]);
    const zj = tf.tensor2d(rng.normalArray(12 * 4), [12, 4]);
    const a = value(distanceInfoNCE(zi, zj));
    const si = tf.add(zi, 7);
    const sj = tf.add(zj, 7);
    expect(value(distanceInfoNCE(si, sj))).toBeCloseTo(a, 4);
    tf.dispose([zi, zj, si, sj]);
  });

  it("'farthest' with K >= B - 1 equals 'all'; with fewer negatives 'farthest' <= 'all' and 'nearest' lies between", () => {
    const zi = tf.tensor2d(rng.normalArray(10 * 3), [10, 3]);
    const zj = tf.tensor2d(rng.normalArray(10 * 3), [10, 3]);
    const all = value(distanceInfoNCE(zi, zj, { negatives: 'all' }));
    expect(value(distanceInfoNCE(zi, zj, { negatives: 'farthest', maxNegatives: 100, negativeFraction: 1 }))).toBeCloseTo(all, 5);
    const far = value(distanceInfoNCE(zi, zj, { negatives: 'farthest', maxNegatives: 3 }));
    const near = value(distanceInfoNCE(zi, zj, { negatives: 'nearest', maxNegatives: 3 }));
    expect(far).toBeLessThan(near);
    expect(near).toBeLessThan(all);
    expect(negativesPerAnchor(10, { negatives: 'farthest' })).toBe(7); // floor(0.7 * 10), official
    tf.dispose([zi, zj]);
  });

  it('gradient flows through the selected distances (farthest negatives too)', () => {
    const zi = tf.tensor2d(rng.normalArray(6 * 3), [6, 3]);
    const zj = tf.tensor2d(rng.normalArray(6 * 3), [6, 3]);
    const g = tf.grad((a: tf.Tensor) => distanceInfoNCE(a, zj, { negatives: 'farthest', maxNegatives: 2 }))(zi);
    expect(value(tf.sum(tf.abs(g)))).toBeGreaterThan(1e-3);
    tf.dispose([zi, zj, g]);
  });

  it('rejects tau <= 0, a batch of one row and mismatched views', () => {
    const z = tf.ones([4, 2]);
    const one = tf.ones([1, 2]);
    const other = tf.ones([4, 3]);
    expect(() => distanceInfoNCE(z, z, { temperature: 0 })).toThrow(OptionError);
    expect(() => distanceInfoNCE(one, one)).toThrow(ShapeError);
    expect(() => distanceInfoNCE(z, other)).toThrow(/zj: expected shape \[4, 2\]/);
    tf.dispose([z, one, other]);
  });
});

describe('featureMask', () => {
  it('zeros exactly floor(rho D) leading coordinates', () => {
    const z = tf.ones([3, 7]);
    const m = featureMask(z, 0.5);
    expect(Array.from(m.dataSync().slice(0, 7))).toEqual([0, 0, 0, 1, 1, 1, 1]);
    tf.dispose([z, m]);
  });

  it('rho = 0 is the identity', () => {
    const z = tf.tensor2d(rng.normalArray(12), [3, 4]);
    const m = featureMask(z, 0);
    expect(Array.from(m.dataSync())).toEqual(Array.from(z.dataSync()));
    tf.dispose([z, m]);
  });

  it("rho = 1 makes the loss the constant log(K + 1), K = B - 1 for 'all'", () => {
    const zi = featureMask(tf.tensor2d(rng.normalArray(24), [6, 4]), 1);
    const zj = featureMask(tf.tensor2d(rng.normalArray(24), [6, 4]), 1);
    expect(value(distanceInfoNCE(zi, zj))).toBeCloseTo(Math.log(6), 4);
    tf.dispose([zi, zj]);
  });

  it("'random' zeroes floor(rho D) coordinates, reproducibly for a seed", () => {
    const a = featureMaskRow(10, 0.3, 'random', createRng(1));
    const b = featureMaskRow(10, 0.3, 'random', createRng(1));
    expect(a.filter((v) => v === 0).length).toBe(3);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
