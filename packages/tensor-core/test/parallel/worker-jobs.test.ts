import { describe, expect, it } from 'vitest';
import { defaultWorkerCount, runWorkerJobs } from '../../src/node.js';
import { defineReproduction } from '../../src/index.js';

const worker = { from: import.meta.url, name: 'square-worker' };

describe('runWorkerJobs', () => {
  it('runs every job on worker threads and returns results in job order, largest cost first', async () => {
    const jobs = [1, 2, 3, 4, 5].map((x) => ({ x }));
    const finished: number[] = [];
    const lines: string[] = [];
    const out = await runWorkerJobs<{ x: number }, { square: number }>(jobs, {
      worker, workers: 1, cost: (j) => j.x, onResult: (j) => finished.push(j.x), onLog: (j, line) => lines.push(`${j.x}: ${line}`),
    }).all();
    expect(out.map((r) => r.square)).toEqual([1, 4, 9, 16, 25]);
    expect(finished).toEqual([5, 4, 3, 2, 1]);
    expect(lines).toEqual([5, 4, 3, 2, 1].map((x) => `${x}: squaring ${x}`));
  }, 60_000);

  it('rejects with the failing job named, and stops', async () => {
    const run = runWorkerJobs<{ x: number }, unknown>([{ x: 2 }, { x: -1 }, { x: 3 }], { worker, workers: 2, label: (j) => `x=${j.x}` });
    await expect(run.all()).rejects.toThrow(/x=-1: RangeError: negative -1/);
    await expect(run.results[1]).rejects.toThrow(/negative -1/);
    // A lone failing job settles too (it is neither queued nor running when it fails).
    await expect(runWorkerJobs([{ x: -2 }], { worker }).all()).rejects.toThrow(/negative -2/);
  }, 60_000);

  it('defaults to the cores or PAPERKIT_WORKERS', () => {
    const saved = process.env.PAPERKIT_WORKERS;
    try {
      process.env.PAPERKIT_WORKERS = '3';
      expect(defaultWorkerCount()).toBe(3);
      delete process.env.PAPERKIT_WORKERS;
      expect(defaultWorkerCount()).toBeGreaterThanOrEqual(1);
    } finally {
      if (saved === undefined) delete process.env.PAPERKIT_WORKERS;
      else process.env.PAPERKIT_WORKERS = saved;
    }
  });
});

describe('defineReproduction runSeeds', () => {
  const decide = () => ({ holds: true, verdict: 'ok' });
  it('takes one outcome per seed from runSeeds, in seed order', async () => {
    const r = defineReproduction({
      package: 'x', claim: 'c', seeds: { full: 3, quick: 1 }, tensors: false, decide,
      runSeeds: async ({ seeds }) => seeds.map((s) => ({ metrics: { m: { v: s } } })),
    });
    const result = await r.run({ log: () => {} });
    expect(result.rows[0].metrics.v.values).toEqual([0, 1, 2]);
  });
  it('needs exactly one of runSeed and runSeeds, and one outcome per seed', async () => {
    expect(() => defineReproduction({ package: 'x', claim: 'c', seeds: { full: 1, quick: 1 }, decide } as never)).toThrow(/exactly one of runSeed and runSeeds/);
    const short = defineReproduction({ package: 'x', claim: 'c', seeds: { full: 2, quick: 1 }, tensors: false, decide, runSeeds: async () => [{ metrics: {} }] });
    await expect(short.run({ log: () => {} })).rejects.toThrow(/2 outcomes/);
  });
});
