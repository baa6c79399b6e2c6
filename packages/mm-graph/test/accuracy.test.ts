import { describe, expect, it } from 'vitest';
import { accuracy } from '../src/index.js';

describe('accuracy over labelled nodes (spec §2 "Evaluation")', () => {
  it('ignores nodes whose label is -1', () => {
    expect(accuracy(Int32Array.from([0, -1, 2, 1, -1]), Int32Array.from([0, 3, 1, 1, 0]))).toBeCloseTo(2 / 3, 12);
  });
});
