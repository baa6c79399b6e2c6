import { describe, expect, it } from 'vitest';
import { OptionError } from '@paperkit/tensor-core/base';
import { goodput, sloAttainment, sloMask } from '../src/index.js';
import { FIG1_A, FIG1_B, HAND_PAIR } from './fixtures.js';

describe('per-token deadline SLOs (Eq. 1–7)', () => {
  it('TTFT+TBT is chained to the previous token: both Fig. 1 traces fail TBT 0.5 s, pass TBT 1.0 s', () => {
    expect(Array.from(sloMask([FIG1_A, FIG1_B], { kind: 'ttft-tbt', ttft: 1, tbt: 0.5 }))).toEqual([0, 0]);
    expect(Array.from(sloMask([FIG1_A, FIG1_B], { kind: 'ttft-tbt', ttft: 1, tbt: 1.0 }))).toEqual([1, 1]);
  });

  it('TPOT binds only first and last token: B (0.103 s) passes TPOT 0.12 s although its user waits', () => {
    expect(Array.from(sloMask([FIG1_A, FIG1_B], { kind: 'ttft-tpot', ttft: 1, tpot: 0.12 }))).toEqual([0, 1]);
  });

  it('E2E bounds the last token; the reading SLO (d_i = V·i) passes A and fails B at 4 tok/s', () => {
    expect(Array.from(sloMask([FIG1_A, FIG1_B], { kind: 'e2e', e2e: 2.5 }))).toEqual([0, 1]);
    expect(Array.from(sloMask([FIG1_A, FIG1_B], { kind: 'reading', speed: 4 }))).toEqual([1, 0]);
  });

  it('attainment is the share of requests meeting it, goodput counts requests and their tokens per second', () => {
    expect(sloAttainment(HAND_PAIR, { kind: 'reading', speed: 5 })).toBe(0.5);
    const g = goodput(HAND_PAIR, { kind: 'reading', speed: 5 }, { window: [0, 10] });
    expect(g.goodputReq).toBeCloseTo(0.1, 12);
    expect(g.goodputTok).toBeCloseTo(1, 12);
  });

  it('dropped and failed requests never meet an SLO', () => {
    const t = [{ id: 'd', arrival: 0, tokenTimes: [0.1], status: 'dropped' as const, droppedAt: 0.2 }];
    expect(sloMask(t, { kind: 'e2e', e2e: 100 })[0]).toBe(0);
  });

  it('rejects an unknown SLO kind or a non-positive bound with OptionError', () => {
    expect(() => sloMask(HAND_PAIR, { kind: 'nope' } as never)).toThrow(OptionError);
    expect(() => sloMask(HAND_PAIR, { kind: 'e2e', e2e: 0 })).toThrow(/slo.e2e/);
  });
});
