/**
 * CompoFormer (arXiv 2411.11364; compoformer.md section 2): continual offline
 * RL by adaptive policy self-composition.
 *
 * For task t with description embedding e_t and data D_t:
 *  1. (t > 0) a meta-policy attends over the earlier *trained* modules j,
 *       w_j = softmax_j( q_t(e_t) . k_t(e_j) / sqrt(qkDim) ),   a_hat = sum_j w_j pi_j(window),
 *     and only q_t, k_t are warmed up on D_t by action MSE (pi_j frozen);
 *  2. reuse check: the hard selection (one-hot argmax of w) runs online
 *     (`check` function, success >= threshold) or offline (held-out action
 *     MSE <= maxMse); if it passes, the task is marked reused: no parameters,
 *     no training, inference = the selected earlier policy;
 *  3. otherwise a new module is trained: Prune = a PackNet-style slice of free
 *     trunk weights, Grow = a LoRA set on every block's QKV; with the fusion
 *     head f_t([sum_j w_j phi_j, phi_t]) where phi_j are the frozen modules'
 *     state-token features (task 0: the whole trunk and h_0 = tanh Linear);
 *  4. recursion: each earlier pi_j is itself its composed output f_j(...).
 * Frozen modules' features and actions on every window of D_t are computed
 * once (cacheFrozen), so a training step costs one trainable forward/backward.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, defineOptions, opt, toRng } from '@paperkit/tensor-core';
import {
  ContinualLearner, LEARNER_RULES, nonNegativeInteger,
  type LearnerBaseOptions, type LearnTaskInput, type LearnTaskResult, type OfflineCheck, type TaskEntry, type TaskPolicy,
} from './continual-learner.js';
import { ActionHead, FusionHead } from './heads.js';
import { LoRASet } from './lora-set.js';
import { MaskedTrunk } from './masked-trunk.js';
import { TaskAttention, type QKInit } from './task-attention.js';
import { checkDescription } from './text-encoder.js';
import { maskedActionMse, trainLoop } from './train-loop.js';
import { disposeWindowTensors, initTrunkWeights, takeWindowRows, trunkFeatures, windowTensors, type TrunkWeights, type WindowTensors } from '@paperkit/offline-rl';
import { episodeWindows } from './windows.js';
import type { Episode, TaskNormalization } from './task-dataset.js';

export interface CompoFormerOptions extends LearnerBaseOptions {
  /** 'prune' (default; the paper's best row) or 'grow'. */
  variant?: 'prune' | 'grow';
  /** Reuse threshold tau on the check's success. Default 0.8. */
  threshold?: number;
  /** Meta-policy warm-up steps. CPU default 50 (paper 1000). */
  warmupSteps?: number;
  /** Warm-up learning rate. CPU default 1e-2 (paper 1e-4). */
  warmupLr?: number;
  /** Prune: share q of the free weights released after each module. Default 0.5. */
  pruneQuantile?: number;
  /** Grow: LoRA rank and alpha. Default 8 / 1. */
  loraRank?: number;
  loraAlpha?: number;
  /** Attention key width. Default = text dim (paper 256 on 384-d MiniLM). */
  qkDim?: number;
  /** 'identity' (port default: initial logits = description dot products) or 'official' (all-ones). */
  qkInit?: QKInit;
  /** Earlier policies are their own composed outputs (official runs/cw10.sh). Default true. */
  recursion?: boolean;
  /** Also train q/k during module training (official --updateqk). Default false. */
  updateQK?: boolean;
  /** Compute frozen modules' features/actions on D_t once. Default true. */
  cacheFrozen?: boolean;
  /** Default offline check settings when learnTask gets no `check`. */
  offlineMaxMse?: number;
  /**
   * Inputs of a reused module (check and acting): normalised with the statistics of the task the module was
   * trained on ('module', ours, the default: the module then sees inputs on the scale it learned) or with the
   * new task's own statistics ('task', as the official code normalises every task's data with its own).
   */
  reuseNormalization?: 'module' | 'task';
}

