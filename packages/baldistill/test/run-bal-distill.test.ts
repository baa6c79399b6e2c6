import { describe, expect, it } from 'vitest';
import { createRng, FormatError, OptionError } from '@paperkit/tensor-core';
import { POLICIES, memoryStateStore, runBalDistill, type Policy, type StageReport } from '../src/index.js';
import { CountingTeacher, FakeStudent, difficulty, numberPool } from './helpers.js';

const SIZES = [1000, 217, 89, 47, 28, 19, 13, 10];

describe('runBalDistill budget (property test)', () => {
  it('never spends past B or B_s, and makes no call after exhaustion, over random pools, budgets, K, policies and faulty teachers', async () => {
    const rng = createRng('budget-property');
    for (let trial = 0; trial < 60; trial++) {
      const l = 1 + rng.int(6);
      const sizes: number[] = Array.from({ length: l }, () => rng.int(40));
      if (!sizes.some((s) => s > 0)) sizes[0] = 1;
      const pool = numberPool(sizes);
      const budget = 1 + rng.int(120);
      const stages = 1 + rng.int(Math.min(6, budget));
      const policy = POLICIES[rng.int(POLICIES.length)] as Policy;
      const callCost = rng.bernoulli(0.3) ? 2 : 1;
      const teacher = new CountingTeacher({ failEvery: rng.bernoulli(0.4) ? 2 + rng.int(5) : undefined, shortBy: rng.int(3), wrongEvery: 3 });
      let calls = 0;
      const counted = {
        annotate: (ex: Parameters<CountingTeacher['annotate']>[0]) => (calls++, teacher.annotate(ex)),
        synthesize: (d: string, demos: Parameters<CountingTeacher['synthesize']>[1], n: number) => ((calls += 1), teacher.synthesize(d, demos, n)),
      };
      const res = await runBalDistill({ pool, teacher: counted, student: new FakeStudent(), budget, stages, policy, callCost, seed: trial, onTeacherError: 'skip', concurrency: 1 + rng.int(4), charge: rng.bernoulli(0.5) ? 'requested' : 'returned' });
      const K = ['random', 'duplicate', 'balance', 'headOnly'].includes(policy) ? 1 : stages;
      const cap = Math.floor(budget / K);
      expect(res.ledger.spent).toBeLessThanOrEqual(budget);
      res.ledger.summary().perStage.forEach((c) => expect(c).toBeLessThanOrEqual(cap));
      expect(calls).toBe(res.ledger.calls); // every teacher call is on the ledger, none off it
    }
  });
});

