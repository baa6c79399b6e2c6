/**
 * One seed of the ocw-mini reproduction (compoformer.md section 5): CompoFormer
 * (Prune) and the baselines of the issue (fine-tuning, L2, EWC, PackNet, LoRA)
 * learn the same ten seeded tasks in the same order. After each task i every
 * method is evaluated online on task i (a[i][i]) and zero-shot on task i+1
 * (a[i][i+1], for FWT); after the last task on all ten (the last row).
 * a0 = success of uniform random actions. The reuse check runs 10 episodes of
 * its own seeds, distinct from the evaluation episodes.
 */
import { PlanarSuite, PLANAR_ACT_DIM, PLANAR_STATE_DIM, evaluateTaskMatrix } from '@paperkit/offline-rl';
import { createRng } from '@paperkit/tensor-core';
import { EWCCL } from '../baselines/ewc.js';
import { L2CL } from '../baselines/l2.js';
import { LoRACL } from '../baselines/lora.js';
import { PackNetCL } from '../baselines/packnet.js';
import { FinetuneCL } from '../baselines/shared-trunk.js';
import { CompoFormer, type CompoFormerOptions } from '../compoformer.js';
import type { ContinualLearner, LearnTaskResult, TaskPolicy } from '../continual-learner.js';
import { continualMetrics } from '../continual-metrics.js';
import { TaskDataset } from '../task-dataset.js';
import { CURVE_TASKS, ocwMiniSequence, type SequenceTask } from './ocw-mini.js';

export interface OcwMiniSize {
  episodesPerTask: number;
  stepsPerTask: number;
  warmupSteps: number;
  checkEpisodes: number;
  evalEpisodes: number;
  curveAt: number[];
}

export const FULL_SIZE: OcwMiniSize = { episodesPerTask: 100, stepsPerTask: 300, warmupSteps: 50, checkEpisodes: 10, evalEpisodes: 10, curveAt: [100, 200, 300] };
export const QUICK_SIZE: OcwMiniSize = { episodesPerTask: 10, stepsPerTask: 10, warmupSteps: 5, checkEpisodes: 2, evalEpisodes: 2, curveAt: [5, 10] };

export const METHODS = ['CompoFormer-Prune', 'Finetune', 'L2', 'EWC', 'PackNet', 'LoRA'] as const;
export type MethodName = (typeof METHODS)[number];

export interface MethodRun {
  matrix: number[][];
  results: LearnTaskResult[];
  seconds: number;
}

export interface SeedRun {
  seed: number;
  sequence: SequenceTask[];
  init: number[];
  runs: Record<string, MethodRun>;
}

/** CompoFormer options the reproduction lets a user change (the `reproduce` flags). */
export type CompoFormerVariantOptions = Pick<CompoFormerOptions, 'reuseNormalization'>;

function makeLearner(method: MethodName, seed: number, size: OcwMiniSize, compo: CompoFormerVariantOptions = {}): ContinualLearner {
  const base = { stateDim: PLANAR_STATE_DIM, actDim: PLANAR_ACT_DIM, stepsPerTask: size.stepsPerTask, seed, maxEpisodeLength: 64 };
  switch (method) {
    case 'CompoFormer-Prune': return new CompoFormer({ ...base, variant: 'prune', warmupSteps: size.warmupSteps, ...compo });
    case 'Finetune': return new FinetuneCL(base);
    case 'L2': return new L2CL(base);
    case 'EWC': return new EWCCL(base);
    case 'PackNet': return new PackNetCL(base);
    case 'LoRA': return new LoRACL(base);
  }
}

/** Seeded datasets of the sequence (repeats get their own dataset seed). */
export function sequenceData(seed: number, size: OcwMiniSize, sequence = ocwMiniSequence()): TaskDataset[] {
  return sequence.map((task) => {
    const ds = PlanarSuite.create({ tasks: [task.env] }).dataset({ episodesPerTask: size.episodesPerTask, seed: `ocw-mini:${seed}:${task.id}` });
    return TaskDataset.fromTrajectories(
      ds.episodes[0].map((e) => ({ observations: e.observations, actions: e.actions, rewards: e.rewards })),
      { stateDim: PLANAR_STATE_DIM, actDim: PLANAR_ACT_DIM },
    );
  });
}