/** CompoFormer's options: the shared ones (LEARNER_RULES) and the method's, with the spec's CPU defaults (section 6). */
export const COMPOFORMER_OPTIONS = defineOptions('CompoFormer', {
  ...LEARNER_RULES,
  variant: opt.oneOf(['prune', 'grow'] as const, { default: 'prune' }),
  threshold: opt.number({ min: 0, max: 1, default: 0.8 }),
  warmupSteps: opt.integer({ min: 0, default: 50 }),
  warmupLr: opt.number({ min: 0, exclusiveMin: true, default: 1e-2 }),
  pruneQuantile: opt.number({ min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.5 }),
  loraRank: opt.integer({ min: 1, default: 8 }),
  loraAlpha: opt.number({ min: 0, exclusiveMin: true, default: 1 }),
  qkDim: opt.optional(opt.integer({ min: 1 })),
  qkInit: opt.oneOf(['identity', 'official'] as const, { default: 'identity' }),
  recursion: opt.boolean({ default: true }),
  updateQK: opt.boolean({ default: false }),
  cacheFrozen: opt.boolean({ default: true }),
  offlineMaxMse: opt.number({ min: 0, exclusiveMin: true, default: 0.05 }),
  reuseNormalization: opt.oneOf(['module', 'task'] as const, { default: 'module' }),
});

/** CompoFormer's CPU defaults (spec section 6; the paper's in COMPOFORMER_PAPER_VALUES). */
export const COMPOFORMER_DEFAULTS = COMPOFORMER_OPTIONS.defaults;

/** The paper's values for the same options (official main.py / approach parsers). */
export const COMPOFORMER_PAPER_VALUES = Object.freeze({
  warmupSteps: 1000, warmupLr: 1e-4, stepsPerTask: 50_000, embedDim: 256, layers: 6, heads: 8, context: 20,
  lr: 1e-4, batchSize: 32, gradClip: 0.25, qkDim: 256, qkInit: 'official', threshold: 0.8, pruneQuantile: 0.5, loraRank: 8, loraAlpha: 1,
});

interface ModuleRec {
  index: number;
  taskId: string;
  /** Earlier trained module indices it composes (empty for module 0). */
  earlier: number[];
  /** Soft attention weights over `earlier` (frozen after training). */
  weights: Float32Array;
  /** h_j (module 0's output; the non-recursive "earlier policy" of the rest). */
  head: ActionHead;
  fusion: FusionHead | null;
  lora: LoRASet | null;
}

type Plan = { kind: 'trained'; module: number } | { kind: 'reused'; module: number };

export class CompoFormer extends ContinualLearner {
  readonly name: string;
  readonly options: Required<Omit<CompoFormerOptions, keyof LearnerBaseOptions | 'qkDim'>> & { qkDim: number };
  private readonly masked: MaskedTrunk | null;
  private readonly growBase: Record<string, tf.Variable> | null;
  private readonly modules: ModuleRec[] = [];
  private readonly plans = new Map<string, Plan>();
  private readonly growViews = new Map<number, TrunkWeights>();
  private trunkFrozen = false;
  /** Index of the module being trained (its view is live), else -1. */
  private trainingModule = -1;

