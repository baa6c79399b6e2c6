import { describe, expect, it } from 'vitest';
import { rowsFromSeeds } from '@paperkit/tensor-core';
import { decideFineTune, decideNoFineTune } from '../../src/reproduce/decide.js';
import { FT, FT_ROWS, METHODS, TASK_VECTORS } from '../../src/reproduce/methods.js';

type Seed = Record<string, Record<string, number>>;

function noFineTuneSeed(over: Seed = {}): Seed {
  const base: Seed = {};
  for (const m of Object.values(METHODS)) base[m] = { nll: 2 };
  base[METHODS.d] = { nll: 2.2, route_acc: 0.5 };
  base[METHODS.f] = { nll: 2.0, route_acc: 0.5 };
  base[METHODS.g] = { nll: 2.1, route_acc: 0.5 };
  base[METHODS.h] = { nll: 1.5, route_acc: 0.97 };
  base[TASK_VECTORS] = { cosine: 0.2, sign_conflict: 0.4 };
  return { ...base, ...over };
}

/** One seed's fine-tuning rows: avg / TIES / DARE full-FT NLL at 50% and 100%. */
function ftSeed(avg: [number, number], ties: [number, number], dare: [number, number]): Seed {
  const s: Seed = {};
  for (const m of FT_ROWS) s[m] = { 'nll@50%': 3, 'nll@100%': 3 };
  s[FT.avgFull] = { 'nll@50%': avg[0], 'nll@100%': avg[1] };
  s[FT.tiesFull] = { 'nll@50%': ties[0], 'nll@100%': ties[1] };
  s[FT.dareFull] = { 'nll@50%': dare[0], 'nll@100%': dare[1] };
  return s;
}

describe('the issue-3 rule (no fine-tuning), still reported', () => {
  it('holds when TIES/DARE beat averaged shared layers and PPL routing is accurate and best', () => {
    expect(decideNoFineTune(rowsFromSeeds([noFineTuneSeed()])).holds).toBe(true);
  });
  it('fails when neither TIES nor DARE beats averaged shared layers', () => {
    const r = decideNoFineTune(rowsFromSeeds([noFineTuneSeed({ [METHODS.f]: { nll: 2.3 }, [METHODS.g]: { nll: 2.25 } })]));
    expect(r.holds).toBe(false);
    expect(r.verdict).toMatch(/NOT lower/);
  });
  it('fails when PPL routing accuracy is below 0.9 or another merge has lower NLL', () => {
    expect(decideNoFineTune(rowsFromSeeds([noFineTuneSeed({ [METHODS.h]: { nll: 1.5, route_acc: 0.8 } })])).holds).toBe(false);
    expect(decideNoFineTune(rowsFromSeeds([noFineTuneSeed({ [METHODS.i]: { nll: 1.4 } })])).holds).toBe(false);
  });
});

describe('the issue-19 rule (after full fine-tuning, 50% and 100%, mean and >= 2 of 3 seeds)', () => {
  it('holds when the better of TIES/DARE beats averaged at both points on the mean and in 2 of 3 seeds', () => {
    const rows = rowsFromSeeds([ftSeed([1.0, 0.9], [0.95, 0.85], [1.1, 1.0]), ftSeed([1.0, 0.9], [0.9, 0.8], [1.2, 1.0]), ftSeed([1.0, 0.9], [1.02, 0.91], [1.1, 1.0])]);
    const r = decideFineTune(rows);
    expect(r.holds).toBe(true);
    expect(r.points.map((p) => [p.better, p.wins])).toEqual([['TIES', 2], ['TIES', 2]]);
  });
  it('fails when the mean is lower but only 1 of 3 seeds is', () => {
    const rows = rowsFromSeeds([ftSeed([1.0, 0.9], [0.5, 0.5], [2, 2]), ftSeed([1.0, 0.9], [1.01, 0.91], [2, 2]), ftSeed([1.0, 0.9], [1.01, 0.91], [2, 2])]);
    const r = decideFineTune(rows);
    expect(r.holds).toBe(false);
    expect(r.verdict).toMatch(/1\/3 seeds: NOT enough/);
  });
  it('fails when it holds at 100% but not at 50%', () => {
    const rows = rowsFromSeeds([0, 1, 2].map(() => ftSeed([1.0, 0.9], [1.05, 0.8], [1.06, 0.85])));
    const r = decideFineTune(rows);
    expect(r.points.map((p) => p.holds)).toEqual([false, true]);
    expect(r.holds).toBe(false);
  });
});
