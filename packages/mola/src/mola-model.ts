/**
 * MolaModel: a user's tfjs LayersModel run as a multi-task model with mixed
 * low-rank adapters (mola.md sections 2 and 6). Built by addMoLA (modes 'grad'
 * and 'router') and by the baselines (HPS: no adapters; single LoRA: one
 * adapter used by every sample).
 *
 * The graph is the user's, walked eagerly: each target Dense / Conv2D becomes
 * tensor-core's MultiAdapterDense / MultiAdapterConv2D initialised from the
 * layer's weights (A Kaiming-uniform, B = 0, so the model starts equal to the
 * user's), the output Dense becomes per-task heads (TaskHeads), every other
 * layer is a copy with the same config and weights. The user's model is not
 * modified. The adapted layer computes
 *   y = x W + b + s * sum_e gamma_e(x) B_e A_e x,   s = alpha / r,
 * with gamma = one-hot(task) (MoLA-Grad: exact gradient separation) or the
 * router's softmax (MoLA-Router, trained with the TwD loss).
 */
import * as tf from '@tensorflow/tfjs';
import {
  Dense, MultiAdapterConv2D, MultiAdapterDense, OptionError, ShapeError, createRng, type Rng,
} from '@paperkit/tensor-core';
import { UnsupportedLayerError } from './errors.js';
import { freshLayer, modelGraph, type GraphStep, type ModelGraph } from './model-graph.js';
import { layersRouter, mlpRouter, type Router } from './router.js';
import { TaskHeads } from './task-heads.js';
import { twdLoss } from './twd-loss.js';

/** 'grad' and 'router' are MoLA; 'hps' (no adapters) and 'lora' (one adapter for all) are baselines. */
export type MolaMode = 'grad' | 'router' | 'hps' | 'lora';
export type TwDTarget = 'projectedLogits' | 'gates';

export interface TwDConfig {
  /** Weight of L_TwD in the total loss. Official 0.1. 0 = router without TwD (the paper's ablation). */
  weight: number;
  /** tau. Official 1. */
  temperature: number;
  /** Width of the projection P (E -> D) before normalising. Official 32. */
  projectionDim: number;
  /** 'projectedLogits' (official: router scores through P) or 'gates' (softmax gates, no projection). */
  on: TwDTarget;
}

export interface MolaConfig {
  mode: MolaMode;
  numTasks: number;
  /** E (ignored for 'hps', 1 for 'lora'). */
  numAdapters: number;
  rank: number | Record<string, number>;
  alpha: number;
  /** Layer names to adapt (resolved from the options). */
  targets: string[];
  router: tf.LayersModel | 'mlp';
  routerHidden: number;
  routerTemperature: number;
  twd: TwDConfig;
  trainBackbone: boolean;
  heads: 'perTask' | 'shared';
  seed: number;
}

type Step =
  | { kind: 'adapter'; source: GraphStep; module: MultiAdapterDense | MultiAdapterConv2D; act: tf.layers.Layer | null }
  | { kind: 'heads'; source: GraphStep; heads: TaskHeads }
  | { kind: 'copy'; source: GraphStep; layer: tf.layers.Layer };

export interface ForwardContext {
  /** Task id per sample: required by 'grad', 'hps' and 'lora' (heads and adapters), unused by 'router'. */
  taskIds?: ArrayLike<number> | tf.Tensor;
  /** Override the adapter gates [N, E] (e.g. forced one-hot gates in a router model). */
  gates?: tf.Tensor;
  training?: boolean;
}

export interface ForwardResult {
  /** Pre-activation outputs of the head [N, C]. */
  logits: tf.Tensor2D;
  /** Adapter gates [N, E] (null for 'hps'). */
  gates: tf.Tensor2D | null;
  /** Router scores [N, E] ('router' only). */
  scores: tf.Tensor2D | null;
}

export interface LossBatch {
  x: tf.Tensor;
  /** Class ids (JS array or int32 tensor [N]) for the default cross-entropy; anything for a custom taskLoss. */
  y: ArrayLike<number> | tf.Tensor;
  taskIds: ArrayLike<number>;
}

export type TaskLoss = (logits: tf.Tensor2D, y: tf.Tensor, task: number) => tf.Scalar;