  constructor(options: CompoFormerOptions) {
    const o = COMPOFORMER_OPTIONS.parse(options);
    super('CompoFormer', o);
    const textDim = this.base.textEncoder.dim;
    const qkDim = o.qkDim ?? textDim;
    if (o.qkInit === 'identity' && qkDim !== textDim) throw new OptionError('CompoFormer.qkDim', `the text dimension ${textDim} with qkInit 'identity'`, options.qkDim);
    if (o.loraRank > this.config.embedDim) throw new OptionError('CompoFormer.loraRank', `an integer in [1, embedDim = ${this.config.embedDim}]`, o.loraRank);
    const { variant, threshold, pruneQuantile: q, qkInit, loraRank, reuseNormalization, warmupSteps, warmupLr, loraAlpha, recursion, updateQK, cacheFrozen, offlineMaxMse } = o;
    this.options = { variant, threshold, pruneQuantile: q, qkInit, qkDim, loraRank, reuseNormalization, warmupSteps, warmupLr, loraAlpha, recursion, updateQK, cacheFrozen, offlineMaxMse };
    this.name = variant === 'prune' ? 'CompoFormer-Prune' : 'CompoFormer-Grow';
    this.masked = variant === 'prune' ? new MaskedTrunk(this.config, q, `${this.base.seed}:trunk`, 'compoformer') : null;
    this.growBase = variant === 'grow' ? initTrunkWeights(this.config, `${this.base.seed}:trunk`, 'compoformer') : null;
  }

  /** How task `taskId` is served: its own trained module, or a reused earlier one. */
  plan(taskId: string): Plan {
    this.entry(taskId);
    return this.plans.get(taskId)!;
  }

  protected override inputNorm(taskId: string): TaskNormalization {
    const plan = this.plans.get(taskId);
    if (plan?.kind === 'reused' && this.options.reuseNormalization === 'module') return this.entry(this.modules[plan.module].taskId).norm;
    return this.entry(taskId).norm;
  }

  /** Number of trained modules. */
  get moduleCount(): number {
    return this.modules.length;
  }

  /** Prune variant: trunk weights still free for new modules (null for grow). */
  freeWeights(): number | null {
    return this.masked ? this.masked.ownership.freeCount() : null;
  }

  /** Prune variant: the ownership table (which module keeps which weight). */
  get ownership() {
    return this.masked?.ownership ?? null;
  }

  /** Trunk weights of frozen module m (Prune: W * union of masks <= m; Grow: base + LoRA_m). `fresh` recomputes instead of using the cache. */
  moduleView(m: number, fresh = false): TrunkWeights {
    const rec = this.modules[m];
    // The module under training runs on the live weights (nothing is cached until it is frozen).
    if (m === this.trainingModule) return this.masked ? this.masked.liveView() : rec.lora ? rec.lora.view(this.growBase!) : this.growBase!;
    if (this.masked) return this.masked.view(m, fresh);
    if (!rec.lora) return this.growBase!;
    if (!fresh) {
      const cached = this.growViews.get(m);
      if (cached) return cached;
    }
    const view = tf.tidy(() => {
      const v = rec.lora!.view(this.growBase!);
      const changed: TrunkWeights = {};
      for (const k of Object.keys(v)) if (v[k] !== this.growBase![k]) changed[k] = v[k];
      return changed;
    });
    const full: TrunkWeights = { ...this.growBase!, ...view };
    if (!fresh) {
      for (const t of Object.values(view)) tf.keep(t);
      this.growViews.set(m, full);
    }
    return full;
  }

  /**
   * Features phi_j and policy outputs pi_j [B, K, A] of modules 0..upTo on a batch.
   * `liveModule`: the module under training, whose view comes from the live weights.
   */
  moduleOutputs(batch: WindowTensors, upTo: number, live?: { module: number; view: TrunkWeights }): { phis: tf.Tensor3D[]; policies: tf.Tensor3D[]; own: tf.Tensor3D[] } {
    const phis: tf.Tensor3D[] = [];
    const policies: tf.Tensor3D[] = [];
    const own: tf.Tensor3D[] = [];
    for (let j = 0; j <= upTo; j++) {
      const rec = this.modules[j];
      const view = live && live.module === j ? live.view : this.moduleView(j);
      const phi = trunkFeatures(this.config, view, batch);
      phis.push(phi);
      const out = this.composedOutput(rec, phi, phis);
      own.push(out);
      policies.push(this.options.recursion || j === 0 ? out : (rec.head.apply(phi) as tf.Tensor3D));
    }
    return { phis, policies, own };
  }

