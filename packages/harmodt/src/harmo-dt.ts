/**
 * HarmoDT (Hu et al., ICML 2024; harmodt.md §2): one Decision Transformer whose task i always
 * runs with θ ⊙ m_i, its "harmony subspace".
 *
 * Inner step (train_step_mix), task i = t mod N, one batch of task i:
 *   save θ; load θ ⊙ m_i; loss; backprop; clip the global grad norm; grads ⊙ m_i; Adam(W) step;
 *   restore every coordinate with m_i = 0 to its saved value, so neither Adam momentum nor
 *   weight decay ever moves a weight task i does not own.
 * Outer step every `maskInterval` steps: fresh per-task gradients g_i at θ ⊙ m_i (clipped,
 * no step), k from the cosine schedule, then harmonyMaskUpdate for every task.
 *
 * Maskable weights: the 2-D kernels of the transformer blocks (q, k, v, output, fc1, fc2;
 * 24,576 weights at the CPU size). Embeddings, the action head, biases and LayerNorms are
 * shared and always on (the official code leaves `embed`/`predict` unmasked and ERK makes
 * 1-D tensors dense; we also keep them out of the mask vectors, quirk c).
 *
 * Masks belong to mask groups: by default group = task; G-HarmoDT maps tasks to clusters.
 */
import * as tf from '@tensorflow/tfjs';
import {
  OptionError, ShapeError, createRng, makeOptimizer, type Rng, type Seed,
} from '@paperkit/tensor-core';
import {
  DecisionTransformer, LossLog, attachDataset, clipByGlobalNorm, drawBatch, dtLoss, windowFromHistory,
  type EpisodeHistory, type MultiTaskDataset, type Normalization, type WindowBatch, type WindowPolicy,
} from '@paperkit/offline-rl';
import { changeCount } from './change-schedule.js';
import { erkMask, uniformMask } from './erk-mask-init.js';
import { harmonyMaskUpdate } from './harmony-mask-update.js';
import { HARMO_FIT_OPTIONS, resolveHarmoDTOptions, type HarmoDTOptions, type ResolvedHarmoDTOptions } from './options.js';

export interface HarmoFitOptions {
  /** Optimizer steps (max_iters: the schedule's α = step / steps). Default 1800. */
  steps?: number;
  /** Called at every loss sync (every 50 steps). */
  onLog?: (info: { step: number; loss: number; maskSwaps?: number }) => void;
  /** Loss sync interval. Default 50. */
  syncEvery?: number;
}

/** Masks as 0/1 bytes over the concatenated maskable tensors. */
export interface MaskSet {
  tensorNames: string[];
  tensorShapes: number[][];
  /** masks[g] for mask group g (= task without clustering). */
  masks: Uint8Array[];
  /** Task -> mask group. */
  groupOf: number[];
}

/** One outer update, for the mechanism report. */
export interface MaskUpdateRecord {
  step: number;
  k: number;
  /** Per mask group: share of its active coordinates with agree < 0, measured before the swap. */
  conflictRate: number[];
}

export class HarmoDT implements WindowPolicy {
  readonly options: ResolvedHarmoDTOptions;
  readonly dt: DecisionTransformer;
  /** The maskable variables and their names/sizes/offsets in the flat mask vector. */
  readonly maskable: tf.Variable[];
  readonly maskableNames: string[];
  readonly maskableSizes: number[];
  readonly maskableTotal: number;
  /** Task -> mask group. */
  groupOf: Int32Array;
  /** Outer updates so far. */
  readonly updates: MaskUpdateRecord[] = [];
  protected groupMasks: Uint8Array[] = [];
  private maskTensors: tf.Tensor[][] = [];
  private inverseTensors: tf.Tensor[][] = [];
  protected readonly rng: Rng;

  constructor(options: HarmoDTOptions) {
    const o = (this.options = resolveHarmoDTOptions(options));
    this.rng = createRng(`harmodt:${o.seed}`);
    this.dt = new DecisionTransformer({
      stateDim: o.stateDim, actDim: o.actDim, context: o.context, embedDim: o.embedDim, layers: o.layers, heads: o.heads,
      ffnDim: o.ffnDim, dropout: o.dropout, activation: o.activation, maxEpisodeLength: o.maxEpisodeLength,
      conditioning: o.conditioning, numTasks: o.numTasks, promptLength: o.promptLength, seed: o.seed,
    });
    const named = this.dt.namedVariables().filter(([n, v]) => n.startsWith('block') && n.endsWith('/kernel') && v.rank === 2);
    this.maskable = named.map(([, v]) => v);
    this.maskableNames = named.map(([n]) => n);
    this.maskableSizes = this.maskable.map((v) => v.size);
    this.maskableTotal = this.maskableSizes.reduce((a, b) => a + b, 0);
    this.groupOf = Int32Array.from({ length: o.numTasks }, (_, i) => i);
    this.initMasks(o.numTasks);
  }

