/**
 * One seed of the CPU-sized HarmoDT experiment (harmodt.md §5): six planar tasks with two
 * aliased pairs (drawer-open/close, push-left/right), 100 near-optimal episodes per task, the
 * §5 model (D 32, L 2, H 2, K 5), Adam(W) lr 1e-3, batch 32 single-task windows round robin,
 * clip 1, 20 evaluation episodes per task at target = best return in the data.
 * Every method sees the same data, model size, steps and evaluation episodes.
 */
import { CONFLICT6, DecisionTransformer, PlanarSuite, evaluatePolicy, trainDecisionTransformer, type EvaluationResult, type WindowPolicy } from '@paperkit/offline-rl';
import { PerTaskDT } from '../baselines/per-task-dt.js';
import { conflictReport } from '../conflict-report.js';
import { GHarmoDT } from '../g-harmo-dt.js';
import { HarmoDT } from '../harmo-dt.js';

export const ALIASED = ['drawer-open', 'drawer-close', 'push-left', 'push-right'];

export interface ExperimentSize {
  steps: number;
  episodes: number;
  dataEpisodes: number;
  maskInterval: number;
  methods: readonly MethodName[];
}

export const METHODS = ['MT-DT', 'per-task DT', 'Prompt-DT', 'RandMask', 'HarmoDT+task', 'HarmoDT-noID', 'G-HarmoDT'] as const;
export type MethodName = (typeof METHODS)[number];

/**
 * Full size: 750 steps per method (the spec's prototype: 1800). All 7 methods x 5 seeds at 900 steps took 12.4
 * min wall on the 2 shared cores (743 s in the run, ~1250 s of CPU: 94% in DT training steps of ~29 ms); 750
 * steps took 10.6 min there (load 2.3-2.9 from other jobs), about 9 on a quiet machine.
 */
export const SIZES: Readonly<Record<'full' | 'quick', ExperimentSize>> = Object.freeze({
  full: { steps: 750, episodes: 20, dataEpisodes: 100, maskInterval: 25, methods: METHODS },
  quick: { steps: 120, episodes: 5, dataEpisodes: 30, maskInterval: 20, methods: ['MT-DT', 'HarmoDT-noID'] },
});

export interface MethodOutcome {
  eval: EvaluationResult;
  trainSeconds: number;
  /** Wall seconds of the whole method (data, training, diagnostics, evaluation). */
  seconds: number;
  conflictRate?: number;
  extra?: Record<string, unknown>;
}

/** Every method of one seed, in this process, one after another. */
export async function runExperimentSeed(seed: number, size: ExperimentSize, log: (line: string) => void): Promise<Record<string, MethodOutcome>> {
  const out: Record<string, MethodOutcome> = {};
  for (const method of size.methods) {
    out[method] = await runMethod(seed, method, size);
    log(describeOutcome(seed, method, out[method]));
  }
  return out;
}

/** One log line for a finished method. */
export function describeOutcome(seed: number, method: string, outcome: MethodOutcome): string {
  const per = outcome.eval.tasks.map((t) => `${t.task} ${t.success.toFixed(2)}`).join(', ');
  return `  seed ${seed} ${method}: success ${outcome.eval.meanSuccess.toFixed(3)} (${per}) in ${outcome.seconds.toFixed(1)} s`;
}

/** Train and evaluate one method on one seed's data (a plain-data outcome, so a worker can send it back). */
export async function runMethod(seed: number, method: MethodName, size: ExperimentSize): Promise<MethodOutcome> {
  const started = performance.now();
  const suite = PlanarSuite.create({ tasks: CONFLICT6 });
  // One state normalisation for all tasks: per-task statistics would tell the aliased tasks apart
  // (their hand and handle positions drift in opposite directions), a task signal MT-DT must not get.
  const data = suite.dataset({ episodesPerTask: size.dataEpisodes, quality: 'near-optimal', seed, normalize: 'global' });
  const common = { stateDim: suite.stateDim, actDim: suite.actDim, maxEpisodeLength: suite.horizon, embedDim: 32, layers: 2, heads: 2, context: 5 };
  const train = { steps: size.steps, batchSize: 32, lr: 1e-3, weightDecay: 1e-4, gradClip: 1, seed };
  const { steps: _steps, ...optimizer } = train;
  const harmo = { ...common, numTasks: CONFLICT6.length, ...optimizer, sparsity: 0.2, maskInterval: size.maskInterval, changeMax: 0.005, gamma: 10, importance: 'fisher' as const, seed };
  const evaluate = (policy: WindowPolicy) => evaluatePolicy(policy, suite, { episodes: size.episodes, seed: 1000 + seed });
  let outcome: Omit<MethodOutcome, 'seconds'>;
  if (method === 'MT-DT' || method === 'Prompt-DT') {
    const model = new DecisionTransformer({ ...common, conditioning: method === 'Prompt-DT' ? 'prompt' : 'none', numTasks: CONFLICT6.length, seed: `${method}:${seed}` });
    try {
      const fit = await trainDecisionTransformer(model, data, train);
      const conflict = method === 'MT-DT' ? (await conflictReport(model, data, { seed })).meanConflictRate : undefined;
      outcome = { eval: await evaluate(model), trainSeconds: fit.seconds, ...(conflict === undefined ? {} : { conflictRate: conflict }) };
    } finally {
      model.dispose();
    }
  } else if (method === 'per-task DT') {
    const model = new PerTaskDT({ ...common, seed: `per-task:${seed}` }, CONFLICT6.length);
    try {
      const fit = await model.fit(data, train);
      outcome = { eval: await evaluate(model), trainSeconds: fit.seconds };
    } finally {
      model.dispose();
    }
  } else if (method === 'G-HarmoDT') {
    const model = new GHarmoDT({ ...harmo });
    try {
      const fit = await model.fit(data, { steps: size.steps });
      const gated = await evaluate(model);
      model.inference = 'task';
      const withId = await evaluate(model);
      outcome = {
        eval: gated,
        trainSeconds: fit.seconds,
        extra: { groups: Array.from(model.groupOf), withTaskIdSuccess: withId.meanSuccess, cosines: model.clusterCosines.map((r) => r.map((v) => +v.toFixed(3))) },
      };
    } finally {
      model.dispose();
    }
  } else {
    const model = new HarmoDT({
      ...harmo,
      conditioning: method === 'HarmoDT+task' ? 'taskEmbedding' : 'none',
      maskUpdate: method !== 'RandMask',
    });
    try {
      const fit = await model.fit(data, { steps: size.steps });
      const report = await conflictReport(model, data, { seed });
      const rates = model.updates.map((u) => u.conflictRate.reduce((a, b) => a + b, 0) / u.conflictRate.length);
      outcome = {
        eval: await evaluate(model),
        trainSeconds: fit.seconds,
        conflictRate: report.meanConflictRate,
        extra: { conflictDuringTraining: rates.length ? { first: rates[0], last: rates[rates.length - 1] } : null, cosines: report.cosines.map((r) => r.map((v) => +v.toFixed(3))) },
      };
    } finally {
      model.dispose();
    }
  }
  return { ...outcome, seconds: (performance.now() - started) / 1000 };
}