  /** Module j's own output: h_0(phi_0) for the first module, f_j([sum_i w_i phi_i, phi_j]) otherwise. */
  private composedOutput(rec: ModuleRec, phi: tf.Tensor3D, phis: tf.Tensor3D[], composed?: tf.Tensor3D): tf.Tensor3D {
    if (!rec.fusion) return rec.head.apply(phi) as tf.Tensor3D;
    return tf.tidy(() => {
      const [B, K, D] = phi.shape;
      let c = composed;
      if (!c) {
        c = tf.mul(phis[rec.earlier[0]], rec.weights[0]) as tf.Tensor3D;
        for (let i = 1; i < rec.earlier.length; i++) c = tf.add(c, tf.mul(phis[rec.earlier[i]], rec.weights[i])) as tf.Tensor3D;
      }
      const out = rec.fusion!.apply(tf.reshape(c, [B * K, D]), tf.reshape(phi, [B * K, D]));
      return tf.reshape(out, [B, K, this.config.actDim]) as tf.Tensor3D;
    });
  }

  protected forwardTasks(taskIds: string[], batch: WindowTensors): tf.Tensor2D {
    return tf.tidy(() => {
      const needed = taskIds.map((id) => this.plans.get(id)!.module);
      const upTo = Math.max(...needed);
      const { own, policies } = this.moduleOutputs(batch, upTo);
      const [B, K] = batch.states.shape;
      const A = this.config.actDim;
      // Row b takes module needed[b]'s action at the last step: a one-hot mix over modules.
      let out: tf.Tensor2D | null = null;
      for (let j = 0; j <= upTo; j++) {
        const sel = new Float32Array(B);
        let any = false;
        taskIds.forEach((id, b) => {
          if (needed[b] === j) {
            sel[b] = 1;
            any = true;
          }
        });
        if (!any) continue;
        const plan = (id: string) => this.plans.get(id)!;
        // Reused tasks use the earlier policy pi_j (hard top-1); trained tasks their own output.
        const useOwn = taskIds.some((id, b) => needed[b] === j && plan(id).kind === 'trained');
        const usePolicy = taskIds.some((id, b) => needed[b] === j && plan(id).kind === 'reused');
        const last = (t: tf.Tensor3D): tf.Tensor2D => tf.reshape(tf.slice(t, [0, K - 1, 0], [B, 1, A]), [B, A]);
        let a: tf.Tensor2D;
        if (useOwn && usePolicy && own[j] !== policies[j]) {
          const ownSel = new Float32Array(B);
          taskIds.forEach((id, b) => { if (needed[b] === j && plan(id).kind === 'trained') ownSel[b] = 1; });
          const o = tf.tensor2d(ownSel, [B, 1]);
          a = tf.add(tf.mul(last(own[j]), o), tf.mul(last(policies[j]), tf.sub(1, o))) as tf.Tensor2D;
        } else a = last(useOwn ? own[j] : policies[j]) as tf.Tensor2D;
        const term = tf.mul(a, tf.tensor2d(sel, [B, 1])) as tf.Tensor2D;
        out = out ? (tf.add(out, term) as tf.Tensor2D) : term;
      }
      return out!;
    });
  }

  /**
   * Zero-shot policy for a task not learned yet (forward transfer a[i][i+1]):
   * the trained task whose description embedding has the largest dot product
   * with the new one (the identity-init attention before any warm-up).
   */
  override zeroShotPolicy(description: string): TaskPolicy | null {
    if (this.modules.length === 0) return null;
    const e = this.base.textEncoder.encode(checkDescription(description));
    if (e instanceof Promise) throw new OptionError('zeroShotPolicy', 'a synchronous text encoder', 'an async one');
    let best = -Infinity;
    let chosen = this.modules[0].taskId;
    for (const rec of this.modules) {
      const key = this.entry(rec.taskId).embedding;
      let dot = 0;
      for (let i = 0; i < key.length; i++) dot += key[i] * e[i];
      if (dot > best) {
        best = dot;
        chosen = rec.taskId;
      }
    }
    return this.policy(chosen);
  }

