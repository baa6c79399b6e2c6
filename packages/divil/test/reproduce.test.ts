import { rowsFromSeeds } from '@paperkit/tensor-core';
import { describe, expect, it } from 'vitest';
import { pairedDifference, reproduction, rowName } from '../src/reproduce/index.js';

function decideOn(irm: number[], divil: number[]) {
  const perSeed = irm.map((v, i) => ({
    [rowName('digits', 'ERM')]: { test: 10 },
    [rowName('digits', 'IRM')]: { test: v },
    [rowName('digits', 'VREx')]: { test: v },
    [rowName('digits', 'IRM+DivIL')]: { test: divil[i] },
    [rowName('digits', 'VREx+DivIL')]: { test: v },
  }));
  const rows = rowsFromSeeds(perSeed);
  const values = (method: string, name: string) => [...rows.find((r) => r.method === method)!.metrics[name].values];
  return {
    rows,
    ...reproduction.definition.decide({
      rows, quick: false, seeds: irm.map((_, i) => i), details: [], flags: { dataset: 'digits', grid: 'coordinate' }, tables: {}, values, metric: () => 0,
    }),
  };
}

describe('reproduction rule', () => {
  it('paired differences: mean, sd and wins per seed', () => {
    const p = pairedDifference([3, 5, 4], [1, 6, 2]);
    expect(p.values).toEqual([2, -1, 2]);
    expect(p.mean).toBeCloseTo(1, 12);
    expect(p.wins).toBe(2);
    expect(p.std).toBeCloseTo(Math.sqrt(3), 12);
  });

  it('holds only when the paired mean is > 0 AND a majority of seeds improve', () => {
    expect(decideOn([60, 60, 60, 60, 60], [61, 61, 61, 59, 59.5]).holds).toBe(true); // mean +0.3, 3/5
    expect(decideOn([60, 60, 60, 60, 60], [70, 59, 59, 59, 61]).holds).toBe(false); // mean +1.6 but 2/5
    expect(decideOn([60, 60, 60, 60, 60], [60.1, 60.1, 60.1, 55, 55]).holds).toBe(false); // 3/5 but mean < 0
    const r = decideOn([60, 60, 60, 60, 60], [59, 59, 59, 59, 59]);
    expect(r.verdict).toMatch(/does not hold/);
    expect(r.verdict).toMatch(/better in 0\/5 seeds/);
  });

});
