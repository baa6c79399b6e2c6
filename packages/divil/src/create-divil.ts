/**
 * The DivIL learner (spec section 2): one invariant-learning objective (ERM, IRMv1, V-REx or
 * GroupDRO) on a user's featuriser + head, plus DivIL's unsupervised contrastive term between
 * each sample and a randomly masked view, on a projection whose leading coordinates are masked.
 * At step t, with lambda_t = 1 for t < T_anneal and lambda afterwards,
 *
 *   L = (task + alpha ||theta_{Phi,w}||^2 + lambda_t P) / max(1, lambda_t) + beta mean_e L_div,e
 *
 * (the official CMNIST placement; `contrastPlacement: 'insideRescale'` divides the beta term
 * too). task = mean_e R_e (GroupDRO: sum_e q_e R_e). beta = 0 is exactly the plain objective:
 * no contrastive work is done and the projector is not trained. Inference is head(Phi(x)).
 */
import * as tf from '@tensorflow/tfjs';
import {
  MLP, NonFiniteLossError, OptionError, ShapeError, createRng, trainSteps,
  type OptimizerSpec, type Rng, type StepInfo,
} from '@paperkit/tensor-core';
import { distanceInfoNCE } from './distance-info-nce.js';
import { checkEnvs, splitByEnvironment, type Env, type PooledData } from './environments.js';
import { featureMaskRow } from './feature-mask.js';
import { groupDroStep } from './group-dro.js';
import { inputMask } from './input-mask.js';
import { irmPenalty } from './irm-penalty.js';
import { resolvePart, type ModelPart, type ResolvedPart } from './model-parts.js';
import { resolveDivilOptions, type DivilOptions } from './options.js';
import { taskRisk } from './task-loss.js';
import { vrexPenalty } from './vrex-penalty.js';

export interface DivilParts {
  featurizer: ModelPart;
  head: ModelPart;
  /** Variables of function parts (LayersModels and Modules bring their own). */
  trainableVariables?: tf.Variable[];
}

/** The scalars of one step's objective (all tensors; dispose them, or call inside a tidy/tape). */
export interface DivilLossTerms {
  total: tf.Scalar;
  /** mean_e R_e (GroupDRO: the q-weighted risk). */
  task: tf.Scalar;
  /** The IL penalty P before weighting (0 for ERM / GroupDRO). */
  penalty: tf.Scalar;
  /** mean_e L_div,e (0 when beta = 0). */
  contrast: tf.Scalar;
  /** ||theta_{Phi,w}||^2. */
  l2: tf.Scalar;
  /** R_e per environment, [E]. */
  risks: tf.Tensor1D;
  /** lambda_t used at this step. */
  penaltyWeight: number;
}

export interface DivilFitOptions {
  /** Optimizer steps. */
  steps: number;
  /** Default Adam with the CMNIST learning rate 4.8985e-4. An instance is used as is (and cannot be reset at annealing). */
  optimizer?: OptimizerSpec | tf.Optimizer;
  /** Rows per environment per step, drawn without replacement from the seeded generator; 0 = full batch (CMNIST). Default 0. */
  batchSize?: number;
  /** Record task / penalty / contrast every this many steps (one device read each). Default 50. */
  logEvery?: number;
  /** Default false. */
  progress?: boolean | string;
  onStep?: (info: StepInfo) => void | boolean | Promise<void | boolean>;
}

export interface DivilHistory {
  steps: number;
  seconds: number;
  /** Total loss of every step. */
  losses: Float32Array;
  /** Every `logEvery` steps and the last: the terms of that step. */
  log: Array<{ step: number; total: number; task: number; penalty: number; contrast: number; penaltyWeight: number }>;
}

/** The CMNIST script's Adam learning rate. */
export const DIVIL_LEARNING_RATE = 4.8985e-4;