  protected async learn(entry: TaskEntry, input: LearnTaskInput): Promise<Omit<LearnTaskResult, 'id' | 'seconds'>> {
    const log = input.log ?? (() => {});
    const steps = nonNegativeInteger('learnTask.steps', input.steps, this.base.stepsPerTask);
    const check = input.check ?? ({ offline: true } as OfflineCheck);
    const offline = typeof check !== 'function';
    if (!offline && typeof check !== 'function') throw new OptionError('learnTask.check', 'a function (policy) => success or { offline: true }', check);
    const earlier = this.modules.map((m) => m.index);
    const { train, heldOut } = offline && earlier.length > 0 ? splitEpisodes(input.data.episodes, (check as OfflineCheck).holdout ?? 0.1, this.rng.fork(entry.id)) : { train: input.data.episodes, heldOut: [] };
    const cfg = this.config;
    const windows = windowTensors(episodeWindows(train, cfg.context, cfg.stateDim, cfg.actDim, entry.norm, cfg.maxEpisodeLength));
    const rows = windows.states.shape[0];
    const empty = { attention: {}, composedSuccess: null, check: 'none' as const, warmupSteps: 0, curve: [] as Array<[number, number]> };
    const caches: { phis: tf.Tensor3D[]; policies: tf.Tensor3D[] } = { phis: [], policies: [] };
    let attention: TaskAttention | null = null;
    try {
      if (earlier.length === 0) {
        const r = await this.trainModule(entry, input, windows, rows, steps, [], null, caches);
        return { ...empty, reused: false, ...r };
      }
      // Frozen-module cache: features and policy outputs of every earlier module on every window of D_t.
      if (this.options.cacheFrozen) Object.assign(caches, this.cacheOutputs(windows, earlier.length - 1));
      attention = new TaskAttention({ textDim: this.base.textEncoder.dim, qkDim: this.options.qkDim, qkInit: this.options.qkInit, name: `compoformer/${entry.id}/attention` });
      const query = tf.tensor1d(entry.embedding);
      const keys = tf.tensor2d(earlier.map((j) => Array.from(this.entry(this.modules[j].taskId).embedding)));
      try {
        await this.warmUp(attention, query, keys, windows, rows, earlier, caches);
        const weights = attention.weights(query, keys);
        const soft = weights.dataSync() as Float32Array;
        weights.dispose();
        const hard = argmax(tf.tidy(() => attention!.logits(query, keys).dataSync()));
        const attentionById = Object.fromEntries(earlier.map((j, i) => [this.modules[j].taskId, soft[i]]));
        // Reuse check of the hard selection.
        this.plans.set(entry.id, { kind: 'reused', module: earlier[hard] });
        let passed: boolean;
        let composedSuccess: number;
        if (offline) {
          composedSuccess = this.heldOutMse(entry, heldOut, earlier[hard]);
          passed = composedSuccess <= ((check as OfflineCheck).maxMse ?? this.options.offlineMaxMse);
        } else {
          composedSuccess = await (check as (p: TaskPolicy) => number | Promise<number>)(this.policy(entry.id));
          if (!Number.isFinite(composedSuccess)) throw new OptionError('learnTask.check result', 'a finite success rate', composedSuccess);
          passed = composedSuccess >= this.options.threshold;
        }
        log(`${entry.id}: composition -> ${this.modules[earlier[hard]].taskId} ${offline ? 'held-out mse' : 'success'} ${composedSuccess.toFixed(3)} ${passed ? '(reused)' : '(train new module)'}`);
        const base = { attention: attentionById, composedSuccess, check: offline ? ('offline' as const) : ('online' as const), warmupSteps: this.options.warmupSteps };
        if (passed) return { ...base, reused: true, trainedSteps: 0, newParams: 0, finalLoss: Number.NaN, curve: [] };
        this.plans.delete(entry.id);
        const r = await this.trainModule(entry, input, windows, rows, steps, earlier, { attention, query, keys, soft }, caches);
        // q_t/k_t are dropped after training (their soft weights are stored), so they are not counted.
        return { ...base, reused: false, ...r };
      } finally {
        tf.dispose([query, keys]);
      }
    } catch (error) {
      this.tasks.delete(entry.id);
      this.plans.delete(entry.id);
      throw error;
    } finally {
      attention?.dispose();
      tf.dispose([...caches.phis, ...caches.policies]);
      disposeWindowTensors(windows);
    }
  }