export interface LossTerms {
  /** sum_t L_t (+ twd.weight * L_TwD). */
  total: tf.Scalar;
  /** L_t, [numTasks] (0 for tasks absent from the batch). */
  perTask: tf.Tensor1D;
  /** L_TwD (router mode with twd.weight > 0 only). */
  twd?: tf.Scalar;
}

export class MolaModel {
  readonly mode: MolaMode;
  readonly numTasks: number;
  /** E (0 for 'hps'). */
  readonly numAdapters: number;
  readonly classes: number;
  readonly config: Readonly<MolaConfig>;
  /** Names of the adapted layers. */
  readonly adaptedLayers: string[];
  readonly router: Router | null;
  /** TwD projection P, c (router mode with on = 'projectedLogits'). */
  readonly projection: Dense | null;
  private readonly graph: ModelGraph;
  private readonly steps: Step[];
  private readonly headActivation: string;
  private readonly headCount: number;
  private readonly sourceName: string;
  private disposed = false;

  constructor(model: tf.LayersModel, config: MolaConfig) {
    this.config = config;
    this.mode = config.mode;
    this.numTasks = config.numTasks;
    this.numAdapters = config.mode === 'hps' ? 0 : config.mode === 'lora' ? 1 : config.numAdapters;
    this.graph = modelGraph(model);
    this.sourceName = model.name;
    const outputStep = this.graph.steps.find((s) => s.output === this.graph.outputId)!;
    const headCls = outputStep.layer.getClassName();
    if (headCls !== 'Dense') {
      throw new UnsupportedLayerError(outputStep.layer.name, headCls, 'the model output must be a Dense layer (the head); per-task heads are built from it');
    }
    const headConfig = outputStep.layer.getConfig() as { units: number; activation: string };
    this.classes = headConfig.units;
    this.headActivation = headConfig.activation;
    this.headCount = config.mode === 'router' ? this.numAdapters : this.numTasks;
    const names = new Set(this.graph.steps.map((s) => s.layer.name));
    for (const t of config.targets) {
      if (!names.has(t)) throw new OptionError('targets', `names of layers of the model (${[...names].join(', ')})`, t);
    }
    if (config.heads === 'perTask' && config.targets.includes(outputStep.layer.name)) {
      throw new OptionError('targets', `layers other than the head "${outputStep.layer.name}" (heads: 'perTask' already makes it per task)`, outputStep.layer.name);
    }
    const rng = createRng(config.seed).fork('mola');
    this.adaptedLayers = [];
    this.steps = [];
    const created: Array<{ dispose(): void }> = [];
    try {
      this.buildSteps(model, outputStep, rng, created);
      this.router = config.mode === 'router'
        ? (config.router === 'mlp'
          ? mlpRouter(this.graph.inputShape, this.numAdapters, config.routerHidden, rng.fork('router'))
          : layersRouter(config.router, this.numAdapters))
        : null;
      this.projection = config.mode === 'router' && config.twd.weight > 0 && config.twd.on === 'projectedLogits'
        ? new Dense({ inDim: this.numAdapters, outDim: config.twd.projectionDim, init: 'kaiming', rng: rng.fork('twd'), name: 'mola_twd_projection' })
        : null;
    } catch (e) {
      created.forEach((c) => c.dispose());
      throw e;
    }
  }