export class DivilLearner {
  readonly options: DivilOptions;
  private readonly featurizer: ResolvedPart;
  private readonly head: ResolvedPart;
  private readonly modelVariables: tf.Variable[];
  private projector: ResolvedPart | null = null;
  private ownedProjector: MLP | null = null;
  private droWeights: tf.Variable | null = null;
  private readonly rowsRng: Rng;
  private readonly maskRng: Rng;
  private readonly featureRng: Rng;
  private readonly batchRng: Rng;
  /** Steps taken so far by trainStep/fit (the t of lambda_t). */
  step = 0;

  constructor(parts: DivilParts, options: Partial<DivilOptions> = {}) {
    if (!parts || typeof parts !== 'object') throw new OptionError('createDivil parts', '{featurizer, head, trainableVariables?}', parts);
    this.options = resolveDivilOptions(options);
    this.featurizer = resolvePart(parts.featurizer, 'parts.featurizer');
    this.head = resolvePart(parts.head, 'parts.head');
    const seen = new Set<tf.Variable>();
    this.modelVariables = [...this.featurizer.variables, ...this.head.variables, ...(parts.trainableVariables ?? [])].filter(
      (v) => !seen.has(v) && seen.add(v) && v.trainable,
    );
    if (this.modelVariables.length === 0) {
      throw new OptionError('parts.trainableVariables', 'the tf.Variables the featuriser and head functions use (none were found)', 'no variables');
    }
    const rng = createRng(this.options.seed);
    this.rowsRng = rng.fork('contrast-rows');
    this.maskRng = rng.fork('input-mask');
    this.featureRng = rng.fork('feature-mask');
    this.batchRng = rng.fork('batches');
    if (this.options.projector) this.projector = resolvePart(this.options.projector, 'options.projector');
    else if (this.options.featureDim !== undefined) this.buildProjector(this.options.featureDim);
  }

  private buildProjector(h: number): void {
    const hidden = this.options.projectorHidden ?? 2 * h;
    this.ownedProjector = new MLP({ sizes: [h, hidden, h], activation: 'relu', rng: createRng(this.options.seed).fork('projector'), name: 'divil/projector' });
    const mlp = this.ownedProjector;
    this.projector = { apply: (x) => mlp.apply(x), variables: mlp.trainableVariables };
  }

  /** Build the default projector from the featuriser's output width, if not built yet (outside any tape). */
  private ensureProjector(envs: Env[]): void {
    if (this.projector || this.options.contrastWeight === 0) return;
    const h = tf.tidy(() => this.featurizer.apply(tf.slice(envs[0].x, [0], [1]), false));
    const width = h.shape[h.rank - 1];
    if (h.rank !== 2) throw new ShapeError('featurizer output', '[N, H]', h.shape);
    h.dispose();
    this.buildProjector(width);
  }

  /** The model's variables (featuriser + head), which the L2 term covers. */
  get modelTrainableVariables(): tf.Variable[] {
    return [...this.modelVariables];
  }

  /** The projector's variables (empty until it is built). */
  get projectorVariables(): tf.Variable[] {
    return this.projector ? [...this.projector.variables] : [];
  }

  /** What the optimizer updates: model variables, plus the projector's when beta > 0. */
  get trainableVariables(): tf.Variable[] {
    return this.options.contrastWeight > 0 ? [...this.modelVariables, ...this.projectorVariables] : [...this.modelVariables];
  }

  /** lambda_t of the penalty at step t. */
  penaltyWeightAt(step: number): number {
    const { objective, annealSteps, penaltyWeight } = this.options;
    if (objective === 'erm' || objective === 'groupdro') return 0;
    return step < annealSteps ? 1 : penaltyWeight;
  }