describe('runBalDistill loop semantics (spec section 7)', () => {
  const pool = numberPool(SIZES);

  it('BalDistill-A uses the spec counts: 381 calls over 4 stages for B 400', async () => {
    const res = await runBalDistill({ pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 400, stages: 4, policy: 'adaptive', seed: 1 });
    expect(res.stages.map((s) => s.cost)).toEqual([96, 95, 95, 95]);
    expect(res.ledger.spent).toBe(381);
    expect(Object.values(res.stages[0].counts)).toEqual([70, 15, 6, 3, 1, 1, 0, 0]);
  });

  it('never selects an input twice; synthesises only where |R_d| < c_d, exactly c_d - |R_d| items', async () => {
    const teacher = new CountingTeacher();
    const reports: StageReport[] = [];
    const res = await runBalDistill({ pool, teacher, student: new FakeStudent(), budget: 400, stages: 4, policy: 'naive', seed: 2, onStage: (r) => void reports.push(r) });
    expect(new Set(teacher.annotated).size).toBe(teacher.annotated.length);
    const left = new Map(SIZES.map((n, d) => [`d${d}`, n]));
    for (const r of reports) {
      for (const [d, rep] of Object.entries(r.domains)) {
        const R = left.get(d)!;
        expect(rep.poolBefore).toBe(R);
        if (R >= rep.count) {
          expect(rep.synthRequested).toBe(0);
          expect(rep.selected.length).toBe(rep.count);
        } else {
          expect(rep.selected.length).toBe(R);
          expect(rep.synthRequested).toBe(rep.count - R);
        }
        left.set(d, R - rep.selected.length);
      }
    }
    expect(res.ledger.spent).toBe(384);
    // synthesis demos are the domain's kept real examples
    expect(teacher.synthRequests.find((q) => q.domain === 'd7')!.demos).toBeGreaterThan(0);
  });

  it('stage 0 never scores IFD; later head selection takes the highest IFD', async () => {
    const student = new FakeStudent();
    const res = await runBalDistill({ pool, teacher: new CountingTeacher(), student, budget: 400, stages: 4, policy: 'naive', seed: 3 });
    expect(res.stages[0].ifdScored).toBe(0);
    expect(res.stages[1].ifdScored).toBeGreaterThan(0);
    const d0 = res.stages[1].domains.d0;
    expect(d0.by).toBe('ifd');
    const remaining = pool.filter((e) => e.domain === 'd0' && !res.stages[0].domains.d0.selected.includes(e.id));
    const best = [...remaining].sort((a, b) => difficulty(b.input) - difficulty(a.input)).slice(0, d0.count).map((e) => e.id);
    expect(d0.selected).toEqual(best);
  });

  it('filtered items are charged but not trained on; stage i trains on the union of stages 0..i', async () => {
    const student = new FakeStudent();
    const res = await runBalDistill({ pool, teacher: new CountingTeacher({ wrongEvery: 4 }), student, budget: 400, stages: 4, policy: 'naive', seed: 4 });
    const filtered = res.stages.reduce((a, s) => a + Object.values(s.domains).reduce((b, d) => b + d.filtered, 0), 0);
    expect(filtered).toBeGreaterThan(50);
    expect(res.ledger.spent).toBe(384);
    expect(res.data.length).toBe(384 - filtered);
    for (let i = 1; i < student.fits.length; i++) {
      const prev = new Set(student.fits[i - 1].ids);
      expect(student.fits[i].ids.filter((id) => prev.has(id)).length).toBe(prev.size);
      expect(student.fits[i].stage).toBe(i);
    }
    expect(student.resets).toBe(4);
  });

  it('the same seed gives an identical ledger; another seed a different one', async () => {
    const run = (seed: number) => runBalDistill({ pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 200, stages: 4, policy: 'adaptive', seed, concurrency: 3 });
    const [a, b, c] = await Promise.all([run(5), run(5), run(6)]);
    expect(a.ledger.list()).toEqual(b.ledger.list());
    expect(a.ledger.list()).not.toEqual(c.ledger.list());
  });

  it('baselines: random and active never synthesise; duplicate repeats tail examples without calls; head-only spends only on heads', async () => {
    const run = (policy: Policy) => runBalDistill({ pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 400, stages: 4, policy, seed: 7 });
    const random = await run('random');
    expect(random.stages).toHaveLength(1);
    expect(random.ledger.summary().synthesize).toBe(0);
    expect(random.ledger.spent).toBe(400);
    const active = await run('active');
    expect(active.stages).toHaveLength(4);
    expect(active.ledger.summary().synthesize).toBe(0);
    const dup = await run('duplicate');
    expect(dup.ledger.spent).toBe(267);
    expect(dup.stages[0].domains.d7.duplicated).toBe(40);
    expect(dup.data.filter((e) => e.domain === 'd7').length).toBe(50);
    const heads = await run('headOnly');
    expect(heads.ledger.spent).toBe(399);
    expect(heads.ledger.list().every((e) => ['d0', 'd1', 'd2'].includes(e.domain))).toBe(true);
    const balance = await run('balance');
    expect(balance.ledger.spent).toBe(400);
    expect(balance.stages[0].domains.d7.synthRequested).toBe(40);
  });

  it('stops when nothing is left to select, and when a stage cannot pay one call', async () => {
    const drained = await runBalDistill({ pool: numberPool([3, 2]), teacher: new CountingTeacher(), student: new FakeStudent(), budget: 8, stages: 4, policy: 'active', seed: 0 });
    expect(drained.stages).toHaveLength(3);
    expect(drained.ledger.spent).toBe(5);
    expect(drained.stoppedBecause).toBe('pool exhausted');
    const teacher = new CountingTeacher();
    const poor = await runBalDistill({ pool: numberPool([3, 2]), teacher, student: new FakeStudent(), budget: 5, stages: 3, callCost: 2, policy: 'naive', seed: 0 });
    expect(poor.stoppedBecause).toBe('budget');
    expect(teacher.annotated).toEqual([]);
  });
});

