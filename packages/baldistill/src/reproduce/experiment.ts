/**
 * One seed of the spec section 5 reproduction: BalDistill-N, BalDistill-A and the five baselines on the same
 * seeded world, each with its own oracle teacher (same noise rates) and a fresh MLP student, budget 400, K 4.
 * Nothing is tuned: every number is the spec's; the test split is read only for the table.
 */
import { formatNumber } from '@paperkit/tensor-core';
import { runBalDistill, type Policy } from '../run-bal-distill.js';
import { mlpStudent } from './mlp-student.js';
import { OracleTeacher } from './oracle-teacher.js';
import { makeWorld, type World } from './world.js';

export const METHODS: Array<{ name: string; policy: Policy }> = [
  { name: 'random FT-CoT', policy: 'random' },
  { name: 'active FT-CoT', policy: 'active' },
  { name: 'head-only', policy: 'headOnly' },
  { name: 'duplicate', policy: 'duplicate' },
  { name: 'balance (1 stage)', policy: 'balance' },
  { name: 'BalDistill-N', policy: 'naive' },
  { name: 'BalDistill-A', policy: 'adaptive' },
];

/** Spec section 5 prototype (tfjs wasm, 3 seeds, synthNoise 0): head / tail / macro / calls. */
export const SPEC_PROTOTYPE: Record<string, [number, number, number, number]> = {
  'random FT-CoT': [0.722, 0.374, 0.504, 400],
  'active FT-CoT': [0.78, 0.454, 0.576, 400],
  'head-only': [0.818, 0.263, 0.472, 399],
  duplicate: [0.672, 0.584, 0.617, 267],
  'balance (1 stage)': [0.669, 0.663, 0.665, 400],
  'BalDistill-N': [0.675, 0.665, 0.668, 384],
  'BalDistill-A': [0.753, 0.536, 0.617, 381],
};

export const HEADS = 3;

export interface SeedConfig {
  budget: number;
  stages: number;
  steps: number;
  synthNoise: number;
}

export const FULL_CONFIG: SeedConfig = { budget: 400, stages: 4, steps: 300, synthNoise: 0 };
export const QUICK_CONFIG: SeedConfig = { budget: 400, stages: 4, steps: 80, synthNoise: 0 };

/** Per-domain test accuracy -> head (domains 0-2), tail (3-7) and macro means. */
export async function evaluate(world: World, student: ReturnType<typeof mlpStudent>): Promise<{ head: number; tail: number; macro: number; perDomain: number[] }> {
  const pred = await student.predict(world.test.map((e) => e.input));
  const l = world.names.length;
  const right = new Array<number>(l).fill(0);
  const total = new Array<number>(l).fill(0);
  world.test.forEach((e, k) => {
    total[e.input.d]++;
    if (pred[k] === e.gold) right[e.input.d]++;
  });
  const perDomain = right.map((r, d) => r / total[d]);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { head: mean(perDomain.slice(0, HEADS)), tail: mean(perDomain.slice(HEADS)), macro: mean(perDomain), perDomain };
}

export async function runExperimentSeed(seed: number, cfg: SeedConfig, log: (line: string) => void = () => undefined) {
  const world = makeWorld({ seed });
  const metrics: Record<string, Record<string, number>> = {};
  const details: Record<string, unknown> = {};
  for (const m of METHODS) {
    const t0 = Date.now();
    const teacher = new OracleTeacher({ world, rng: world.rng.fork(m.policy), synthNoise: cfg.synthNoise });
    const student = mlpStudent(world.names.length, { steps: cfg.steps });
    const res = await runBalDistill({ pool: world.pool, teacher, student, budget: cfg.budget, stages: cfg.stages, policy: m.policy, seed, concurrency: 1 });
    const acc = await evaluate(world, res.student);
    student.dispose();
    metrics[m.name] = { head: acc.head, tail: acc.tail, macro: acc.macro, 'teacher calls': res.ledger.spent };
    details[m.name] = {
      perDomain: acc.perDomain,
      stages: res.stages.map((s) => ({ cost: s.cost, counts: s.counts, trainingSize: s.trainingSize, synth: Object.fromEntries(Object.entries(s.domains).map(([d, r]) => [d, r.synthKept])), filtered: Object.values(s.domains).reduce((a, r) => a + r.filtered, 0) })),
      stoppedBecause: res.stoppedBecause,
    };
    log(`  seed ${seed} ${m.name.padEnd(18)} head ${formatNumber(acc.head)} tail ${formatNumber(acc.tail)} macro ${formatNumber(acc.macro)} calls ${res.ledger.spent} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return { metrics, details };
}
