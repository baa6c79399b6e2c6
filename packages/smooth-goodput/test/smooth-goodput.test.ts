import { describe, expect, it } from 'vitest';
import { OptionError, createRng } from '@paperkit/tensor-core/base';
import { goodput, smoothGoodput, type Trace } from '../src/index.js';
import { HAND_PAIR } from './fixtures.js';

describe('smooth goodput (Eq. 10–11) hand values of spec §7', () => {
  it('T = 10 s, speed 5, α = 2.5: benefits 10 and −9.5, smooth goodput 0.05, goodputTok 1.0, goodputReq 0.1', () => {
    const r = smoothGoodput(HAND_PAIR, { readingSpeed: 5, alpha: 2.5, window: [0, 10] });
    expect(r.perRequest.idle[0]).toBeCloseTo(0, 12);
    expect(r.perRequest.idle[1]).toBeCloseTo(1, 12);
    expect(r.perRequest.benefit[0]).toBeCloseTo(10, 12);
    expect(r.perRequest.benefit[1]).toBeCloseTo(-9.5, 12);
    expect(r.smoothGoodput).toBeCloseTo(0.05, 12);
    expect(r.goodputTok).toBeCloseTo(1.0, 12);
    expect(r.goodputReq).toBeCloseTo(0.1, 12);
    expect(r.sloAttainment).toBe(0.5);
  });

  it('penalty options: seconds charges l, fraction charges n·min(1, l/maxIdle), custom gets (l, request), clamp floors at 0', () => {
    const opts = { readingSpeed: 5, alpha: 2.5, window: [0, 10] as [number, number] };
    expect(smoothGoodput(HAND_PAIR, { ...opts, penalty: 'seconds' }).perRequest.benefit[1]).toBeCloseTo(3 - 2.5, 12);
    expect(smoothGoodput(HAND_PAIR, { ...opts, penalty: 'fraction', maxIdle: 2 }).perRequest.benefit[1]).toBeCloseTo(3 - 2.5 * 3 * 0.5, 12);
    const seen: number[] = [];
    smoothGoodput(HAND_PAIR, { ...opts, penalty: (l, req) => (seen.push(req.tokens), l) });
    expect(seen).toEqual([10, 3]);
    expect(smoothGoodput(HAND_PAIR, { ...opts, clampBenefit: true }).perRequest.benefit[1]).toBe(0);
    expect(() => smoothGoodput(HAND_PAIR, { penalty: 'bogus' as never })).toThrow(OptionError);
    expect(() => smoothGoodput(HAND_PAIR, { alpha: -1 })).toThrow(OptionError);
  });
});

function randomTraces(seed: number, n = 30, gap = 0.05): Trace[] {
  const rng = createRng(seed);
  const out: Trace[] = [];
  for (let r = 0; r < n; r++) {
    const arrival = rng.uniform(0, 20);
    let t = arrival + rng.uniform(0.01, 0.15);
    const times: number[] = [];
    const m = 1 + rng.int(30);
    for (let i = 0; i < m; i++) {
      times.push(t);
      t += rng.bernoulli(0.05) ? rng.uniform(0.3, 2) : rng.uniform(0, gap);
    }
    out.push({ id: String(r), arrival, tokenTimes: times });
  }
  return out;
}

describe('smooth goodput identities (spec §7)', () => {
  it('when every deadline is met: all l_r = 0, smooth goodput = Σn/T and goodputReq = |R|/T', () => {
    const traces = randomTraces(1, 40, 0.05).map((t) => ({ ...t, tokenTimes: t.tokenTimes.map((_, i) => t.arrival + 0.1 * (i + 1)) }));
    const r = smoothGoodput(traces, { readingSpeed: 5 });
    const total = traces.reduce((a, t) => a + t.tokenTimes.length, 0);
    expect(Math.max(...r.perRequest.idle)).toBe(0);
    expect(r.smoothGoodput).toBeCloseTo(total / r.seconds, 9);
    expect(r.goodputReq).toBeCloseTo(traces.length / r.seconds, 9);
  });

  it('α = 0 turns smooth goodput into token throughput', () => {
    const traces = randomTraces(2);
    const r = smoothGoodput(traces, { alpha: 0 });
    expect(r.smoothGoodput).toBeCloseTo(r.tokenThroughput, 12);
  });

  it('is invariant to shifting every time by a constant and to writing times in ms', () => {
    const traces = randomTraces(3);
    const base = smoothGoodput(traces);
    const shifted = smoothGoodput(traces.map((t) => ({ ...t, arrival: t.arrival + 1234.5, tokenTimes: t.tokenTimes.map((x) => x + 1234.5) })));
    expect(shifted.smoothGoodput).toBeCloseTo(base.smoothGoodput, 6);
    expect(shifted.goodputReq).toBeCloseTo(base.goodputReq, 9);
    const ms = traces.map((t) => ({ ...t, arrival: t.arrival * 1000, tokenTimes: t.tokenTimes.map((x) => x * 1000) }));
    // speed in tokens per ms and penalty in tokens: the same numbers per ms
    const inMs = smoothGoodput(ms, { readingSpeed: 5 / 1000 });
    expect(inMs.smoothGoodput * 1000).toBeCloseTo(base.smoothGoodput, 6);
  });

  it('cutting the deadline-meeting tail of a request that already failed TBT keeps its TTFT+TBT goodput 0 but strictly lowers its benefit', () => {
    const full: Trace = { id: 'f', arrival: 0, tokenTimes: [0.1, 1.5, ...Array.from({ length: 20 }, (_, i) => 1.6 + 0.1 * i)] };
    const cut: Trace = { id: 'f', arrival: 0, tokenTimes: full.tokenTimes.slice(0, 4), status: 'dropped', droppedAt: full.tokenTimes[3] };
    const slo = { kind: 'ttft-tbt', ttft: 1, tbt: 0.5 } as const;
    const window: [number, number] = [0, 10];
    expect(goodput([full], slo, { window }).goodputReq).toBe(0);
    expect(goodput([cut], slo, { window }).goodputReq).toBe(0);
    const bFull = smoothGoodput([full], { window }).perRequest.benefit[0];
    const bCut = smoothGoodput([cut], { window }).perRequest.benefit[0];
    expect(bCut).toBeLessThan(bFull);
  });
});
