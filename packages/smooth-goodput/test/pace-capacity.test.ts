import { describe, expect, it } from 'vitest';
import { createRng } from '@paperkit/tensor-core/base';
import { generateWorkload, idleLatencies, pace, searchCapacity, searchCapacityDetailed, simulate, sloAttainment, type Trace } from '../src/index.js';

function randomTrace(rng: ReturnType<typeof createRng>, id: number): Trace {
  const arrival = rng.uniform(0, 10);
  let t = arrival + rng.uniform(0, 0.5);
  const times: number[] = [];
  const n = 1 + rng.int(60);
  for (let i = 0; i < n; i++) {
    times.push(t);
    t += rng.bernoulli(0.1) ? rng.uniform(0.2, 3) : rng.uniform(0, 0.08);
  }
  return { id: String(id), arrival, tokenTimes: times };
}

describe('pace(θ), the delay trick', () => {
  it('s_1 = t_1 and s_i = max(t_i, s_{i−1} + θ)', () => {
    const [p] = pace([{ id: 'a', arrival: 0, tokenTimes: [0.1, 0.12, 0.14, 0.5] }], 0.09);
    expect(p.tokenTimes.map((x) => Number(x.toFixed(9)))).toEqual([0.1, 0.19, 0.28, 0.5]);
  });

  it('never lowers any idle latency, and leaves it unchanged when θ ≤ V (property over random traces)', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 100; trial++) {
      const traces = Array.from({ length: 10 }, (_, i) => randomTrace(rng, i));
      const speed = rng.uniform(2, 40);
      const V = 1 / speed;
      const base = idleLatencies(traces, { readingSpeed: speed });
      const small = idleLatencies(pace(traces, V * rng.uniform(0, 1)), { readingSpeed: speed });
      const large = idleLatencies(pace(traces, V * rng.uniform(1, 5)), { readingSpeed: speed });
      for (let r = 0; r < traces.length; r++) {
        expect(small[r]).toBeCloseTo(base[r], 9);
        expect(large[r]).toBeGreaterThanOrEqual(base[r] - 1e-12);
      }
    }
  });

  it('improves chained-TBT attainment on a simulated trace', () => {
    const raw = simulate(generateWorkload({ seed: 0, n: 150, rate: 5 }));
    const slo = { kind: 'ttft-tbt', ttft: 1, tbt: 0.1 } as const;
    expect(sloAttainment(pace(raw, 0.09), slo)).toBeGreaterThan(sloAttainment(raw, slo));
  });
});

describe('capacity search by bisection', () => {
  it('finds a known threshold within eps and reports its probes', () => {
    const threshold = 5.3;
    const r = searchCapacityDetailed((rate) => rate, (rate) => rate <= threshold, { hi: 16, eps: 0.25 });
    expect(r.rate).toBeLessThanOrEqual(threshold);
    expect(threshold - r.rate).toBeLessThan(0.25);
    expect(r.failsAt).toBeGreaterThan(threshold);
    expect(searchCapacity((rate) => rate, () => true, { hi: 8 })).toBe(8);
  });
});