  /** Outputs of modules 0..upTo on all windows, in chunks (kept; caller disposes). */
  cacheOutputs(windows: WindowTensors, upTo: number): { phis: tf.Tensor3D[]; policies: tf.Tensor3D[] } {
    const n = windows.states.shape[0];
    const chunk = 1024;
    const parts: Array<{ phis: tf.Tensor3D[]; policies: tf.Tensor3D[] }> = [];
    for (let s = 0; s < n; s += chunk) {
      parts.push(
        tf.tidy(() => {
          const idx = tf.range(s, Math.min(n, s + chunk), 1, 'int32') as tf.Tensor1D;
          const { phis, policies } = this.moduleOutputs(takeWindowRows(windows, idx), upTo);
          return { phis, policies };
        }),
      );
    }
    const join = (key: 'phis' | 'policies') =>
      Array.from({ length: upTo + 1 }, (_, j) => {
        const pieces = parts.map((p) => p[key][j]);
        return pieces.length === 1 ? pieces[0] : (tf.concat(pieces, 0) as tf.Tensor3D);
      });
    const out = { phis: join('phis'), policies: join('policies') };
    if (parts.length > 1) for (const p of parts) tf.dispose([...p.phis, ...p.policies]);
    return out;
  }

  /** Rows idx of earlier modules' cached (or recomputed) outputs. */
  private earlierRows(windows: WindowTensors, batch: WindowTensors, idx: tf.Tensor1D, earlier: number[], caches: { phis: tf.Tensor3D[]; policies: tf.Tensor3D[] }) {
    if (this.options.cacheFrozen) {
      return { phis: earlier.map((j) => tf.gather(caches.phis[j], idx) as tf.Tensor3D), policies: earlier.map((j) => tf.gather(caches.policies[j], idx) as tf.Tensor3D) };
    }
    const { phis, policies } = this.moduleOutputs(batch, earlier.length - 1);
    return { phis, policies };
  }

  /** Spec step 3: warm up q_t/k_t on D_t with the soft mixture of the frozen earlier policies. */
  private async warmUp(attention: TaskAttention, query: tf.Tensor1D, keys: tf.Tensor2D, windows: WindowTensors, rows: number, earlier: number[], caches: { phis: tf.Tensor3D[]; policies: tf.Tensor3D[] }): Promise<void> {
    await trainLoop({
      variables: attention.trainableVariables,
      steps: this.options.warmupSteps,
      rows,
      batchSize: this.base.batchSize,
      lr: this.options.warmupLr,
      gradClip: this.base.gradClip,
      rng: this.rng.fork('warmup'),
      loss: (idx) => {
        const batch = takeWindowRows(windows, idx);
        const { policies } = this.earlierRows(windows, batch, idx, earlier, caches);
        const w = attention.weights(query, keys);
        let mix = tf.mul(policies[0], tf.slice(w, [0], [1]));
        for (let i = 1; i < policies.length; i++) mix = tf.add(mix, tf.mul(policies[i], tf.slice(w, [i], [1])));
        return maskedActionMse(mix, batch.actions, batch.mask);
      },
    });
  }

