import { describe, expect, it } from 'vitest';
import { rowsFromSeeds } from '@paperkit/tensor-core';
import { decideHolds, METHODS } from '../../src/reproduce/run.js';

function rows(over: Record<string, Record<string, number>>) {
  const base: Record<string, Record<string, number>> = {};
  for (const m of Object.values(METHODS)) base[m] = { nll: 2 };
  base[METHODS.d] = { nll: 2.2, route_acc: 0.5 };
  base[METHODS.f] = { nll: 2.0, route_acc: 0.5 };
  base[METHODS.g] = { nll: 2.1, route_acc: 0.5 };
  base[METHODS.h] = { nll: 1.5, route_acc: 0.97 };
  base['shared task vectors'] = { cosine: 0.2, sign_conflict: 0.4 };
  return rowsFromSeeds([{ ...base, ...over }]);
}

describe('the issue rule for holds', () => {
  it('holds when TIES/DARE beat averaged shared layers and PPL routing is accurate and best', () => {
    expect(decideHolds({ rows: rows({}) }).holds).toBe(true);
  });
  it('fails when neither TIES nor DARE beats averaged shared layers', () => {
    const r = decideHolds({ rows: rows({ [METHODS.f]: { nll: 2.3 }, [METHODS.g]: { nll: 2.25 } }) });
    expect(r.holds).toBe(false);
    expect(r.verdict).toMatch(/NOT lower/);
  });
  it('fails when PPL routing accuracy is below 0.9 or another merge has lower NLL', () => {
    expect(decideHolds({ rows: rows({ [METHODS.h]: { nll: 1.5, route_acc: 0.8 } }) }).holds).toBe(false);
    expect(decideHolds({ rows: rows({ [METHODS.i]: { nll: 1.4 } }) }).holds).toBe(false);
  });
});
