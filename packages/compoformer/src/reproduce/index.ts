/**
 * @paperkit/compoformer/reproduce: "ocw-mini" (compoformer.md section 5), what
 * `compoformer reproduce` and `pnpm demo` run. Ten planar-suite tasks (six new,
 * four repeats), CompoFormer-Prune against fine-tuning, L2, EWC, PackNet and
 * LoRA on the same seeded data; the rule for `holds` on the seed means.
 *
 * Under Node the (seed, method) jobs of the whole run go to worker threads
 * (tensor-core's runWorkerJobs, one single-threaded wasm backend each): the
 * model is too small for a second wasm thread to help inside one step, so a
 * second core trains a second learner instead. A job is a pure function of its
 * seed and method, so the numbers do not depend on how jobs are spread.
 */
import { OptionError, defineReproduction, type SeedOutcome } from '@paperkit/tensor-core';
import { continualMetrics } from '../continual-metrics.js';
import { ocwMiniRule } from './decide.js';
import { CURVE_TASKS } from './ocw-mini.js';
import { FULL_SIZE, METHODS, QUICK_SIZE, runOcwMiniSeed, seedMetrics, type CompoFormerVariantOptions, type MethodName, type SeedRun } from './run-seed.js';

export { ocwMiniSequence, CURVE_TASKS, type SequenceTask } from './ocw-mini.js';
export { ocwMiniRule, type RuleCheck } from './decide.js';
export { runOcwMiniSeed, seedMetrics, sequenceData, FULL_SIZE, QUICK_SIZE, METHODS, type CompoFormerVariantOptions, type OcwMiniSize, type SeedRun, type MethodRun, type MethodName } from './run-seed.js';

export const CLAIM =
  'ocw-mini (10 planar tasks, 4 repeats): F(CompoFormer) <= 0.05 while F(Finetune) >= 0.25; P(CompoFormer) - P(Finetune) >= 0.25 and ' +
  '>= P(EWC) + 0.15; >= 3 of the 4 repeats reused with 0 training steps; CompoFormer gradient steps <= 0.7 x PackNet';

const IN_NODE = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** One worker job (./method-worker.ts): one method on one seed. */
export interface MethodJob {
  seed: number;
  quick: boolean;
  method: MethodName;
  compoformer: CompoFormerVariantOptions;
}

/** Relative cost of a method's job (its share of a full seed's time); the longest start first. */
const COST: Record<MethodName, number> = { EWC: 1.3, 'CompoFormer-Prune': 1.2, L2: 1.1, Finetune: 1, PackNet: 1, LoRA: 0.9 };

async function runOnWorkers(seeds: readonly number[], quick: boolean, methods: MethodName[], compoformer: CompoFormerVariantOptions, workers: number | undefined, log: (line: string) => void): Promise<SeedRun[] | null> {
  // tsup's shims give the CJS build an import.meta.url too (the .cjs worker beside it is then used).
  const here: unknown = import.meta.url;
  if (typeof here !== 'string') return null;
  const { runWorkerJobs } = await import('@paperkit/tensor-core/node');
  const jobs: MethodJob[] = seeds.flatMap((seed) => methods.map((method) => ({ seed, quick, method, compoformer })));
  const runs = await runWorkerJobs<MethodJob, SeedRun>(jobs, {
    worker: { from: here, name: 'method-worker' },
    workers,
    cost: (j) => COST[j.method],
    label: (j) => `compoformer seed ${j.seed} ${j.method}`,
    // runOcwMiniSeed logs each task and a summary line per method.
    onLog: (j, line) => log(seeds.length > 1 ? `[seed ${j.seed}] ${line}` : line),
  }).all();
  // Every job of a seed computed the same sequence and random-policy row; merge their methods.
  return seeds.map((seed) => {
    const mine = runs.filter((_, i) => jobs[i].seed === seed);
    return { ...mine[0], runs: Object.assign({}, ...mine.map((r) => r.runs)) };
  });
}

/**
 * Seeds: 1 in the default run (so `pnpm demo` stays within its 30-minute budget); `--seeds 3` runs the
 * issue's count. 1 with --quick.
 */
