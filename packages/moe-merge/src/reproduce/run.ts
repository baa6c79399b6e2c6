/**
 * The CPU reproduction of spec section 5, with the fine-tuning stage of
 * issue 19. Per seed: train the tiny Llama base on the general mix, fine-tune
 * one expert per domain from it, save all four as Hugging Face checkpoints in
 * a temp dir, merge them with the CLI's code path (YAML -> buildMoE / dense
 * merge -> files), load the written files back and compare (a)-(i) on
 * held-out sequences (positions >= 8) without fine-tuning; then fine-tune the
 * merged MoEs (fine-tune.ts) and record their learning curves.
 */
import * as tf from '@tensorflow/tfjs';
import type { SeedOutcome } from '@paperkit/tensor-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checkpoint } from '../checkpoint.js';
import { TinyLlama } from '../llama/tiny-llama.js';
import { denseFromYamlFile, mergeFromYamlFile } from '../merge-from-yaml.js';
import { MixtralModel } from '../mixtral-forward.js';
import { PerplexityRoutedMoE } from '../perplexity-routed-moe.js';
import { loadMixtral, loadTinyLlama, saveTinyLlama, taskVectorStats } from '../node-models.js';
import { DOMAINS, generateDomain } from './data.js';
import { evaluate, evaluateDomains, summarizeDomains, type Metrics } from './evaluate.js';
import { curveMetrics, fineTuneCurve, REPORTED_FRACTIONS, stepsToReach, type CurvePoint } from './fine-tune.js';
import { FT, FT_ROWS, FT_TABLE, METHODS, TASK_VECTORS } from './methods.js';
import { SEQ_LEN, trainLM } from './train.js';

export interface ReproduceSizes {
  baseSteps: number;
  expertSteps: number;
  batchSize: number;
  baseLr: number;
  expertLr: number;
  /** Held-out sequences per domain. */
  testPerDomain: number;
  /** Training pool size per domain (the general mix has the same size). */
  trainPool: number;
  /** Prompts per domain for the `hidden` gates. */
  prompts: number;
  /** First evaluated target position (spec: >= 8); also the PPL-routing prefix length. */
  evalFrom: number;
  /** MoE fine-tuning budget in Adam steps (0 skips the stage). */
  ftSteps: number;
  /** MoE fine-tuning learning rate (the same for every start point and mode). */
  ftLr: number;
  /** Held-out sequences per domain for the fine-tuning curves (the first ones of the test set). */
  ftTestPerDomain: number;
}

/** Spec section 5 step counts (base 1500, experts 600, batch 32). */
export const SPEC_SIZES: ReproduceSizes = {
  baseSteps: 1500, expertSteps: 600, batchSize: 32, baseLr: 3e-3, expertLr: 5e-3, testPerDomain: 512, trainPool: 4096, prompts: 4, evalFrom: 8,
  ftSteps: 50, ftLr: 3e-3, ftTestPerDomain: 192,
};
/** Default run: the spec's recipe with fewer steps so 3 seeds fit the ~5-minute budget on 2 cores. */
export const DEFAULT_SIZES: ReproduceSizes = { ...SPEC_SIZES, baseSteps: 400, expertSteps: 150 };
export const QUICK_SIZES: ReproduceSizes = { ...SPEC_SIZES, baseSteps: 80, expertSteps: 30, testPerDomain: 64, trainPool: 512, ftSteps: 8, ftTestPerDomain: 64 };

const TIES_SHARED = '{method: ties, density: 0.8}';
const DARE_SHARED = '{method: dare_ties, density: 0.8, lambda: 0.3333333333}';

function yamlFor(work: string, prompts: number[][][], shared: string, o: { gateMode?: string; experts?: string[] } = {}): string {
  const lines = [`base_model: ${join(work, 'base')}`, `gate_mode: ${o.gateMode ?? 'hidden'}`, 'dtype: float32', 'experts_per_token: 2', `shared_merge: ${shared}`, 'experts:'];
  DOMAINS.forEach((d, i) => {
    lines.push(`  - source_model: ${o.experts?.[i] ?? join(work, `expert-${d}`)}`);
    if (o.gateMode === undefined || o.gateMode === 'hidden') lines.push(`    positive_prompt_ids: ${JSON.stringify(prompts[i])}`);
  });
  return `${lines.join('\n')}\n`;
}

/** A compact per-seed learning curve for the JSON and the plot: step and mean / per-domain NLL. */
export interface CurveRecord {
  step: number;
  nll: number;
  domains: Record<string, number>;
}

function curveRecord(curve: CurvePoint[]): CurveRecord[] {
  return curve.map((p) => ({ step: p.step, nll: p.metrics.nll, domains: Object.fromEntries(DOMAINS.map((d) => [d, p.metrics[`nll_${d}`]])) }));
}

