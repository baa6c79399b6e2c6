import { describe, expect, it } from 'vitest';
import { createRng } from '@paperkit/tensor-core';
import { METHODS, decide } from '../src/reproduce/run.js';
import { downstreamLabel, makeWorld, sampleWorld, sourceLabel } from '../src/reproduce/data.js';

describe('reproduction world (spec section 5)', () => {
  it('labels follow the spec: 4-bit sign code of z1..z4 and the three-way downstream rule', () => {
    expect(sourceLabel([1, -1, 1, 1, 0, 0, 0, 0])).toBe(0b1101);
    expect(sourceLabel([-1, -1, -1, -1])).toBe(0);
    expect(downstreamLabel([0.4, 0.2, -1, -1])).toBe(0);
    expect(downstreamLabel([0.2, 0.2, -1, -1])).toBe(1);
    expect(downstreamLabel([0.2, 0.2, -1, 1])).toBe(2);
  });

  it('is seeded: same seed, same samples; the classes are all present', () => {
    const a = sampleWorld(makeWorld(3), 300, createRng(1));
    const b = sampleWorld(makeWorld(3), 300, createRng(1));
    expect(Array.from(a.x.slice(0, 20))).toEqual(Array.from(b.x.slice(0, 20)));
    expect(new Set(a.downstream).size).toBe(3);
    expect(new Set(a.source).size).toBeGreaterThan(10);
  });
});

describe('decide (the issue rule on the means over seeds)', () => {
  const table = (values: Record<string, number[]>) => ({
    quick: false,
    seeds: [0, 1],
    metric: (m: string) => values[m].reduce((a, b) => a + b, 0) / values[m].length,
    values: (m: string) => values[m],
  });
  const base = { [METHODS.student]: [0.7, 0.7], [METHODS.probe]: [0.77, 0.77], [METHODS.rdMse]: [0.74, 0.76] };

  it('holds when RD >= best of KD/FitNets + 0.01 and >= student only + 0.03', () => {
    const r = decide(table({ ...base, [METHODS.rd]: [0.76, 0.76], [METHODS.kd]: [0.745, 0.745], [METHODS.fitnets]: [0.74, 0.74] }));
    expect(r.holds).toBe(true);
    expect(r.verdict).toMatch(/RD full 0\.760 vs best student-side baseline Hinton KD 0\.745 \(\+0\.015, RD ahead in 2\/2 seeds\)/);
  });

  it('does not hold when the best student-side baseline is within 0.01, and says which gap was missed', () => {
    const r = decide(table({ ...base, [METHODS.rd]: [0.76, 0.76], [METHODS.kd]: [0.74, 0.74], [METHODS.fitnets]: [0.755, 0.755] }));
    expect(r.holds).toBe(false);
    expect(r.verdict).toMatch(/Missed: the gap to FitNets/);
  });

  it('does not hold when the student-only gap is under 0.03', () => {
    const r = decide(table({ ...base, [METHODS.student]: [0.74, 0.74], [METHODS.rd]: [0.76, 0.76], [METHODS.kd]: [0.7, 0.7], [METHODS.fitnets]: [0.7, 0.7] }));
    expect(r.holds).toBe(false);
    expect(r.verdict).toMatch(/student only/);
  });
});