  private buildSteps(model: tf.LayersModel, outputStep: GraphStep, rng: Rng, created: Array<{ dispose(): void }>): void {
    const cfg = this.config;
    const targets = new Set(cfg.targets);
    // One eager pass on a zero sample builds the copies (so their weights can be set) and gives every input shape.
    const values = new Map<number, tf.Tensor>();
    const zero = tf.zeros([1, ...this.graph.inputShape]);
    values.set(this.graph.inputId, zero);
    try {
      for (const s of this.graph.steps) {
        const ins = s.inputs.map((id) => values.get(id)!);
        const cls = s.layer.getClassName();
        const isHead = s === outputStep;
        let out: tf.Tensor;
        if (isHead && cfg.heads === 'perTask') {
          if (ins[0].rank !== 2) throw new UnsupportedLayerError(s.layer.name, cls, 'the head needs a 2-D input [batch, features]; add a Flatten first');
          const [kernel, bias] = s.layer.getWeights();
          const heads = new TaskHeads({ inDim: kernel.shape[0], classes: this.classes, heads: this.headCount, kernel, bias: bias ?? null, name: `${s.layer.name}_heads` });
          created.push(heads);
          this.steps.push({ kind: 'heads', source: s, heads });
          out = tf.zeros([1, this.classes]);
        } else if (targets.has(s.layer.name) && this.numAdapters > 0) {
          const step = this.makeAdapter(s, ins[0], rng, isHead);
          created.push(step.module);
          this.steps.push(step);
          this.adaptedLayers.push(s.layer.name);
          const gates = tf.ones([1, this.numAdapters]);
          out = step.module.apply(ins[0], gates);
          gates.dispose();
        } else {
          if (targets.has(s.layer.name) && cls !== 'Dense' && cls !== 'Conv2D') {
            throw new UnsupportedLayerError(s.layer.name, cls, 'only Dense and Conv2D layers can carry adapters');
          }
          // The output Dense runs without its activation: the model works on logits.
          const copy = freshLayer(s.layer, isHead ? { activation: 'linear' } : {});
          out = copy.apply(ins.length === 1 ? ins[0] : ins) as tf.Tensor;
          const w = s.layer.getWeights();
          if (w.length > 0) copy.setWeights(w);
          if (!cfg.trainBackbone) copy.trainable = false;
          created.push({ dispose: () => copy.weights.forEach((v) => v.dispose()) });
          this.steps.push({ kind: 'copy', source: s, layer: copy });
        }
        values.set(s.output, out);
      }
    } finally {
      tf.dispose([...values.values()]);
    }
  }