  /**
   * The objective's terms at step `step`, differentiable in every variable (call inside an
   * optimizer's tape to train). `updateState` advances GroupDRO's weights (trainStep/fit do).
   */
  lossTerms(envs: Env[], step: number, opts: { updateState?: boolean } = {}): DivilLossTerms {
    checkEnvs(envs);
    const o = this.options;
    if (o.objective !== 'erm' && envs.length < 2) {
      throw new OptionError('envs', `at least 2 environments for the '${o.objective}' objective (it compares environments)`, envs.length);
    }
    if (o.contrastWeight > 0 && !this.projector) this.ensureProjector(envs);
    if (o.objective === 'groupdro' && !this.droWeights) this.droWeights = tf.variable(tf.fill([envs.length], 1 / envs.length), false);
    const lambda = this.penaltyWeightAt(step);
    const terms = tf.tidy(() => {
      // All environments go through the model in one batch (as DomainBed does), then split.
      const sizes = envs.map((e) => e.x.shape[0]);
      const hAll = this.featurizer.apply(envs.length === 1 ? envs[0].x : tf.concat(envs.map((e) => e.x)), true);
      const zAll = this.head.apply(hAll, true);
      if (zAll.shape[0] !== hAll.shape[0]) throw new ShapeError('head output', `[${hAll.shape[0]}, ...]`, zAll.shape);
      const feats = envs.length === 1 ? [hAll] : tf.split(hAll, sizes);
      const logits = envs.length === 1 ? [zAll] : tf.split(zAll, sizes);
      const risks = logits.map((z, i) => {
        if (z.shape[0] !== envs[i].x.shape[0]) throw new ShapeError(`logits of envs[${i}]`, `[${envs[i].x.shape[0]}, ...]`, z.shape);
        return taskRisk(z, envs[i].y, o.taskLoss);
      });
      let task: tf.Scalar;
      if (o.objective === 'groupdro') {
        const dro = groupDroStep(this.droWeights as unknown as tf.Tensor1D, risks, o.groupDroEta);
        if (opts.updateState) this.droWeights!.assign(dro.weights);
        task = dro.loss;
      } else task = tf.mean(tf.stack(risks)) as tf.Scalar;
      let penalty: tf.Scalar = tf.scalar(0);
      if (o.objective === 'irm') {
        penalty = tf.mean(tf.stack(logits.map((z, i) => irmPenalty(z, envs[i].y, { loss: o.taskLoss, unbiased: o.irmForm === 'unbiased' })))) as tf.Scalar;
      } else if (o.objective === 'vrex') penalty = vrexPenalty(risks, { form: o.vrexForm });
      const l2 = o.l2 > 0 ? (tf.addN(this.modelVariables.map((v) => tf.sum(tf.square(v)))) as tf.Scalar) : tf.scalar(0);
      const contrast = o.contrastWeight > 0 ? this.contrastTerm(envs, feats) : tf.scalar(0);
      const scale = o.rescaleWhenLarge && lambda > 1 ? lambda : 1;
      let supervised = tf.add(task, tf.mul(l2, o.l2));
      if (lambda > 0) supervised = tf.add(supervised, tf.mul(penalty, lambda));
      const weighted = tf.mul(contrast, o.contrastWeight);
      const total = o.contrastPlacement === 'afterRescale'
        ? tf.add(tf.div(supervised, scale), weighted)
        : tf.div(tf.add(supervised, weighted), scale);
      return { total: total as tf.Scalar, task, penalty, contrast, l2, risks: tf.stack(risks) as tf.Tensor1D };
    });
    return { ...terms, penaltyWeight: lambda };
  }

