/**
 * G-HarmoDT (extended paper arXiv 2411.01146; harmodt.md §2 "G-HarmoDT", unverified beyond the
 * abstract, so the procedure below is ours and documented as such):
 * 1. warm-up: `clusterFraction` of the steps trains the shared model (one all-ones mask);
 * 2. clustering: per-task gradients at the shared weights -> cosine matrix -> clusterTasks;
 *    one ERK mask per group;
 * 3. HarmoDT training for the remaining steps with the group masks (round robin over tasks,
 *    each step under its task's group mask; the outer step scores a group by the mean
 *    gradient of its tasks);
 * 4. gating network: an MLP on the flattened current window (R̂, s, a, padding flag of the last
 *    K steps) trained with cross-entropy to predict the group of the window's task.
 * At inference predictLast ignores the task ids: the gate picks each row's mask.
 * Task-agnostic use needs data normalised without task statistics: train it on a dataset
 * built with `normalize: 'global'`.
 */
import * as tf from '@tensorflow/tfjs';
import { MLP, OptionError, createRng, defineOptions, makeOptimizer, opt, softmaxCrossEntropy } from '@paperkit/tensor-core';
import { cosineMatrix, type MultiTaskDataset, type WindowBatch } from '@paperkit/offline-rl';
import { HarmoDT, type HarmoFitOptions } from './harmo-dt.js';
import { HARMODT_OPTIONS, HARMO_FIT_OPTIONS, type HarmoDTOptions } from './options.js';
import { clusterTasks } from './task-clustering.js';

export interface GHarmoDTOptions extends HarmoDTOptions {
  /** Share of the steps spent on the shared warm-up before clustering. Default 0.1. */
  clusterFraction?: number;
  /** Merge clusters while their mean gradient cosine is >= this. Default 0.3. */
  clusterThreshold?: number;
  /** Fix the number of groups instead of the threshold. */
  groups?: number;
  /** Gate MLP hidden width. Default 64. */
  gateHidden?: number;
  /** Gate training steps (batch 64, Adam 3e-3). Default 300. */
  gateSteps?: number;
}

/** The options of `new GHarmoDT(...)`: HarmoDT's plus the clustering and gate options (our defaults; the extended paper gives none). */
export const GHARMODT_OPTIONS = defineOptions('GHarmoDT', {
  ...HARMODT_OPTIONS.spec,
  conditioning: opt.custom<'none'>("'none' (G-HarmoDT infers the task; a task embedding or prompt would need the task id)", (v) => v === 'none', { default: 'none' }),
  clusterFraction: opt.number({ min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.1 }),
  clusterThreshold: opt.number({ min: -1, max: 1, default: 0.3 }),
  groups: opt.optional(opt.integer({ min: 1 })),
  gateHidden: opt.integer({ min: 1, default: 64 }),
  gateSteps: opt.integer({ min: 1, default: 300 }),
});

/** G-HarmoDT's own defaults (clusterFraction, clusterThreshold, gateHidden, gateSteps) beside HarmoDT's. */
export const GHARMODT_DEFAULTS = GHARMODT_OPTIONS.defaults;

export class GHarmoDT extends HarmoDT {
  readonly gOptions: Required<Pick<GHarmoDTOptions, 'clusterFraction' | 'clusterThreshold' | 'gateHidden' | 'gateSteps'>> & { groups?: number };
  gate: MLP | null = null;
  /** Cosine matrix used for clustering. */
  clusterCosines: number[][] = [];
  /** 'gate' (default, task-agnostic) or 'task' (use the given task ids' groups). */
  inference: 'gate' | 'task' = 'gate';

  constructor(options: GHarmoDTOptions) {
    const { clusterFraction, clusterThreshold, groups, gateHidden, gateSteps, ...base } = GHARMODT_OPTIONS.parse(options as never);
    super(base);
    this.gOptions = { clusterFraction, clusterThreshold, gateHidden, gateSteps, groups };
    if (groups !== undefined && groups > base.numTasks) throw new OptionError('GHarmoDT.groups', `at most numTasks (${base.numTasks})`, groups);
  }