  private makeAdapter(s: GraphStep, x: tf.Tensor, rng: Rng, isHead: boolean): Step & { kind: 'adapter' } {
    const cls = s.layer.getClassName();
    const cfg = this.config;
    const rank: number = typeof cfg.rank === 'number' ? cfg.rank : (cfg.rank[s.layer.name] ?? 4);
    const [kernel, bias] = s.layer.getWeights();
    const c = s.layer.getConfig() as Record<string, unknown>;
    const activation = isHead ? 'linear' : (c.activation as string);
    const act = activation && activation !== 'linear' ? tf.layers.activation({ activation: activation as never }) : null;
    const common = {
      numAdapters: this.numAdapters, rank, alpha: cfg.alpha, base: { kernel, bias }, trainBase: cfg.trainBackbone,
      rng: rng.fork(s.layer.name), name: `mola_${s.layer.name}`,
    };
    if (cls === 'Dense') {
      if (x.rank !== 2) throw new UnsupportedLayerError(s.layer.name, cls, 'adapters need a 2-D input [batch, features]; add a Flatten first');
      const inDim = kernel.shape[0] as number;
      const outDim = kernel.shape[1] as number;
      if (!Number.isInteger(rank) || rank < 1 || rank > Math.min(inDim, outDim)) {
        throw new OptionError(`rank (layer "${s.layer.name}")`, `an integer in [1, min(in, out) = ${Math.min(inDim, outDim)}]`, rank);
      }
      return { kind: 'adapter', source: s, module: new MultiAdapterDense({ inDim, outDim, ...common }), act };
    }
    if (cls === 'Conv2D') {
      const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v as number, v as number]);
      if (c.dataFormat === 'channelsFirst') throw new UnsupportedLayerError(s.layer.name, cls, 'only channelsLast convs are supported');
      if (c.padding !== 'same' && c.padding !== 'valid') throw new UnsupportedLayerError(s.layer.name, cls, `padding "${String(c.padding)}" is not supported`);
      const [kh, kw, cin, cout] = kernel.shape;
      const limit = Math.min(cout, kh * kw * cin);
      if (!Number.isInteger(rank) || rank < 1 || rank > limit) {
        throw new OptionError(`rank (layer "${s.layer.name}")`, `an integer in [1, min(C_out, kh*kw*C_in) = ${limit}]`, rank);
      }
      return {
        kind: 'adapter', source: s, act,
        module: new MultiAdapterConv2D({
          inChannels: cin, filters: cout, kernelSize: [kh, kw], strides: pair(c.strides), padding: c.padding,
          dilations: pair(c.dilationRate), ...common,
        }),
      };
    }
    throw new UnsupportedLayerError(s.layer.name, cls, 'only Dense and Conv2D layers can carry adapters');
  }

  /** The adapted layers (tensor-core MultiAdapterDense / MultiAdapterConv2D), by the user's layer name. */
  adapters(): Array<{ name: string; layer: MultiAdapterDense | MultiAdapterConv2D }> {
    return this.steps.flatMap((s) => (s.kind === 'adapter' ? [{ name: s.source.layer.name, layer: s.module }] : []));
  }

  /** The per-task (or per-adapter) heads, or null with heads: 'shared'. */
  get heads(): TaskHeads | null {
    const s = this.steps.find((x) => x.kind === 'heads');
    return s && s.kind === 'heads' ? s.heads : null;
  }

  /** Every variable the optimizer updates: backbone (unless frozen), adapters, heads, router, TwD projection. */
  get trainableVariables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const s of this.steps) {
      if (s.kind === 'adapter') out.push(...s.module.trainableVariables);
      else if (s.kind === 'heads') out.push(...s.heads.trainableVariables);
      else out.push(...s.layer.trainableWeights.map((w) => w.read() as tf.Variable));
    }
    if (this.router) out.push(...this.router.variables);
    if (this.projection) out.push(...this.projection.variables);
    return out;
  }

  /** Every variable, non-trainable ones (BatchNorm statistics, frozen bases) included: what a checkpoint holds. */
  get variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const s of this.steps) {
      if (s.kind === 'adapter') out.push(...s.module.variables);
      else if (s.kind === 'heads') out.push(...s.heads.variables);
      else out.push(...s.layer.weights.map((w) => w.read() as tf.Variable));
    }
    if (this.router) out.push(...this.router.variables);
    if (this.projection) out.push(...this.projection.variables);
    return out;
  }

  /** Scalar parameters an optimizer updates (the count HPS-wide is matched to). */
  trainableParameterCount(): number {
    return this.trainableVariables.reduce((a, v) => a + v.size, 0);
  }

  /** Adapter gates [N, E]: one-hot(task) for 'grad', softmax(router / T) for 'router', ones for 'lora'. */
  gates(x: tf.Tensor, taskIds?: ArrayLike<number> | tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const g = this.computeGates(x, taskIds, false).gates;
      if (!g) throw new OptionError('mode', "a model with adapters (not 'hps')", this.mode);
      return g;
    });
  }

  private computeGates(x: tf.Tensor, taskIds: ArrayLike<number> | tf.Tensor | undefined, training: boolean): { gates: tf.Tensor2D | null; scores: tf.Tensor2D | null } {
    const n = x.shape[0] as number;
    if (this.mode === 'hps') return { gates: null, scores: null };
    if (this.mode === 'lora') return { gates: tf.ones([n, 1]), scores: null };
    if (this.mode === 'grad') return { gates: this.taskRows(taskIds, n, 'gates'), scores: null };
    const scores = this.router!.scores(x, training);
    if (scores.shape[0] !== n) throw new ShapeError('router output', `[${n}, ${this.numAdapters}]`, scores.shape);
    const t = this.config.routerTemperature;
    return { gates: tf.softmax(t === 1 ? scores : tf.div(scores, t)) as tf.Tensor2D, scores };
  }

  /** One-hot task rows [n, numTasks] from JS ids or an int tensor, range-checked. */
  private taskRows(taskIds: ArrayLike<number> | tf.Tensor | undefined, n: number, what: string): tf.Tensor2D {
    if (taskIds === undefined) {
      throw new OptionError('taskIds', `task ids for the ${what} of a '${this.mode}' model (only 'router' predicts without them)`, undefined);
    }
    const ids = taskIds instanceof tf.Tensor ? (taskIds.dataSync() as ArrayLike<number>) : taskIds;
    if (ids.length !== n) throw new ShapeError('taskIds', `[${n}] (one task id per sample)`, [ids.length]);
    const rows = new Float32Array(n * this.numTasks);
    for (let i = 0; i < n; i++) {
      const t = ids[i] as number;
      if (!Number.isInteger(t) || t < 0 || t >= this.numTasks) throw new OptionError(`taskIds[${i}]`, `an integer in [0, ${this.numTasks})`, t);
      rows[i * this.numTasks + t] = 1;
    }
    return tf.tensor2d(rows, [n, this.numTasks]);
  }

  /** The forward pass: logits (pre-activation), gates and router scores. */
  forward(x: tf.Tensor, ctx: ForwardContext = {}): ForwardResult {
    this.assertAlive();
    const shape = this.graph.inputShape;
    if (x.rank !== shape.length + 1 || shape.some((d, i) => d !== null && d !== x.shape[i + 1])) {
      throw new ShapeError('x', `[N, ${shape.join(', ')}]`, x.shape);
    }
    const n = x.shape[0] as number;
    let { gates, scores } = ctx.gates ? { gates: null as tf.Tensor2D | null, scores: null as tf.Tensor2D | null } : this.computeGates(x, ctx.taskIds, ctx.training ?? false);
    if (ctx.gates) {
      if (this.numAdapters === 0) throw new OptionError('gates', "a model with adapters (not 'hps')", 'gates');
      if (ctx.gates.rank !== 2 || ctx.gates.shape[0] !== n || ctx.gates.shape[1] !== this.numAdapters) {
        throw new ShapeError('gates', `[${n}, ${this.numAdapters}] (N x E)`, ctx.gates.shape);
      }
      gates = ctx.gates as tf.Tensor2D;
    }
    let headWeights: tf.Tensor | null = null;
    if (this.config.heads === 'perTask') {
      headWeights = this.mode === 'router' ? gates! : this.taskRows(ctx.taskIds, n, 'heads');
    }
    const values = new Map<number, tf.Tensor>([[this.graph.inputId, x]]);
    const training = ctx.training ?? false;
    for (const s of this.steps) {
      const ins = s.source.inputs.map((id) => values.get(id)!);
      let out: tf.Tensor;
      if (s.kind === 'adapter') {
        out = s.module.apply(ins[0], gates!);
        if (s.act) out = s.act.apply(out) as tf.Tensor;
      } else if (s.kind === 'heads') {
        out = s.heads.apply(ins[0], headWeights!);
      } else {
        out = s.layer.apply(ins.length === 1 ? ins[0] : ins, { training }) as tf.Tensor;
      }
      values.set(s.source.output, out);
    }
    return { logits: values.get(this.graph.outputId) as tf.Tensor2D, gates, scores };
  }

  /**
   * Outputs with the head's activation (e.g. softmax probabilities). 'router'
   * needs no task id, heads included; the other modes require `taskIds`.
   */
  predict(x: tf.Tensor, ctx: { taskIds?: ArrayLike<number> | tf.Tensor; gates?: tf.Tensor } = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const { logits } = this.forward(x, ctx);
      if (this.headActivation === 'linear' || !this.headActivation) return logits;
      return tf.layers.activation({ activation: this.headActivation as never }).apply(logits) as tf.Tensor2D;
    });
  }

  /**
   * The training objective on one batch (mola.md section 2): L_t = mean CE of
   * head t over the batch's task-t samples (tasks absent are skipped), total =
   * sum_t L_t + twd.weight * L_TwD (router mode). Call inside the taped function.
   */
  lossTerms(batch: LossBatch, taskLoss?: TaskLoss): LossTerms {
    return tf.tidy(() => {
      const n = batch.x.shape[0] as number;
      const ids = batch.taskIds;
      if (ids.length !== n) throw new ShapeError('taskIds', `[${n}] (one task id per sample)`, [ids.length]);
      const counts = new Array<number>(this.numTasks).fill(0);
      for (let i = 0; i < n; i++) {
        const t = ids[i];
        if (!Number.isInteger(t) || t < 0 || t >= this.numTasks) throw new OptionError(`taskIds[${i}]`, `an integer in [0, ${this.numTasks})`, t);
        counts[t] += 1;
      }
      const { logits, gates, scores } = this.forward(batch.x, { taskIds: ids, training: true });
      let perTask: tf.Tensor1D;
      if (taskLoss) {
        const y = batch.y instanceof tf.Tensor ? batch.y : tf.tensor1d(Array.from(batch.y), 'int32');
        const parts = counts.map((c, t) => {
          if (c === 0) return tf.scalar(0);
          const rows = tf.tensor1d(Array.from({ length: n }, (_, i) => i).filter((i) => ids[i] === t), 'int32');
          return taskLoss(tf.gather(logits, rows) as tf.Tensor2D, tf.gather(y, rows), t);
        });
        perTask = tf.stack(parts) as tf.Tensor1D;
      } else {
        const logp = tf.logSoftmax(logits, -1);
        const ce = tf.neg(tf.sum(tf.mul(this.labelRows(batch.y, n), logp), -1));
        // Task-mean weights [N, T]: entry (i, t) = 1 / count_t when sample i is of task t.
        const w = new Float32Array(n * this.numTasks);
        for (let i = 0; i < n; i++) w[i * this.numTasks + ids[i]] = 1 / counts[ids[i]];
        perTask = tf.reshape(tf.matMul(tf.reshape(ce, [1, n]), tf.tensor2d(w, [n, this.numTasks])), [this.numTasks]);
      }
      let total = tf.sum(perTask) as tf.Scalar;
      const tw = this.config.twd;
      if (this.mode === 'router' && tw.weight > 0) {
        const onGates = tw.on === 'gates';
        const twd = twdLoss(onGates ? gates! : scores!, ids, {
          temperature: tw.temperature,
          projection: this.projection ? { kernel: this.projection.kernel, bias: this.projection.bias } : undefined,
          warn: null,
        });
        total = tf.add(total, tf.mul(twd, tw.weight));
        return { total, perTask, twd };
      }
      return { total, perTask };
    });
  }

  private labelRows(y: ArrayLike<number> | tf.Tensor, n: number): tf.Tensor2D {
    const c = this.classes;
    if (y instanceof tf.Tensor) {
      if (y.rank !== 1 || y.shape[0] !== n) throw new ShapeError('y', `[${n}] class ids`, y.shape);
      return tf.cast(tf.oneHot(tf.cast(y, 'int32') as tf.Tensor1D, c), 'float32') as tf.Tensor2D;
    }
    if (y.length !== n) throw new ShapeError('y', `[${n}] class ids`, [y.length]);
    const rows = new Float32Array(n * c);
    for (let i = 0; i < n; i++) {
      const k = y[i];
      if (!Number.isInteger(k) || k < 0 || k >= c) throw new OptionError(`y[${i}]`, `a class id in [0, ${c})`, k);
      rows[i * c + k] = 1;
    }
    return tf.tensor2d(rows, [n, c]);
  }

  /**
   * A plain tf.LayersModel of the user's architecture for task t, with
   * W + s B_t A_t baked into every adapted layer and head t as the output layer
   * (zero inference overhead; mola.md section 2, "Inference"). 'grad', 'lora'
   * and 'hps' only: a router model mixes adapters per sample.
   */
  mergeForTask(task: number): tf.LayersModel {
    this.assertAlive();
    if (this.mode === 'router') {
      throw new OptionError('mode', "'grad' (a router model mixes adapters per sample; run it with predict)", this.mode);
    }
    if (!Number.isInteger(task) || task < 0 || task >= this.numTasks) throw new OptionError('task', `an integer in [0, ${this.numTasks})`, task);
    const input = tf.input({ shape: this.graph.inputShape });
    const values = new Map<number, tf.SymbolicTensor>([[this.graph.inputId, input]]);
    const pending: Array<() => void> = [];
    for (const s of this.steps) {
      const ins = s.source.inputs.map((id) => values.get(id)!);
      // The user's config (the head's own activation included), with the trained weights below.
      const layer = freshLayer(s.source.layer);
      values.set(s.source.output, layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor);
      pending.push(() => {
        if (s.kind === 'copy') {
          const w = s.layer.getWeights();
          if (w.length > 0) layer.setWeights(w);
          return;
        }
        const weights = tf.tidy(() => {
          if (s.kind === 'heads') {
            const h = s.heads.head(task);
            return h.bias ? [h.kernel, h.bias] : [h.kernel];
          }
          const adapter = this.mode === 'lora' ? 0 : task;
          const k = s.module.mergedKernel(adapter);
          return s.module.bias ? [k, s.module.bias.clone()] : [k];
        });
        layer.setWeights(weights);
        tf.dispose(weights);
      });
    }
    pending.forEach((f) => f());
    return tf.model({ inputs: input, outputs: values.get(this.graph.outputId)!, name: `${this.sourceName}_mola_task${task}` });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.steps) {
      if (s.kind === 'adapter') s.module.dispose();
      else if (s.kind === 'heads') s.heads.dispose();
      else s.layer.weights.forEach((w) => w.dispose());
    }
    this.router?.dispose();
    this.projection?.dispose();
  }

  private assertAlive(): void {
    if (this.disposed) throw new OptionError('model', 'a MolaModel that has not been disposed', 'disposed');
  }
}