describe('runBalDistill bad input', () => {
  const pool = numberPool([5, 2]);
  const base = { pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 10 };
  it.each([
    ['budget < 1', { budget: 0 }, /runBalDistill\.budget/],
    ['stages < 1', { stages: 0 }, /runBalDistill\.stages/],
    ['stages > budget', { stages: 11 }, /runBalDistill\.stages.*\[1, budget = 10\]/],
    ['empty pool', { pool: [] }, /runBalDistill\.pool/],
    ['duplicate ids', { pool: [...pool, { ...pool[0] }] }, /pool\[7\]\.id.*unique/],
    ['unknown policy', { policy: 'greedy' }, /runBalDistill\.policy/],
    ['custom counts over B_s', { stages: 2, policy: 'naive', counts: () => [4, 2] }, /counts summing to at most the stage's 5 calls/],
  ])('%s -> OptionError naming it', async (_name, patch, re) => {
    const err = await runBalDistill({ ...base, ...(patch as object) } as Parameters<typeof runBalDistill>[0]).catch((e) => e);
    expect(err).toBeInstanceOf(OptionError);
    expect(String(err.message)).toMatch(re);
  });

  it('a synthesised example of an unknown domain is a FormatError naming both domains', async () => {
    const err = await runBalDistill({ ...base, teacher: new CountingTeacher({ badDomain: true }), policy: 'balance' }).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/domain "elsewhere".*"d1"/);
  });

  it('a NaN log-likelihood is a FormatError naming the example', async () => {
    const student = new FakeStudent();
    student.logLikelihood = async () => ({ sum: Number.NaN, tokens: 1 });
    const err = await runBalDistill({ ...base, pool: numberPool([30, 2]), student, stages: 2, policy: 'naive' }).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/example "x\d+"/);
  });
});

describe('runBalDistill resume', () => {
  it('a run killed mid-stage resumes from the store without paying for any answered call twice', async () => {
    const pool = numberPool(SIZES);
    const store = memoryStateStore<number, number, number>();
    const failing = new CountingTeacher({ failEvery: 150 });
    const err = await runBalDistill({ pool, teacher: failing, student: new FakeStudent(), budget: 400, stages: 4, policy: 'adaptive', seed: 9, store, concurrency: 1 }).catch((e) => e);
    expect(String(err)).toMatch(/teacher down at call 150/);
    const second = new CountingTeacher();
    const res = await runBalDistill({ pool, teacher: second, student: new FakeStudent(), budget: 400, stages: 4, policy: 'adaptive', seed: 9, store, concurrency: 1 });
    expect(res.resumed).toBe(true);
    const answered = failing.annotated.slice(0, 149);
    expect(second.annotated.filter((id) => answered.includes(id))).toEqual([]);
    expect(res.ledger.spent).toBeLessThanOrEqual(400);
    // the failed call was charged; the retry of that item is a new call
    const uninterrupted = await runBalDistill({ pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 400, stages: 4, policy: 'adaptive', seed: 9 });
    expect(res.ledger.spent).toBe(uninterrupted.ledger.spent + 1);
    expect(res.data.map((e) => e.id).sort()).toEqual(uninterrupted.data.map((e) => e.id).sort());
    // a finished run resumed again makes no call at all
    const third = new CountingTeacher();
    await runBalDistill({ pool, teacher: third, student: new FakeStudent(), budget: 400, stages: 4, policy: 'adaptive', seed: 9, store });
    expect(third.annotated).toEqual([]);
  });

  it('refuses to resume a state saved by a different run', async () => {
    const store = memoryStateStore<number, number, number>();
    const pool = numberPool([20, 3]);
    await runBalDistill({ pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 20, stages: 2, policy: 'naive', store });
    const err = await runBalDistill({ pool, teacher: new CountingTeacher(), student: new FakeStudent(), budget: 30, stages: 2, policy: 'naive', store }).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toMatch(/different run/);
  });
});
