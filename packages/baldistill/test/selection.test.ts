import { describe, expect, it } from 'vitest';
import { kCenterGreedy, runBalDistill, type Embedder } from '../src/index.js';
import { CountingTeacher, FakeStudent, numberPool } from './helpers.js';

/** Inputs are integers; the embedding puts input x at (x mod 10, 0). */
const embedder: Embedder<number> = { embed: async (xs) => xs.map((x) => Float32Array.of(x % 10, 0)) };

describe('selection beyond IFD', () => {
  it('greedy k-center takes the farthest point from every center each time', () => {
    const pts = [0, 1, 2, 9, 10].map((v) => Float32Array.of(v));
    expect(kCenterGreedy(pts, [Float32Array.of(0)], 2)).toEqual([4, 2]);
    expect(kCenterGreedy(pts, [], 3, 1)).toEqual([1, 4, 0]); // ties go to the first index
  });

  it("selection 'kcenter' spreads a head domain's picks over the embedding space", async () => {
    const pool = numberPool([100, 3]);
    const res = await runBalDistill({ pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 40, stages: 2, policy: 'naive', selection: 'kcenter', embedder, seed: 1 });
    const ids = res.stages[1].domains.d0.selected;
    const used = new Set(pool.filter((e) => ids.includes(e.id)).map((e) => e.input % 10));
    expect(res.stages[1].domains.d0.by).toBe('kcenter');
    expect(used.size).toBe(10); // 10 picks, every residue covered
  });

  it('dedupeSynthetic drops synthetic near-duplicates (still charged)', async () => {
    const pool = numberPool([40, 1]);
    const res = await runBalDistill({ pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 20, policy: 'balance', embedder, dedupeSynthetic: 0.999, seed: 0 });
    const d1 = res.stages[0].domains.d1;
    expect(d1.synthRequested).toBe(9);
    expect(d1.synthKept).toBeLessThan(9);
    expect(res.ledger.spent).toBe(20);
  });

  it("adaptiveCounts 'sampled' takes the stage-0 global random sample itself", async () => {
    const pool = numberPool([1000, 217, 89, 47, 28, 19, 13, 10]);
    const res = await runBalDistill({ pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 400, stages: 4, policy: 'adaptive', adaptiveCounts: 'sampled', seed: 2 });
    const s0 = res.stages[0];
    expect(Object.values(s0.counts).reduce((a, b) => a + b)).toBe(100);
    expect(Object.values(s0.domains).every((d) => d.selected.length === d.count)).toBe(true);
    expect(res.ledger.spent).toBeLessThanOrEqual(400);
  });
});