  get context(): number {
    return this.dt.context;
  }
  get stateDim(): number {
    return this.dt.stateDim;
  }
  get actDim(): number {
    return this.dt.actDim;
  }
  get normalization(): Normalization {
    return this.dt.normalization;
  }
  get numGroups(): number {
    return this.groupMasks.length;
  }

  /** Fresh ERK (or uniform) masks, one per group, density 1 − sparsity. */
  protected initMasks(groups: number): void {
    const o = this.options;
    const shapes = this.maskable.map((v) => v.shape);
    const density = 1 - o.sparsity;
    const masks = Array.from({ length: groups }, (_, g) => {
      const rng = createRng(`harmodt-mask:${o.seed}:${g}`);
      return o.maskInit === 'erk' ? erkMask(shapes, density, rng) : uniformMask(this.maskableTotal, density, rng);
    });
    this.setMasks(masks);
  }

  /** Replace every group mask (and rebuild the device copies). */
  protected setMasks(masks: Uint8Array[]): void {
    tf.dispose(this.maskTensors.flat());
    tf.dispose(this.inverseTensors.flat());
    this.groupMasks = masks.map((m) => Uint8Array.from(m));
    this.maskTensors = [];
    this.inverseTensors = [];
    masks.forEach((_, g) => this.uploadMask(g));
  }

  private uploadMask(g: number): void {
    tf.dispose(this.maskTensors[g] ?? []);
    tf.dispose(this.inverseTensors[g] ?? []);
    const m = this.groupMasks[g];
    let offset = 0;
    this.maskTensors[g] = [];
    this.inverseTensors[g] = [];
    this.maskable.forEach((v) => {
      const part = Float32Array.from(m.subarray(offset, offset + v.size));
      this.maskTensors[g].push(tf.tensor(part, v.shape, 'float32'));
      this.inverseTensors[g].push(tf.tensor(part.map((x) => 1 - x), v.shape, 'float32'));
      offset += v.size;
    });
  }

  /** Run fn with θ ⊙ m_g loaded, then put θ back exactly. */
  withMask<T extends tf.TensorContainer>(group: number, fn: () => T): T {
    const saved = this.maskable.map((v) => tf.clone(v));
    try {
      tf.tidy(() => this.maskable.forEach((v, j) => v.assign(tf.mul(v, this.maskTensors[group][j]))));
      return fn();
    } finally {
      this.maskable.forEach((v, j) => v.assign(saved[j]));
      tf.dispose(saved);
    }
  }

  /** The inner step of harmodt.md §2 for one batch of one task; returns the (kept) loss. */
  maskedStep(batch: WindowBatch, task: number, optimizer: tf.Optimizer): tf.Scalar {
    const g = this.groupOf[task];
    const M = this.maskTensors[g];
    const inv = this.inverseTensors[g];
    const all = this.dt.variables;
    return tf.tidy(() => {
      const saved = this.maskable.map((v) => tf.clone(v));
      this.maskable.forEach((v, j) => v.assign(tf.mul(v, M[j])));
      const { value, grads } = tf.variableGrads(() => dtLoss(this.dt.forward(batch, { training: true }), batch), all);
      const clipped = clipByGlobalNorm(grads, this.options.gradClip);
      this.maskable.forEach((v, j) => {
        clipped[v.name] = tf.mul(clipped[v.name], M[j]);
      });
      optimizer.applyGradients(clipped);
      this.maskable.forEach((v, j) => v.assign(tf.add(tf.mul(v, M[j]), tf.mul(saved[j], inv[j]))));
      return tf.keep(value);
    });
  }

