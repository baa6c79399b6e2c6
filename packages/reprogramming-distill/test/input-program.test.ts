import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError } from '@paperkit/tensor-core';
import { InputProgram, borderMask, minibatchFeatureCKA, teacherFeatureFn } from '../src/index.js';
import { setupBackend, tinyTeacher, toyData } from './helpers.js';

beforeAll(setupBackend);

describe('input program and evaluation helpers', () => {
  it('borderMask marks exactly the frame of width `border`', () => {
    const m = borderMask(5, 4, 2, 1);
    const v = m.arraySync() as number[][][];
    expect(v[0][0]).toEqual([1, 1]);
    expect(v[2][1]).toEqual([0, 0]);
    expect(v[4][3]).toEqual([1, 1]);
    expect(tf.sum(m).dataSync()[0]).toBe(2 * (5 * 4 - 3 * 2));
    m.dispose();
  });

  it('x + m * delta: identity at start, masked positions only, and a mask of the wrong shape is refused', () => {
    const mask = tf.tensor1d([1, 0, 1]);
    const p = new InputProgram([3], mask);
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(p.apply(x).dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    p.delta.assign(tf.tensor1d([10, 10, 10]));
    expect(Array.from(p.apply(x).dataSync())).toEqual([11, 2, 13, 14, 5, 16]);
    expect(() => new InputProgram([3], tf.ones([4]))).toThrow(ShapeError);
    p.dispose();
    tf.dispose([mask, x]);
  });

  it('minibatch CKA of a feature function with itself is 1 (and < 1 against another layer)', () => {
    const teacher = tinyTeacher(4);
    const data = toyData(64);
    const feat = teacherFeatureFn(teacher, 'feat');
    expect(minibatchFeatureCKA(feat, feat, data.x, 16)).toBeCloseTo(1, 4);
    expect(minibatchFeatureCKA(feat, (x) => x, data.x, 16)).toBeLessThan(0.99);
    data.x.dispose();
  });
});