  /** Held-out action MSE of earlier module m's policy on the held-out episodes (offline check). */
  private heldOutMse(entry: TaskEntry, heldOut: Episode[], m: number): number {
    const cfg = this.config;
    const norm = this.options.reuseNormalization === 'module' ? this.entry(this.modules[m].taskId).norm : entry.norm;
    const w = windowTensors(episodeWindows(heldOut, cfg.context, cfg.stateDim, cfg.actDim, norm, cfg.maxEpisodeLength));
    try {
      return tf.tidy(() => {
        const { policies } = this.moduleOutputs(w, m);
        return maskedActionMse(tf.clipByValue(policies[m], -1, 1), w.actions, w.mask).dataSync()[0];
      });
    } finally {
      disposeWindowTensors(w);
    }
  }

  /** Spec step 4-5: add and train module m for the task (Prune or Grow). */
  private async trainModule(
    entry: TaskEntry,
    input: LearnTaskInput,
    windows: WindowTensors,
    rows: number,
    steps: number,
    earlier: number[],
    meta: { attention: TaskAttention; query: tf.Tensor1D; keys: tf.Tensor2D; soft: Float32Array } | null,
    caches: { phis: tf.Tensor3D[]; policies: tf.Tensor3D[] },
  ): Promise<{ trainedSteps: number; newParams: number; finalLoss: number; curve: Array<[number, number]> }> {
    const m = this.modules.length;
    if (this.masked) this.masked.ownership.requireFree(entry.id);
    const rng = this.rng.fork(`module${m}`);
    const head = new ActionHead(this.config.embedDim, this.config.actDim, rng, `compoformer/module${m}/head`);
    const fusion = earlier.length ? new FusionHead(this.config.embedDim, this.config.actDim, rng, `compoformer/module${m}/fusion`) : null;
    const lora = this.growBase && m > 0 ? new LoRASet(this.config, this.options.loraRank, this.options.loraAlpha, rng, `compoformer/module${m}/lora`) : null;
    const rec: ModuleRec = { index: m, taskId: entry.id, earlier, weights: meta?.soft ?? new Float32Array(0), head, fusion, lora };
    this.modules.push(rec);
    this.plans.set(entry.id, { kind: 'trained', module: m });
    this.trainingModule = m;
    // Fixed attention (updateQK false): the composed feature c = sum_j w_j phi_j is one cached tensor.
    const composedCache = fusion && this.options.cacheFrozen && !this.options.updateQK
      ? tf.tidy(() => {
          let c = tf.mul(caches.phis[earlier[0]], rec.weights[0]);
          for (let i = 1; i < earlier.length; i++) c = tf.add(c, tf.mul(caches.phis[earlier[i]], rec.weights[i]));
          return c as tf.Tensor3D;
        })
      : null;
    const curve: Array<[number, number]> = [];
    const lossFor = (view: TrunkWeights, idx: tf.Tensor1D) => {
      const batch = takeWindowRows(windows, idx);
      const phi = trunkFeatures(this.config, view, batch);
      let pred: tf.Tensor3D;
      if (!fusion) pred = head.apply(phi) as tf.Tensor3D;
      else {
        let c: tf.Tensor3D;
        if (composedCache) c = tf.gather(composedCache, idx) as tf.Tensor3D;
        else {
          const { phis } = this.earlierRows(windows, batch, idx, earlier, caches);
          const w = this.options.updateQK && meta ? meta.attention.weights(meta.query, meta.keys) : tf.tensor1d(rec.weights);
          c = tf.mul(phis[0], tf.slice(w, [0], [1]));
          for (let i = 1; i < phis.length; i++) c = tf.add(c, tf.mul(phis[i], tf.slice(w, [i], [1])));
        }
        pred = this.composedOutput(rec, phi, [], c);
      }
      return maskedActionMse(pred, batch.actions, batch.mask);
    };
    const headVars = fusion ? fusion.trainableVariables : head.trainableVariables;
    const qkVars = this.options.updateQK && meta ? meta.attention.trainableVariables : [];
    const common = this.loopSettings(entry, input, rows, rng, curve);
    try {
      let trainedSteps: number;
      let finalLoss: number;
      let newParams: number;
      if (this.masked) {
        const r = await this.masked.trainModule(m, { ...common, steps, extra: [...headVars, ...qkVars], task: entry.id, loss: (view, idx) => lossFor(view, idx) });
        trainedSteps = r.steps;
        finalLoss = r.finalLoss;
        newParams = r.owned + (fusion ? fusion.parameterCount() : head.parameterCount());
      } else {
        const trunkVars = m === 0 ? Object.values(this.growBase!).filter((v) => v.trainable) : [];
        const vars = [...trunkVars, ...(lora ? lora.trainableVariables : []), ...headVars, ...qkVars];
        const r = await trainLoop({ ...common, steps, variables: vars, loss: (idx) => lossFor(lora ? lora.view(this.growBase!) : this.growBase!, idx) });
        trainedSteps = r.steps;
        finalLoss = r.finalLoss;
        newParams = (m === 0 ? trunkVars.reduce((a, v) => a + v.size, 0) : lora!.parameterCount()) + (fusion ? fusion.parameterCount() : head.parameterCount());
        this.trunkFrozen = true;
      }
      if (this.options.updateQK && meta) {
        const w = meta.attention.weights(meta.query, meta.keys);
        rec.weights = w.dataSync() as Float32Array;
        w.dispose();
      }
      // Freeze: cache the module's trunk view now that its weights can no longer change.
      this.trainingModule = -1;
      this.moduleView(m);
      return { trainedSteps, newParams, finalLoss, curve };
    } catch (error) {
      this.trainingModule = -1;
      this.modules.pop();
      head.dispose();
      fusion?.dispose();
      lora?.dispose();
      throw error;
    } finally {
      composedCache?.dispose();
    }
  }