  /** mean_e distanceInfoNCE(g(Phi(x)), g(Phi(view(x)))) with feature masking, on a row subset per env. */
  private contrastTerm(envs: Env[], feats: tf.Tensor[]): tf.Scalar {
    const o = this.options;
    const g = this.projector!;
    const xs: tf.Tensor[] = [];
    const hs: tf.Tensor[] = [];
    envs.forEach((env, e) => {
      const n = env.x.shape[0];
      if (n < 2) throw new ShapeError(`envs[${e}].x`, '[N >= 2, ...] (the contrastive term needs negatives)', env.x.shape);
      if (o.contrastRows > 0 && o.contrastRows < n) {
        const idx = tf.tensor1d(sampleRows(n, o.contrastRows, this.rowsRng), 'int32');
        xs.push(tf.gather(env.x, idx));
        hs.push(tf.gather(feats[e], idx));
      } else {
        xs.push(env.x);
        hs.push(feats[e]);
      }
    });
    const sizes = xs.map((x) => x.shape[0]);
    const views = xs.map((x) => (o.maskFn ? o.maskFn(x, this.maskRng) : inputMask(x, o.inputKeepProb, this.maskRng)));
    // One projector pass over both views of every environment.
    const hView = this.featurizer.apply(views.length === 1 ? views[0] : tf.concat(views), true);
    const zAll = g.apply(tf.concat([...hs, hView]), true);
    if (zAll.rank !== 2) throw new ShapeError('projector output', '[N, D]', zAll.shape);
    let zMasked = zAll;
    if (o.featureMaskRatio > 0) {
      const dim = zAll.shape[1]!;
      zMasked = tf.mul(zAll, tf.tensor2d(featureMaskRow(dim, o.featureMaskRatio, o.featureMaskMode, this.featureRng), [1, dim]));
    }
    const parts = tf.split(zMasked, [...sizes, ...sizes]);
    const losses = sizes.map((_, e) =>
      distanceInfoNCE(parts[e], parts[sizes.length + e], { temperature: o.temperature, negatives: o.negatives, maxNegatives: o.maxNegatives, negativeFraction: o.negativeFraction }),
    );
    return tf.mean(tf.stack(losses)) as tf.Scalar;
  }

  /** One optimizer step on these environment batches; reads the terms back (one sync), so prefer fit() in loops. */
  async trainStep(envs: Env[], optimizer: tf.Optimizer): Promise<Record<'total' | 'task' | 'penalty' | 'contrast' | 'penaltyWeight', number>> {
    checkEnvs(envs);
    if (this.options.contrastWeight > 0) this.ensureProjector(envs);
    let kept: tf.Tensor | null = null;
    let lambda = 0;
    const cost = optimizer.minimize(() => {
      const t = this.lossTerms(envs, this.step, { updateState: true });
      lambda = t.penaltyWeight;
      kept = tf.keep(tf.stack([t.total, t.task, t.penalty, t.contrast]));
      return t.total;
    }, false, this.trainableVariables);
    cost?.dispose();
    const values = await (kept as unknown as tf.Tensor).data();
    (kept as unknown as tf.Tensor).dispose();
    const step = this.step;
    this.step += 1;
    if (!Number.isFinite(values[0])) throw new NonFiniteLossError(step, values[0]);
    return { total: values[0], task: values[1], penalty: values[2], contrast: values[3], penaltyWeight: lambda };
  }