  /** Flat maskable gradient of one batch at θ ⊙ m_group (clipped like a step; unmasked). */
  async maskedGradient(batch: WindowBatch, group: number): Promise<Float32Array> {
    const flat = this.withMask(group, () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => dtLoss(this.dt.forward(batch), batch), this.dt.variables);
        const clipped = clipByGlobalNorm(grads, this.options.gradClip);
        return tf.concat(this.maskable.map((v) => tf.reshape(clipped[v.name], [-1])));
      }),
    );
    const values = (await flat.data()) as Float32Array;
    flat.dispose();
    return values;
  }

  /** η_max as a count. */
  get etaMax(): number {
    const c = this.options.changeMax;
    return c < 1 ? Math.round(c * this.maskableTotal) : c;
  }

  /** The outer step: per-group gradients, k from the cosine schedule, swap k coordinates per group. */
  async outerStep(data: MultiTaskDataset, step: number, maxIters: number, rng: Rng): Promise<MaskUpdateRecord> {
    const o = this.options;
    const G = this.numGroups;
    const grads: Float32Array[] = [];
    for (let g = 0; g < G; g++) {
      const tasks = [...this.groupOf.keys()].filter((t) => this.groupOf[t] === g);
      const sum = new Float32Array(this.maskableTotal);
      for (const t of tasks) {
        const batch = drawBatch(this.dt, data, 0, { batchSize: o.batchSize, sampling: 'round-robin', promptFromTop: 5 }, rng, [t]);
        const gi = await this.maskedGradient(batch, g);
        for (let k = 0; k < sum.length; k++) sum[k] += gi[k] / tasks.length;
      }
      if (o.revive === 'official') {
        const m = this.groupMasks[g];
        for (let k = 0; k < sum.length; k++) if (!m[k]) sum[k] = 0;
      }
      grads.push(sum);
    }
    const mean = new Float32Array(this.maskableTotal);
    for (const gi of grads) for (let k = 0; k < mean.length; k++) mean[k] += gi[k] / G;
    const k = changeCount(step, maxIters, this.etaMax);
    const weights = o.importance === 'magnitude' ? await this.flatWeights() : undefined;
    const conflictRate: number[] = [];
    const next = this.groupMasks.map((mask, g) => {
      let active = 0;
      let bad = 0;
      for (let i = 0; i < mask.length; i++) {
        if (!mask[i]) continue;
        active++;
        if (mean[i] * grads[g][i] < 0) bad++;
      }
      conflictRate.push(active > 0 ? bad / active : 0);
      return harmonyMaskUpdate({ mask, grad: grads[g], meanGrad: mean, k, gamma: o.gamma, importance: o.importance, weights, rng }).mask;
    });
    next.forEach((m, g) => {
      this.groupMasks[g] = m;
      this.uploadMask(g);
    });
    const record = { step, k, conflictRate };
    this.updates.push(record);
    return record;
  }

  /** Concatenated maskable weights (for importance 'magnitude'). */
  async flatWeights(): Promise<Float32Array> {
    const flat = tf.tidy(() => tf.concat(this.maskable.map((v) => tf.reshape(v, [-1]))));
    const values = (await flat.data()) as Float32Array;
    flat.dispose();
    return values;
  }

  /** Train on `data` (its task count must equal numTasks): masked inner steps round robin, outer steps every maskInterval. */
  async fit(data: MultiTaskDataset, options: HarmoFitOptions = {}): Promise<{ losses: Float32Array; seconds: number }> {
    const o = this.options;
    if (data.numTasks !== o.numTasks) throw new OptionError('HarmoDT.fit(data)', `a dataset with numTasks = ${o.numTasks} tasks`, data.numTasks);
    const fit = HARMO_FIT_OPTIONS.parse(options);
    const steps = fit.steps;
    attachDataset(this.dt, data, o.seed);
    const rng = createRng(`train-dt:${o.seed}`); // the same batch stream as offline-rl's trainDecisionTransformer
    const outerRng = createRng(`harmodt-outer:${o.seed}`);
    const optimizer = makeOptimizer(o.weightDecay > 0 ? { name: 'adamw', lr: o.lr, weightDecay: o.weightDecay } : { name: 'adam', lr: o.lr });
    const losses = new Float32Array(steps);
    const log = new LossLog(losses, fit.onLog);
    const started = performance.now();
    const batchOpts = { batchSize: o.batchSize, sampling: 'round-robin' as const, promptFromTop: 5 };
    try {
      for (let step = 0; step < steps; step++) {
        if (o.maskUpdate && step > 0 && step % o.maskInterval === 0) await this.outerStep(data, step, steps, outerRng);
        if (o.warmupSteps > 0) (optimizer as unknown as { learningRate: number }).learningRate = o.lr * Math.min(1, (step + 1) / o.warmupSteps);
        const task = step % data.numTasks;
        const batch = drawBatch(this.dt, data, step, batchOpts, rng);
        log.push(this.maskedStep(batch, task, optimizer));
        if (log.pending >= fit.syncEvery || step === steps - 1) await log.flush();
      }
    } finally {
      log.dispose();
      optimizer.dispose();
    }
    return { losses, seconds: (performance.now() - started) / 1000 };
  }

  /** [B, A] actions at the newest position; rows are grouped by their task's mask (one forward per group). */
  predictLast(batch: WindowBatch): tf.Tensor2D {
    const groups = Array.from(batch.taskIds, (t) => {
      if (!(t >= 0 && t < this.groupOf.length)) throw new OptionError('taskId', `a task id in [0, ${this.groupOf.length})`, t);
      return this.groupOf[t];
    });
    return this.predictGrouped(batch, Int32Array.from(groups));
  }

  /** Forward each row with the mask of groups[row]. */
  protected predictGrouped(batch: WindowBatch, groups: Int32Array): tf.Tensor2D {
    const order = [...new Set(groups)].sort((a, b) => a - b);
    if (order.length === 1) return this.withMask(order[0], () => this.dt.predictLast(batch));
    const parts: tf.Tensor2D[] = [];
    const rowsOf: number[][] = [];
    for (const g of order) {
      const rows = [...groups.keys()].filter((r) => groups[r] === g);
      rowsOf.push(rows);
      parts.push(this.withMask(g, () => this.dt.predictLast(subBatch(batch, rows))));
    }
    return tf.tidy(() => {
      const stacked = tf.concat(parts, 0);
      const position = new Int32Array(batch.size);
      let k = 0;
      for (const rows of rowsOf) for (const r of rows) position[r] = k++;
      const out = tf.gather(stacked, tf.tensor1d(position, 'int32')) as tf.Tensor2D;
      tf.dispose(parts);
      return out;
    });
  }

  /** The action for the newest state of a live episode of task `task`. */
  async act(task: number | string, history: EpisodeHistory, options: { targetReturn?: number } = {}): Promise<Float32Array> {
    const id = typeof task === 'string' ? this.normalization.taskNames.indexOf(task) : task;
    if (!Number.isInteger(id) || id < 0 || id >= this.options.numTasks) {
      throw new OptionError('taskId', `a task id in [0, ${this.options.numTasks}) or one of ${this.normalization.taskNames.join(', ')}`, task);
    }
    const out = this.predictLast(windowFromHistory(this.normalization, id, history, this.context, options.targetReturn));
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  }

  /** A copy of the masks (0/1 bytes per maskable coordinate, per group). */
  masks(): MaskSet {
    return {
      tensorNames: [...this.maskableNames],
      tensorShapes: this.maskable.map((v) => [...v.shape]),
      masks: this.groupMasks.map((m) => Uint8Array.from(m)),
      groupOf: Array.from(this.groupOf),
    };
  }

  /** Load masks saved by masks(); checks names, shapes, values and the task -> group map. */
  loadMasks(set: MaskSet): void {
    if (!set || !Array.isArray(set.masks) || set.masks.length === 0) throw new OptionError('loadMasks(set)', 'a MaskSet from masks()', set);
    if (set.tensorNames.join('|') !== this.maskableNames.join('|')) {
      throw new ShapeError('loadMasks tensorNames', this.maskableNames.join(', '), set.tensorNames.join(', '));
    }
    set.masks.forEach((m, g) => {
      if (m.length !== this.maskableTotal) throw new ShapeError(`loadMasks masks[${g}]`, `[${this.maskableTotal}]`, [m.length]);
      for (let i = 0; i < m.length; i++) if (m[i] !== 0 && m[i] !== 1) throw new OptionError(`loadMasks masks[${g}][${i}]`, '0 or 1', m[i]);
    });
    const groupOf = set.groupOf ?? set.masks.map((_, i) => i);
    if (groupOf.length !== this.options.numTasks || groupOf.some((g) => !(Number.isInteger(g) && g >= 0 && g < set.masks.length))) {
      throw new OptionError('loadMasks groupOf', `${this.options.numTasks} group ids in [0, ${set.masks.length})`, groupOf);
    }
    this.groupOf = Int32Array.from(groupOf);
    this.setMasks(set.masks);
  }

  dispose(): void {
    tf.dispose(this.maskTensors.flat());
    tf.dispose(this.inverseTensors.flat());
    this.maskTensors = [];
    this.inverseTensors = [];
    this.dt.dispose();
  }
}

/** Rows `rows` of a window batch (prompt included). */
export function subBatch(b: WindowBatch, rows: number[]): WindowBatch {
  const { context: K, stateDim: S, actDim: A } = b;
  const pick = <T extends Float32Array | Int32Array>(src: T, width: number): T => {
    const out = new (src.constructor as new (n: number) => T)(rows.length * width);
    rows.forEach((r, i) => out.set(src.subarray(r * width, (r + 1) * width), i * width));
    return out;
  };
  const out: WindowBatch = {
    size: rows.length, context: K, stateDim: S, actDim: A,
    states: pick(b.states, K * S), actions: pick(b.actions, K * A), returnsToGo: pick(b.returnsToGo, K),
    timesteps: pick(b.timesteps, K), mask: pick(b.mask, K), taskIds: pick(b.taskIds, 1),
  };
  if (b.prompt) {
    const L = b.prompt.length;
    out.prompt = {
      length: L, states: pick(b.prompt.states, L * S), actions: pick(b.prompt.actions, L * A),
      returnsToGo: pick(b.prompt.returnsToGo, L), timesteps: pick(b.prompt.timesteps, L), mask: pick(b.prompt.mask, L),
    };
  }
  return out;
}

export type { Seed };