  parameterCount(): number {
    let n = this.masked ? this.masked.parameterCount() : Object.values(this.growBase!).reduce((a, v) => a + v.size, 0);
    for (const rec of this.modules) n += rec.head.parameterCount() + (rec.fusion?.parameterCount() ?? 0) + (rec.lora?.parameterCount() ?? 0);
    return n;
  }

  /** Whether the trunk base is frozen (Grow after task 0). */
  get frozen(): boolean {
    return this.trunkFrozen;
  }

  dispose(): void {
    this.masked?.dispose();
    if (this.growBase) tf.dispose(Object.values(this.growBase));
    for (const v of this.growViews.values()) for (const [k, t] of Object.entries(v)) if (this.growBase && t !== this.growBase[k]) t.dispose();
    for (const rec of this.modules) {
      rec.head.dispose();
      rec.fusion?.dispose();
      rec.lora?.dispose();
    }
  }
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Hold out round(share * episodes) episodes (at least 1, at most all but 1) for the offline check. */
export function splitEpisodes(episodes: Episode[], share: number, rng: ReturnType<typeof toRng>): { train: Episode[]; heldOut: Episode[] } {
  if (!(share > 0 && share < 1)) throw new OptionError('check.holdout', 'a share in (0, 1)', share);
  if (episodes.length < 2) throw new OptionError('learnTask.data', 'at least 2 episodes for the offline check (one is held out)', `${episodes.length} episode`);
  const k = Math.min(episodes.length - 1, Math.max(1, Math.round(share * episodes.length)));
  const order = rng.permutation(episodes.length);
  const held = new Set(Array.from(order.subarray(0, k)));
  return { train: episodes.filter((_, i) => !held.has(i)), heldOut: episodes.filter((_, i) => held.has(i)) };
}