  override async fit(data: MultiTaskDataset, options: HarmoFitOptions = {}): Promise<{ losses: Float32Array; seconds: number }> {
    const steps = HARMO_FIT_OPTIONS.parse(options).steps;
    const warm = Math.max(1, Math.round(this.gOptions.clusterFraction * steps));
    const started = performance.now();
    // 1. shared warm-up: one all-ones mask, no outer steps.
    this.groupOf = new Int32Array(this.options.numTasks);
    this.setMasks([new Uint8Array(this.maskableTotal).fill(1)]);
    const update = this.options.maskUpdate;
    (this.options as { maskUpdate: boolean }).maskUpdate = false;
    const first = await super.fit(data, { ...options, steps: warm });
    (this.options as { maskUpdate: boolean }).maskUpdate = update;
    // 2. cluster tasks by gradient cosine at the shared weights.
    const rng = createRng(`gharmodt-cluster:${this.options.seed}`);
    const grads: Float32Array[] = [];
    for (let t = 0; t < data.numTasks; t++) {
      const sum = new Float32Array(this.maskableTotal);
      for (let b = 0; b < 4; b++) {
        const g = await this.maskedGradient(data.sampleWindows(t, this.options.batchSize, this.context, rng), 0);
        for (let k = 0; k < g.length; k++) sum[k] += g[k] / 4;
      }
      grads.push(sum);
    }
    this.clusterCosines = cosineMatrix(grads);
    this.groupOf = Int32Array.from(clusterTasks(this.clusterCosines, { threshold: this.gOptions.clusterThreshold, groups: this.gOptions.groups }));
    // 3. HarmoDT with one mask per group.
    this.initMasks(Math.max(...this.groupOf) + 1);
    const second = await super.fit(data, { ...options, steps: steps - warm });
    // 4. the gate.
    await this.trainGate(data);
    const losses = new Float32Array(steps);
    losses.set(first.losses, 0);
    losses.set(second.losses, warm);
    return { losses, seconds: (performance.now() - started) / 1000 };
  }

  /** Gate input: per step [R̂, s, a, mask], flattened over the K steps. */
  gateFeatures(batch: WindowBatch): tf.Tensor2D {
    const { size: B, context: K, stateDim: S, actDim: A } = batch;
    const w = S + A + 2;
    const x = new Float32Array(B * K * w);
    for (let r = 0; r < B * K; r++) {
      const o = r * w;
      x[o] = batch.returnsToGo[r];
      x.set(batch.states.subarray(r * S, (r + 1) * S), o + 1);
      x.set(batch.actions.subarray(r * A, (r + 1) * A), o + 1 + S);
      x[o + 1 + S + A] = batch.mask[r];
    }
    return tf.tensor2d(x, [B, K * w]);
  }

  private async trainGate(data: MultiTaskDataset): Promise<void> {
    this.gate?.dispose();
    const G = this.numGroups;
    const K = this.context;
    const inDim = K * (this.stateDim + this.actDim + 2);
    this.gate = new MLP({ sizes: [inDim, this.gOptions.gateHidden, G], seed: `gate:${this.options.seed}`, name: 'gharmodt/gate' });
    if (G === 1) return;
    const rng = createRng(`gate-data:${this.options.seed}`);
    const optimizer = makeOptimizer({ name: 'adam', lr: 3e-3 });
    try {
      for (let s = 0; s < this.gOptions.gateSteps; s++) {
        const ids = Int32Array.from({ length: 64 }, () => rng.int(data.numTasks));
        const batch = data.sampleWindows(ids, 64, K, rng);
        // Random history lengths, so the gate also learns to decide from short (early-episode) windows.
        for (let b = 0; b < 64; b++) {
          const pad = rng.int(K);
          for (let k = 0; k < pad; k++) {
            const r = b * K + k;
            batch.mask[r] = 0;
            batch.returnsToGo[r] = 0;
            batch.states.fill(0, r * this.stateDim, (r + 1) * this.stateDim);
            batch.actions.fill(0, r * this.actDim, (r + 1) * this.actDim);
          }
        }
        const labels = new Float32Array(64 * G);
        ids.forEach((t, b) => (labels[b * G + this.groupOf[t]] = 1));
        tf.tidy(() => {
          const x = this.gateFeatures(batch);
          const y = tf.tensor2d(labels, [64, G]);
          optimizer.minimize(() => softmaxCrossEntropy(y, this.gate!.apply(x)), false, this.gate!.trainableVariables);
        });
      }
    } finally {
      optimizer.dispose();
    }
  }

  /** The gate's group for every row (one device read). */
  gateGroups(batch: WindowBatch): Int32Array {
    if (!this.gate || this.numGroups === 1) return new Int32Array(batch.size);
    const picked = tf.tidy(() => tf.argMax(this.gate!.apply(this.gateFeatures(batch)), 1));
    const values = Int32Array.from(picked.dataSync());
    picked.dispose();
    return values;
  }

  override predictLast(batch: WindowBatch): tf.Tensor2D {
    if (this.inference === 'task') return super.predictLast(batch);
    return this.predictGrouped(batch, this.gateGroups(batch));
  }

  override dispose(): void {
    this.gate?.dispose();
    this.gate = null;
    super.dispose();
  }
}