export const reproduction = defineReproduction({
  package: '@paperkit/compoformer',
  claim: CLAIM,
  seeds: { full: 1, quick: 1 },
  flags: {
    methods: { type: 'string', default: METHODS.join(','), description: `comma list of ${METHODS.join(', ')} (the rule needs all)` },
    reuseNormalization: { type: 'string', choices: ['module', 'task'], default: 'module', description: "CompoFormer's reuseNormalization: 'module' (ours) or 'task' (official)" },
    jobs: { type: 'integer', description: 'worker threads running (seed, method) jobs side by side (Node only; 0 = one per core, 1 = in this thread)', default: 0, min: 0, max: 16 },
  },
  async runSeeds({ seeds, quick, flags, log }) {
    const methods = flags.methods.split(',').map((m) => m.trim()).filter(Boolean) as MethodName[];
    const bad = methods.find((m) => !(METHODS as readonly string[]).includes(m));
    if (bad !== undefined) throw new OptionError('--methods', `a comma list of ${METHODS.join(', ')}`, bad);
    const compoformer: CompoFormerVariantOptions = { reuseNormalization: flags.reuseNormalization as 'module' | 'task' };
    const parallel = flags.jobs !== 1 && IN_NODE ? await runOnWorkers(seeds, quick, methods, compoformer, flags.jobs || undefined, log) : null;
    if (parallel) return parallel.map(seedOutcome);
    const out: SeedOutcome[] = [];
    for (const seed of seeds) {
      if (seeds.length > 1) log(`seed ${seed + 1}/${seeds.length}`);
      out.push(seedOutcome(await runOcwMiniSeed({ seed, quick, methods, compoformer, log })));
    }
    return out;
  },
  decide({ metric, quick, rows, details }) {
    const missing = METHODS.filter((m) => !rows.some((r) => r.method === m));
    if (missing.length) {
      return { holds: false, verdict: `not judged: the rule needs every method; missing ${missing.join(', ')}`, details: { size: quick ? QUICK_SIZE : FULL_SIZE } };
    }
    const rule = ocwMiniRule(metric);
    const aliased = details.map((d) => d.aliasedReused as number);
    return {
      holds: rule.holds,
      verdict: `${rule.verdict} Aliased tasks (drawer-close, push-right) reused: ${aliased.join('/')} per seed (should be 0).`,
      details: { checks: rule.checks, aliasedReused: aliased, size: quick ? QUICK_SIZE : FULL_SIZE },
    };
  },
  plot: { metrics: ['P', 'F'] },
});

/** One seed's rows, its learning-speed table and its details. */
function seedOutcome(run: SeedRun): SeedOutcome {
  const curves: Record<string, Record<string, number>> = {};
  for (const method of ['CompoFormer-Prune', 'PackNet']) {
    const r = run.runs[method];
    if (!r) continue;
    run.sequence.forEach((t, i) => {
      if (!CURVE_TASKS.includes(t.id)) return;
      const row: Record<string, number> = {};
      for (const [steps, success] of r.results[i].curve) row[`after ${steps}`] = success;
      if (r.results[i].reused) row['reused'] = 1;
      curves[`${method} ${t.id}`] = row;
    });
  }
  // Aliased pairs (spec section 5): drawer-close and push-right must not be served by reuse.
  const compo = run.runs['CompoFormer-Prune'];
  const aliasedReused = compo ? run.sequence.filter((t, i) => ['drawer-close', 'push-right'].includes(t.id) && compo.results[i].reused).length : Number.NaN;
  return {
    metrics: seedMetrics(run),
    tables: { 'learning speed: success on new tasks after N training steps (report only)': curves },
    details: {
      aliasedReused,
      init: run.init,
      methods: Object.fromEntries(Object.entries(run.runs).map(([m, r]) => [m, {
        matrix: r.matrix,
        metrics: continualMetrics(r.matrix, run.init),
        tasks: r.results.map((x) => ({ id: x.id, reused: x.reused, composed: x.composedSuccess, attention: x.attention, steps: x.trainedSteps, newParams: x.newParams, loss: x.finalLoss })),
      }])),
    },
  };
}
