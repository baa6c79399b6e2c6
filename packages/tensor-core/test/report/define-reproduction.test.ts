import { describe, expect, it } from 'vitest';
import { defineReproduction } from '../../src/report/define-reproduction.js';

const toy = defineReproduction({
  package: '@paperkit/toy',
  claim: 'A beats B by 0.1',
  seeds: { full: 3, quick: 1 },
  tensors: false,
  flags: { bonus: { type: 'number', default: 0, description: 'added to A' } },
  runSeed: ({ seed, flags }) => ({ metrics: { A: { acc: 0.5 + 0.1 * seed + flags.bonus }, B: { acc: 0.4 + 0.1 * seed } }, details: { seed } }),
  decide: ({ metric, values }) => {
    const gap = metric('A', 'acc') - metric('B', 'acc');
    return { holds: gap >= 0.1 - 1e-9, verdict: `gap ${gap.toFixed(2)}`, details: { wins: values('A', 'acc').length } };
  },
});

describe('defineReproduction', () => {
  it('runs seeds 0..n-1, summarises rows and judges the claim', async () => {
    const lines: string[] = [];
    const result = await toy.run({ log: (l) => lines.push(l) });
    expect(result.seeds).toEqual([0, 1, 2]);
    expect(result.backend).toBe('none');
    expect(result.rows.map((r) => r.method)).toEqual(['A', 'B']);
    expect(result.rows[0].metrics.acc.mean).toBeCloseTo(0.6);
    expect(result.holds).toBe(true);
    expect(result.verdict).toBe('gap 0.10');
    expect(result.details).toEqual({ perSeed: [{ seed: 0 }, { seed: 1 }, { seed: 2 }], wins: 3 });
    expect(lines).toEqual(['seed 1/3', 'seed 2/3', 'seed 3/3']);
  });

  it('uses the quick seed count, and flags reach runSeed', async () => {
    const result = await toy.run({ quick: true, flags: { bonus: -1 }, log: () => {} });
    expect(result.seeds).toEqual([0]);
    expect(result.quick).toBe(true);
    expect(result.holds).toBe(false);
  });

  it('rejects unknown flags and bad seed counts with option errors', async () => {
    await expect(toy.run({ flags: { nope: 1 } as never, log: () => {} })).rejects.toThrow(/--nope/);
    await expect(toy.run({ seeds: 0, log: () => {} })).rejects.toThrow(/seeds/);
  });
});
