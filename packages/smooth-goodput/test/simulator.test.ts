import { describe, expect, it } from 'vitest';
import { OptionError } from '@paperkit/tensor-core/base';
import { generateWorkload, iterationMs, simulate, simulateDetailed, type WorkloadRequest } from '../src/index.js';

describe('cost model and simulator hand values', () => {
  it('a lone 100-token prompt at λ -> 0 has TTFT 25.79 ms (16.46 + 0.09265·100 + 6.475e-6·100²)', () => {
    expect(iterationMs({ prefillTokens: 100, prefillSquares: 100 * 100, decodeSeqs: 0, decodeContext: 0 })).toBeCloseTo(25.78975, 9);
    const traces = simulate([{ id: '0', arrival: 5, promptTokens: 100, outputTokens: 3, priority: 0 }]);
    expect((traces[0].tokenTimes[0] - 5) * 1000).toBeCloseTo(25.79, 2);
  });

  it('decode switches profile at B = 95 and mixed iterations keep only the prefill intercept', () => {
    expect(iterationMs({ prefillTokens: 0, prefillSquares: 0, decodeSeqs: 10, decodeContext: 1000 })).toBeCloseTo(19.93 + 0.6269 + 0.3851, 9);
    expect(iterationMs({ prefillTokens: 0, prefillSquares: 0, decodeSeqs: 100, decodeContext: 1000 })).toBeCloseTo(7.166 + 0.5798 + 15.83, 9);
    expect(iterationMs({ prefillTokens: 100, prefillSquares: 1e4, decodeSeqs: 10, decodeContext: 1000 })).toBeCloseTo(25.78975 + 0.6269 + 0.3851, 9);
  });
});

describe('simulator invariants', () => {
  const w = generateWorkload({ seed: 1, n: 300, rate: 6 });

  it('emits every token exactly once, in time order, never before arrival', () => {
    const traces = simulate(w);
    traces.forEach((t, i) => {
      expect(t.status ?? 'completed').toBe('completed');
      expect(t.tokenTimes.length).toBe(w[i].outputTokens);
      expect(t.tokenTimes[0]).toBeGreaterThan(w[i].arrival);
      for (let k = 1; k < t.tokenTimes.length; k++) expect(t.tokenTimes[k]).toBeGreaterThan(t.tokenTimes[k - 1]);
    });
  });

  it('keeps KV use within capacity, preempting (and recomputing) under a small cache', () => {
    for (const scheduler of ['prefill-first', 'chunked'] as const) {
      const { traces, stats } = simulateDetailed(w, { kvCapacityTokens: 6000, scheduler });
      expect(stats.peakKvBlocks).toBeLessThanOrEqual(stats.kvCapacityBlocks);
      expect(stats.preemptions).toBeGreaterThan(0);
      traces.forEach((t, i) => expect(t.tokenTimes.length).toBe(w[i].outputTokens));
    }
  });

  it('serves in FCFS order at light load (first tokens in arrival order)', () => {
    const light = generateWorkload({ seed: 2, n: 100, rate: 0.5 });
    const firsts = simulate(light).map((t) => t.tokenTimes[0]);
    for (let i = 1; i < firsts.length; i++) expect(firsts[i]).toBeGreaterThanOrEqual(firsts[i - 1]);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = simulate(generateWorkload({ seed: 4, n: 100, rate: 5 }), { scheduler: 'chunked' });
    const b = simulate(generateWorkload({ seed: 4, n: 100, rate: 5 }), { scheduler: 'chunked' });
    const c = simulate(generateWorkload({ seed: 5, n: 100, rate: 5 }), { scheduler: 'chunked' });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('chunked prefill bounds decode stalls that prefill-first lets grow with long prompts', () => {
    const lc = generateWorkload({ seed: 0, n: 60, rate: 0.5, lengths: 'long-context' });
    const maxGap = (ts: ReturnType<typeof simulate>) => Math.max(...ts.flatMap((t) => t.tokenTimes.slice(1).map((x, k) => x - t.tokenTimes[k])));
    expect(maxGap(simulate(lc, { scheduler: 'chunked' }))).toBeLessThan(maxGap(simulate(lc, { scheduler: 'prefill-first' })));
  });

  it('drop-on-miss aborts at the moment of the miss and frees the request', () => {
    const { traces, stats } = simulateDetailed(w, { kvCapacityTokens: 6000, policy: { kind: 'drop-on-miss', tbtMs: 300 } });
    expect(stats.dropped).toBeGreaterThan(0);
    for (const t of traces) {
      if (t.status !== 'dropped') continue;
      const last = t.tokenTimes.length ? t.tokenTimes[t.tokenTimes.length - 1] : t.arrival;
      expect(t.droppedAt).toBeCloseTo(t.tokenTimes.length ? last + 0.3 : t.arrival, 9);
    }
  });

  it('priority policy serves class 0 before class 1 when both wait', () => {
    const burst: WorkloadRequest[] = Array.from({ length: 40 }, (_, i) => ({ id: String(i), arrival: 0, promptTokens: 1500, outputTokens: 5, priority: i < 20 ? 1 : 0 }));
    const traces = simulate(burst, { policy: { kind: 'priority' } });
    const meanTtft = (cls: number) => {
      const sel = traces.filter((_, i) => burst[i].priority === cls);
      return sel.reduce((a, t) => a + t.tokenTimes[0], 0) / sel.length;
    };
    expect(meanTtft(0)).toBeLessThan(meanTtft(1));
  });

  it('admission reject fails requests beyond the queue limit; bad options throw OptionError', () => {
    const { traces, stats } = simulateDetailed(generateWorkload({ seed: 0, n: 200, rate: 50 }), { admission: { maxWaiting: 5 } });
    expect(stats.rejected).toBeGreaterThan(0);
    expect(traces.filter((t) => t.status === 'failed').length).toBe(stats.rejected);
    expect(() => simulate(w, { scheduler: 'nope' as never })).toThrow(OptionError);
    expect(() => simulate(w, { policy: { kind: 'drop-on-miss' } })).toThrow(OptionError);
    expect(() => generateWorkload({ rate: -1 })).toThrow(OptionError);
  });

  it('ShareGPT-like lengths have the spec medians (prompt ≈ 110, output ≈ 220)', () => {
    const big = generateWorkload({ seed: 0, n: 20000, rate: 1 });
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
    expect(Math.abs(median(big.map((r) => r.promptTokens)) - 110)).toBeLessThan(8);
    expect(Math.abs(median(big.map((r) => r.outputTokens)) - 221)).toBeLessThan(10);
    const gaps = big.slice(1).map((r, i) => r.arrival - big[i].arrival);
    expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeCloseTo(1, 1);
  });
});