/** Uniform random actions (a0 of the metrics). */
function randomPolicy(seed: string): TaskPolicy {
  const rng = createRng(seed);
  return { taskId: 'random', act: (hs) => hs.map(() => Float32Array.from([rng.uniform(-1, 1), rng.uniform(-1, 1)])) };
}

export async function runOcwMiniSeed(opts: { seed: number; quick: boolean; methods?: readonly MethodName[]; compoformer?: CompoFormerVariantOptions; log?: (line: string) => void }): Promise<SeedRun> {
  const size = opts.quick ? QUICK_SIZE : FULL_SIZE;
  const log = opts.log ?? (() => {});
  const seed = opts.seed;
  const sequence = ocwMiniSequence();
  const suite = PlanarSuite.create();
  const data = sequenceData(seed, size, sequence);
  const N = sequence.length;
  const evalSeed = (i: number) => `ocw-mini-eval:${seed}:${sequence[i].id}`;
  const init = evaluateTaskMatrix(suite, sequence.map((t, i) => ({ policy: randomPolicy(`random:${seed}:${t.id}`), envTask: t.env, seed: evalSeed(i), episodes: size.evalEpisodes })));
  const runs: Record<string, MethodRun> = {};
  for (const method of opts.methods ?? METHODS) {
    const started = Date.now();
    const learner = makeLearner(method, seed, size, opts.compoformer);
    const matrix = Array.from({ length: N }, () => new Array<number>(N).fill(Number.NaN));
    const results: LearnTaskResult[] = [];
    try {
      for (let i = 0; i < N; i++) {
        const task = sequence[i];
        const curve = CURVE_TASKS.includes(task.id) && (method === 'CompoFormer-Prune' || method === 'PackNet')
          ? { at: size.curveAt, evaluate: (p: TaskPolicy) => evaluateTaskMatrix(suite, [{ policy: p, envTask: task.env, seed: evalSeed(i), episodes: size.evalEpisodes }])[0] }
          : undefined;
        const r = await learner.learnTask({
          id: task.id,
          description: task.description,
          data: data[i],
          check: (p) => evaluateTaskMatrix(suite, [{ policy: p, envTask: task.env, seed: `ocw-mini-check:${seed}:${task.id}`, episodes: size.checkEpisodes }])[0],
          curve,
        });
        results.push(r);
        const entries = i === N - 1
          ? sequence.map((t, j) => ({ policy: learner.policy(t.id), envTask: t.env, seed: evalSeed(j), episodes: size.evalEpisodes }))
          : [{ policy: learner.policy(task.id), envTask: task.env, seed: evalSeed(i), episodes: size.evalEpisodes }];
        const next = i < N - 1 ? learner.zeroShotPolicy(sequence[i + 1].description) : null;
        if (next) entries.push({ policy: next, envTask: sequence[i + 1].env, seed: evalSeed(i + 1), episodes: size.evalEpisodes });
        const success = evaluateTaskMatrix(suite, entries);
        if (i === N - 1) success.forEach((s, j) => (matrix[i][j] = s));
        else {
          matrix[i][i] = success[0];
          matrix[i][i + 1] = next ? success[1] : init[i + 1];
        }
        log(`  ${method} ${task.id}: ${r.reused ? 'reused' : `${r.trainedSteps} steps`}, success ${matrix[i][i].toFixed(2)}` + (r.composedSuccess !== null ? `, composed ${r.composedSuccess.toFixed(2)}` : ''));
      }
    } finally {
      learner.dispose();
    }
    runs[method] = { matrix, results, seconds: (Date.now() - started) / 1000 };
    const m = continualMetrics(matrix, init);
    log(`${method}: P ${m.P.toFixed(3)} F ${m.F.toFixed(3)} (${runs[method].seconds.toFixed(0)} s)`);
  }
  return { seed, sequence, init, runs };
}

/** The per-method metrics of one seed (rows of the reproduction table). */
export function seedMetrics(run: SeedRun): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [method, r] of Object.entries(run.runs)) {
    const m = continualMetrics(r.matrix, run.init);
    const repeats = run.sequence.map((t, i) => (t.repeat && r.results[i].reused && r.results[i].trainedSteps === 0 ? 1 : 0) as number).reduce((a, b) => a + b, 0);
    out[method] = {
      P: m.P, F: m.F, BWT: m.BWT, FWT: m.FWT,
      'grad steps': r.results.reduce((a, x) => a + x.trainedSteps, 0),
      'repeats reused': repeats,
      seconds: r.seconds,
    };
  }
  return out;
}
