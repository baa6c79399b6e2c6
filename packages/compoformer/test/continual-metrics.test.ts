import { describe, expect, it } from 'vitest';
import { aucForwardTransfer, continualMetrics } from '../src/continual-metrics.js';

describe('continualMetrics (spec section 7, by hand)', () => {
  const a = [
    [0.8, 0.1, 0],
    [0.5, 0.9, 0.2],
    [0.4, 0.7, 1],
  ];

  it('gives P .7, F .2, BWT -.3, FWT .15 on the hand-made matrix with a0 = 0', () => {
    const m = continualMetrics(a);
    expect(m.P).toBeCloseTo(0.7, 12);
    expect(m.F).toBeCloseTo(0.2, 12);
    expect(m.BWT).toBeCloseTo(-0.3, 12);
    expect(m.FWT).toBeCloseTo(0.15, 12);
  });

  it('subtracts a0 from the zero-shot successes in FWT', () => {
    expect(continualMetrics(a, [0, 0.1, 0.1]).FWT).toBeCloseTo(0.05, 12);
  });

  it('ignores unmeasured (NaN) cells the formulas do not read', () => {
    const sparse = a.map((row) => [...row]);
    sparse[0][2] = Number.NaN;
    expect(continualMetrics(sparse)).toEqual(continualMetrics(a));
  });

  it('zero forgetting when the diagonal equals the last row', () => {
    const m = continualMetrics([[1, 0], [1, 1]]);
    expect(m.F).toBe(0);
    expect(m.BWT).toBe(0);
  });

  it('throws on a non-square matrix, NaN in a used cell, or a wrong-length a0', () => {
    expect(() => continualMetrics([[1, 0]])).toThrow(/row 0/);
    expect(() => continualMetrics([[Number.NaN, 0], [1, 1]])).toThrow(/matrix\[0\]\[0\]/);
    expect(() => continualMetrics(a, [0, 0])).toThrow(/init/);
    expect(() => continualMetrics([])).toThrow(/N >= 1/);
  });

  it('AUC forward transfer is 0 for a curve equal to its reference and 1 for an instantly perfect one', () => {
    expect(aucForwardTransfer([[0.2, 0.6]], [[0.2, 0.6]])).toBe(0);
    expect(aucForwardTransfer([[1, 1]], [[0.2, 0.6]])).toBeCloseTo(1, 12);
  });
});