/** One seed: train, save, merge through the CLI path, load the files, evaluate, fine-tune the MoEs. */
export async function runSeed(seed: number, sizes: ReproduceSizes, log: (line: string) => void = () => undefined): Promise<SeedOutcome> {
  const work = mkdtempSync(join(tmpdir(), `moe-merge-repro-${seed}-`));
  const T = SEQ_LEN;
  const tensorsBefore = tf.memory().numTensors;
  const clock = Date.now();
  const phase: Record<string, number> = {};
  const mark = (name: string, since: number) => (phase[name] = (Date.now() - since) / 1000);
  const test = DOMAINS.map((d) => tf.tensor2d(generateDomain(d, sizes.testPerDomain, `test-${seed}`), [sizes.testPerDomain, T], 'int32'));
  const experts: TinyLlama[] = [];
  try {
    const prompts = DOMAINS.map((d) => {
      const raw = generateDomain(d, sizes.prompts, `prompt-${seed}`);
      return Array.from({ length: sizes.prompts }, (_, r) => Array.from(raw.subarray(r * T, r * T + 16)));
    });
    const metrics: Record<string, Metrics> = {};
    const V = 32;

    // Base on the general mix, then one expert per domain from it (all parameters trainable).
    const base = new TinyLlama({ seed });
    const baseSteps = await trainLM(base, generateDomain('general', sizes.trainPool, `train-${seed}`), {
      steps: sizes.baseSteps, variables: base.trainableVariables, optimizer: sizes.baseLr, batch: sizes.batchSize, vocab: V, rng: `base-${seed}`,
    });
    await saveTinyLlama(base, join(work, 'base'));
    metrics[METHODS.b] = evaluateDomains(base, test, sizes.evalFrom);
    base.dispose();
    const pools = DOMAINS.map((d) => generateDomain(d, sizes.trainPool, `train-${seed}`));
    let expertSteps = 0;
    for (const [i, d] of DOMAINS.entries()) {
      const m = await loadTinyLlama(join(work, 'base'));
      expertSteps += await trainLM(m, pools[i], {
        steps: sizes.expertSteps, variables: m.trainableVariables, optimizer: sizes.expertLr, batch: sizes.batchSize, vocab: V, rng: `expert-${d}-${seed}`,
      });
      await saveTinyLlama(m, join(work, `expert-${d}`));
      experts.push(m);
    }
    mark('train_s', clock);
    log(`seed ${seed}: trained base (${baseSteps} steps) and 3 experts (${expertSteps} steps) in ${phase.train_s.toFixed(1)} s`);
    const mergeClock = Date.now();
    // (a) each expert on its own domain (the oracle the merges are measured against).
    metrics[METHODS.a] = summarizeDomains(test.map((ids, i) => evaluate(experts[i], ids, sizes.evalFrom, i)));

    // (c) dense merges, (d)-(g) Mixtral files, all through the CLI code path; plus the two
    // fine-tuning baselines: random routing (BTX) and sparse upcycling (the base FFN in every expert).
    const merges: [string, string, 'dense' | 'moe', { gateMode?: string; experts?: string[] }?][] = [
      [METHODS.cAvg, '{method: average}', 'dense'],
      [METHODS.cTies, TIES_SHARED, 'dense'],
      [METHODS.cDare, DARE_SHARED, 'dense'],
      [METHODS.d, '{method: average}', 'moe'],
      [METHODS.e, '{method: base}', 'moe'],
      [METHODS.f, TIES_SHARED, 'moe'],
      [METHODS.g, DARE_SHARED, 'moe'],
      ['random routing', '{method: average}', 'moe', { gateMode: 'random' }],
      ['upcycled', '{method: base}', 'moe', { gateMode: 'random', experts: DOMAINS.map(() => join(work, 'base')) }],
    ];
    const outDir: Record<string, string> = {};
    for (const [k, [method, shared, kind, extra]] of merges.entries()) {
      const yamlPath = join(work, `merge-${k}.yaml`);
      writeFileSync(yamlPath, yamlFor(work, prompts, shared, extra));
      const out = join(work, `out-${k}`);
      outDir[method] = out;
      if (kind === 'dense') {
        await denseFromYamlFile(yamlPath, out, { overrides: { seed } });
      } else {
        await mergeFromYamlFile(yamlPath, out, { overrides: { seed } });
      }
      if (!extra) {
        const m = kind === 'dense' ? await loadTinyLlama(out) : await loadMixtral(out);
        metrics[method] = evaluateDomains(m, test, sizes.evalFrom);
        m.dispose();
      }
    }

    // (h) separate attention + PPL top-1 routing on the 8-token prefix.
    const ppl = new PerplexityRoutedMoE(experts, { topK: 1, prefixTokens: sizes.evalFrom });
    metrics[METHODS.h] = evaluateDomains(ppl, test, sizes.evalFrom);

    // (i) averaged shared weights + each expert's own FFN, PPL-routed.
    const avg = Checkpoint.open(outDir[METHODS.cAvg]);
    const avgExperts = experts.map((e) => new TinyLlama({ config: e.config }, (name) => (name.includes('.mlp.') ? Float32Array.from(e.tensor(name).dataSync()) : avg.read(name))));
    avg.close();
    const pplAvg = new PerplexityRoutedMoE(avgExperts, { topK: 1, prefixTokens: sizes.evalFrom });
    metrics[METHODS.i] = evaluateDomains(pplAvg, test, sizes.evalFrom);
    avgExperts.forEach((m) => m.dispose());

    const stats = taskVectorStats(join(work, 'base'), DOMAINS.map((d) => join(work, `expert-${d}`)));
    metrics[TASK_VECTORS] = { cosine: stats.meanCosine, sign_conflict: stats.signConflictRate };
    mark('merge_and_eval_s', mergeClock);

    // Fine-tuning stage: same Adam, lr, budget and batch sequence for every start point and mode.
    const curves: Record<string, CurveRecord[]> = {};
    const tables: NonNullable<SeedOutcome['tables']> = {};
    if (sizes.ftSteps > 0) {
      const ftClock = Date.now();
      const union = new Int32Array(pools.reduce((s, p) => s + p.length, 0));
      pools.reduce((at, p) => (union.set(p, at), at + p.length), 0);
      const n = Math.min(sizes.ftTestPerDomain, sizes.testPerDomain);
      const ftTest = test.map((t) => tf.slice(t, [0, 0], [n, T]) as tf.Tensor2D);
      const ft = { steps: sizes.ftSteps, lr: sizes.ftLr, batch: sizes.batchSize, vocab: V, batchSeed: `finetune-${seed}`, evalFrom: sizes.evalFrom };
      const raw: Record<string, CurvePoint[]> = {};
      const runSeconds: Record<string, number> = {};
      const runs: [string, string, 'full' | 'router'][] = [
        [FT.avgFull, METHODS.d, 'full'], [FT.tiesFull, METHODS.f, 'full'], [FT.dareFull, METHODS.g, 'full'],
        [FT.randomFull, 'random routing', 'full'], [FT.upcycledFull, 'upcycled', 'full'],
        [FT.avgRouter, METHODS.d, 'router'], [FT.tiesRouter, METHODS.f, 'router'], [FT.dareRouter, METHODS.g, 'router'],
      ];
      for (const [row, start, mode] of runs) {
        const runClock = Date.now();
        const m = await loadMixtral(outDir[start], { trainable: true });
        raw[row] = await fineTuneCurve(m, mode === 'full' ? m.variables : m.routerVariables, union, ftTest, ft);
        m.dispose();
        runSeconds[row] = (Date.now() - runClock) / 1000;
      }
      // PPL-routed (h): no learned router, so only full fine-tuning applies; each expert is
      // trained on the sequences its prefix perplexity routes to it.
      const pplClock = Date.now();
      const copies = await Promise.all(DOMAINS.map((d) => loadTinyLlama(join(work, `expert-${d}`))));
      raw[FT.pplFull] = await fineTuneCurve(new PerplexityRoutedMoE(copies, { topK: 1, prefixTokens: sizes.evalFrom }), copies.flatMap((c) => c.trainableVariables), union, ftTest, ft);
      tf.dispose(ftTest);
      copies.forEach((c) => c.dispose());
      runSeconds[FT.pplFull] = (Date.now() - pplClock) / 1000;
      const target = raw[FT.avgFull][raw[FT.avgFull].length - 1].metrics.nll;
      const main: Record<string, Metrics> = {};
      const perDomain = Object.fromEntries(DOMAINS.map((d) => [d, {} as Record<string, Metrics>]));
      for (const row of FT_ROWS.filter((r) => raw[r])) {
        const m = curveMetrics(raw[row], DOMAINS);
        const reach = stepsToReach(raw[row], target);
        main[row] = { ...Object.fromEntries(REPORTED_FRACTIONS.map((f) => [`nll@${f * 100}%`, m[`nll@${f * 100}%`]])), reached_avg: reach === undefined ? 0 : 1 };
        if (reach !== undefined) main[row].steps_to_avg = reach;
        for (const d of DOMAINS) perDomain[d][row] = Object.fromEntries(REPORTED_FRACTIONS.map((f) => [`@${f * 100}%`, m[`${d}@${f * 100}%`]]));
        curves[row] = curveRecord(raw[row]);
      }
      tables[FT_TABLE] = main;
      for (const d of DOMAINS) tables[`${FT_TABLE}: ${d} NLL`] = perDomain[d];
      mark('fine_tune_s', ftClock);
      log(`seed ${seed}: fine-tuned ${FT_ROWS.length} runs x ${sizes.ftSteps} steps in ${phase.fine_tune_s.toFixed(1)} s (${Object.entries(runSeconds).map(([k, v]) => `${k.replace(' FT: ', ' ')} ${v.toFixed(1)}`).join(', ')})`);
    }
    experts.forEach((m) => m.dispose());
    tf.dispose(test);
    mark('seed_s', clock);
    return { metrics, tables, details: { baseSteps, expertSteps, seconds: phase, curves, leakedTensors: tf.memory().numTensors - tensorsBefore } };
  } finally {
    experts.forEach((m) => m.dispose());
    tf.dispose(test);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Sizes of a run: quick or default, with overrides. */
export function resolveSizes(quick: boolean, over: Partial<ReproduceSizes> = {}): ReproduceSizes {
  return { ...(quick ? QUICK_SIZES : DEFAULT_SIZES), ...over };
}

