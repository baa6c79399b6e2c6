import { describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import { accuracy, argmaxRows, confusionMatrix } from '../../src/metrics/classification.js';

describe('accuracy', () => {
  it('is the share of equal labels, excluding ignore (-1) and NaN', () => {
    expect(accuracy([0, 1, 2, 1], [0, 1, 1, 1])).toBe(0.75);
    expect(accuracy([0, -1, 2, NaN], [0, 5, 1, 1])).toBe(0.5);
    expect(accuracy([0, 1], [NaN, 1])).toBe(1);
    expect(accuracy([3, 9], [3, 1], { ignore: 9 })).toBe(1);
    expect(accuracy(Int32Array.from([1, 2]), Float32Array.from([1, 2]))).toBe(1);
  });

  it('is NaN when nothing is left and throws on a length mismatch', () => {
    expect(accuracy([-1, -1], [0, 0])).toBeNaN();
    expect(() => accuracy([0], [0, 1])).toThrow(ShapeError);
  });
});

describe('argmaxRows', () => {
  it('returns the per-row argmax of a row-major array (first index on ties)', () => {
    const v = Float32Array.from([0.1, 0.7, 0.2, 5, 5, -1, -3, -2, -9]);
    expect(Array.from(argmaxRows(v, 3))).toEqual([1, 0, 1]);
    expect(() => argmaxRows(v, 4)).toThrow(ShapeError);
    expect(() => argmaxRows(v, 0)).toThrow(OptionError);
  });
});

describe('confusionMatrix', () => {
  it('counts [true][pred] pairs and skips ignored labels', () => {
    const m = confusionMatrix([0, 0, 1, 2, 2, -1], [0, 1, 1, 2, 0, 2], 3);
    expect(m).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 1],
    ]);
  });

  it('throws on labels outside [0, numClasses)', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/yTrue\[1\]/);
    expect(() => confusionMatrix([0, 1], [0, 7], 3)).toThrow(OptionError);
  });
});