  /**
   * Train for `steps` steps on environments given as separate datasets or pooled with an env id
   * per row. Continues from this.step (so annealing counts across calls).
   */
  async fit(data: Env[] | PooledData, cfg: DivilFitOptions): Promise<DivilHistory> {
    const steps = cfg?.steps;
    if (!(Number.isInteger(steps) && steps >= 1)) throw new OptionError('fit.steps', 'an integer >= 1', steps);
    const batchSize = cfg.batchSize ?? 0;
    if (!(Number.isInteger(batchSize) && batchSize >= 0)) throw new OptionError('fit.batchSize', 'an integer >= 0 (0 = full batch)', batchSize);
    const logEvery = cfg.logEvery ?? 50;
    if (!(Number.isInteger(logEvery) && logEvery >= 1)) throw new OptionError('fit.logEvery', 'an integer >= 1', logEvery);
    const pooled = !Array.isArray(data);
    const envs = pooled ? splitByEnvironment(data as PooledData) : (data as Env[]);
    try {
      checkEnvs(envs);
      if (this.options.contrastWeight > 0) this.ensureProjector(envs);
      const optimizer = cfg.optimizer ?? { name: 'adam', lr: DIVIL_LEARNING_RATE };
      const start = this.step;
      const end = start + steps;
      const anneal = this.options.annealSteps;
      const phases: Array<[number, number]> = [];
      if (this.options.resetOptimizerAtAnneal && anneal > start && anneal < end) {
        if (isOptimizerLike(optimizer)) {
          throw new OptionError('fit.optimizer', 'an optimizer spec like {name: "adam", lr} when resetOptimizerAtAnneal is true (an instance cannot be reset)', 'a tf.Optimizer');
        }
        phases.push([start, anneal], [anneal, end]);
      } else phases.push([start, end]);
      const losses = new Float32Array(steps);
      const log: DivilHistory['log'] = [];
      const pending: Array<{ step: number; lambda: number; values: tf.Tensor }> = [];
      const started = performance.now();
      for (const [from, to] of phases) {
        try {
          const result = await trainSteps({
            steps: to - from,
            variables: this.trainableVariables,
            optimizer,
            progress: cfg.progress ?? false,
            callbacks: cfg.onStep ? { onStep: (info) => cfg.onStep!({ ...info, step: info.step + from - start, totalSteps: steps }) } : undefined,
            loss: (s) => {
              const t = from + s;
              const batch = batchSize > 0 ? envs.map((e) => sampleEnv(e, batchSize, this.batchRng)) : envs;
              const terms = this.lossTerms(batch, t, { updateState: true });
              if ((t - start) % logEvery === 0 || t === end - 1) {
                pending.push({ step: t, lambda: terms.penaltyWeight, values: tf.keep(tf.stack([terms.total, terms.task, terms.penalty, terms.contrast])) });
              }
              return terms.total;
            },
          });
          losses.set(result.losses, from - start);
        } catch (error) {
          if (error instanceof NonFiniteLossError) throw new NonFiniteLossError(error.step + from, error.loss);
          throw error;
        }
        this.step = to;
      }
      for (const p of pending) {
        const v = await p.values.data();
        log.push({ step: p.step, total: v[0], task: v[1], penalty: v[2], contrast: v[3], penaltyWeight: p.lambda });
      }
      tf.dispose(pending.map((p) => p.values));
      return { steps, seconds: (performance.now() - started) / 1000, losses, log };
    } finally {
      if (pooled) for (const e of envs) tf.dispose([e.x, e.y]);
    }
  }

  /** Phi(x) at inference (no masking, no projector). */
  features(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.featurizer.apply(x, false));
  }

  /** head(Phi(x)): the logits. */
  predict(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.head.apply(this.featurizer.apply(x, false), false));
  }

  /** GroupDRO's current environment weights (null for other objectives / before the first step). */
  groupWeights(): Float32Array | null {
    return this.droWeights ? (this.droWeights.dataSync() as Float32Array).slice() : null;
  }

  /** Free what the learner created (default projector, GroupDRO weights); the user's model is left alone. */
  dispose(): void {
    this.ownedProjector?.dispose();
    this.ownedProjector = null;
    if (this.options.projector === undefined) this.projector = null;
    this.droWeights?.dispose();
    this.droWeights = null;
  }
}

/** Wrap a model's featuriser and head with an IL objective plus the DivIL term. */
export function createDivil(parts: DivilParts, options: Partial<DivilOptions> = {}): DivilLearner {
  return new DivilLearner(parts, options);
}

/** k distinct row indices out of n (partial Fisher-Yates on the seeded generator). */
export function sampleRows(n: number, k: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const m = Math.min(k, n);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order.slice(0, m);
}

function isOptimizerLike(value: unknown): value is tf.Optimizer {
  return value !== null && typeof value === 'object' && value instanceof tf.Optimizer;
}

function sampleEnv(env: Env, batchSize: number, rng: Rng): Env {
  const n = env.x.shape[0];
  if (batchSize >= n) return env;
  const idx = tf.tensor1d(sampleRows(n, batchSize, rng), 'int32');
  return { x: tf.gather(env.x, idx), y: tf.gather(env.y, idx) };
}
