/**
 * reprogramDistill: Reprogramming Distillation (Zhou et al., MICCAI 2024; spec sections 2
 * and 6). A frozen foundation model's features h_T are reprogrammed by R into the student's
 * feature space; R, the student g and a shared classifier C are co-trained with
 *   CE(C(h_S), y) + a_s CE(C(R(h_T)), y) + b_s tau^2 KL(p_T^tau || p_S^tau) + lam (1 - CKA(R(h_T), h_S))
 * (rd-loss.ts), a_s = b_s = 1 - s/S, lam = 1, tau = 4. Only g + C are deployed.
 *
 * Speed: with the FM frozen and no input program, its features of `copies` jittered copies
 * of each example are computed once (teacher-cache.ts); the FM is never run in a step.
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, OptionError, createRng, defineOptions, opt, softmaxCrossEntropy, type FitResult, type Seed, type StepInfo } from '@paperkit/tensor-core';
import type { Augment } from './augment.js';
import { attachClassifier, studentFeatureDim } from './deploy-model.js';
import { InputProgram } from './input-program.js';
import { checkLabels, oneHot } from './labels.js';
import { rdLoss, type AlignmentOptions } from './rd-loss.js';
import { createReprogrammer, type Reprogrammer, type ReprogrammerSpec } from './reprogrammer.js';
import { cacheTeacherFeatures, type TeacherCache } from './teacher-cache.js';
import { checkFeatureShape, isLayersModel, teacherFeatureFn, type Teacher } from './teacher-features.js';
import { trainOnRows } from './train-loop.js';
import { checkSchedule, isOff, scheduledWeight, type WeightSchedule } from './weight-schedule.js';

export interface RDLossOptions {
  /** a_s, the weight of CE(C(R(h_T)), y). Default [1, 0] (linear decay). */
  teacherCe?: WeightSchedule;
  /** b_s and tau of the KL term. Default {weight: [1, 0], temperature: 4}; weight 0 = the "RD w/o KL" ablation. */
  kl?: { weight?: WeightSchedule; temperature?: number };
  /** lam and the alignment measure. Default {weight: 1, measure: 'cka', kernel: 'linear', estimator: 'biased', rbfSigmaFrac: 1}; weight 0 = "RD w/o CKA". */
  cka?: AlignmentOptions & { weight?: WeightSchedule };
}

export interface ReprogramDistillOptions {
  /** The frozen foundation model: a tf.LayersModel or a function x -> features [n, p_T]. */
  teacher: Teacher;
  /** Name of the teacher layer whose output are the features (LayersModel only). Default: its output. */
  teacherFeatureLayer?: string;
  /** Any single-output tf.LayersModel x -> h_S [n, p_S]. Trained in place. */
  student: tf.LayersModel;
  numClasses: number;
  /** 'mlp' (p_T -> hidden -> p_S, default), 'linear', or a user LayersModel p_T -> p_S. */
  reprogrammer?: ReprogrammerSpec;
  /** Hidden width of the 'mlp' reprogrammer. Default p_T. */
  reprogrammerHidden?: number;
  loss?: RDLossOptions;
  /** Co-train R and the student (KL/CKA gradients reach both). false = train R, C first, freeze them, then distil. Default true. */
  coTrain?: boolean;
  /** Input-side program f_T(x + m delta): 'none' (default), 'additive' (m = 1) or {mask}. Disables the teacher cache. */
  inputProgram?: 'none' | 'additive' | { mask: tf.Tensor };
  /** Training data: inputs [n, ...] and class ids [n] (may be omitted when `teacherCache` is given). */
  data?: { x: tf.Tensor; y: ArrayLike<number> | tf.Tensor };
  /** Augmentation (e.g. gaussianJitter(0.1)); cached copies use it once, uncached runs draw it fresh each step. */
  augment?: Augment;
  /** {copies} jittered copies cached once (default {copies: 8}), or false to run the teacher every step. */
  cacheTeacher?: { copies?: number } | false;
  /** A cache built with cacheTeacherFeatures (shared between runs of the same data); overrides data and augment. */
  teacherCache?: TeacherCache;
  /** Optimizer steps S (per stage when coTrain is false). Default 600. */
  steps?: number;
  batchSize?: number;
  lr?: number;
  seed?: Seed;
  onStep?: (info: StepInfo) => void | boolean | Promise<void | boolean>;
  progress?: boolean | string;
}

export interface RDHistory {
  /** Loss of every step (stage 1 then stage 2 when coTrain is false). */
  losses: Float32Array;
  seconds: number;
  steps: number;
  /** Whether teacher features came from the cache (no FM forward in the steps). */
  teacherCached: boolean;
}

export interface ReprogramDistillResult {
  /** x -> logits: the student followed by C. Shares the student's layers; no teacher tensor. */
  deployModel: tf.LayersModel;
  reprogrammer: Reprogrammer;
  /** The shared classifier C [p_S -> K]. */
  classifier: Dense;
  inputProgram: InputProgram | null;
  history: RDHistory;
  /** The reprogrammed teacher's logits C(R(f_T(x'))), x' = x + m delta with an input program (caller disposes). */
  teacherLogits(x: tf.Tensor): tf.Tensor;
  /** Free R (unless user-owned), C and the input program. The student and deployModel stay. */
  dispose(): void;
}

/** The objective's defaults (spec sections 2 and 6): a_s = b_s = 1 - s/S, tau 4, lam 1, linear biased CKA. */
export const RD_LOSS_DEFAULTS = Object.freeze({
  teacherCe: [1, 0] as const,
  kl: Object.freeze({ weight: [1, 0] as const, temperature: 4 }),
  cka: Object.freeze({ weight: 1, measure: 'cka' as const, kernel: 'linear' as const, estimator: 'biased' as const, rbfSigmaFrac: 1 }),
});

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** reprogramDistill's options (nested `loss` is checked by its own rules below). */
export const REPROGRAM_DISTILL_OPTIONS = defineOptions('reprogramDistill', {
  teacher: opt.custom<Teacher>('a tf.LayersModel or a function (x) => features [n, p_T]', (v) => typeof v === 'function' || isLayersModel(v)),
  teacherFeatureLayer: opt.optional(opt.string({ nonEmpty: true })),
  student: opt.custom<tf.LayersModel>('a tf.LayersModel x -> features [n, p_S]', isLayersModel),
  numClasses: opt.integer({ min: 2 }),
  reprogrammer: opt.custom<ReprogrammerSpec>("'mlp' | 'linear' | a tf.LayersModel [p_T] -> [p_S]", (v) => v === 'mlp' || v === 'linear' || isLayersModel(v), { default: 'mlp' }),
  reprogrammerHidden: opt.optional(opt.integer({ min: 1 })),
  loss: opt.optional(opt.custom<RDLossOptions>('an object {teacherCe?, kl?, cka?}', isObject)),
  coTrain: opt.boolean({ default: true }),
  inputProgram: opt.custom<'none' | 'additive' | { mask: tf.Tensor }>(
    "'none' | 'additive' | {mask: tf.Tensor}", (v) => v === 'none' || v === 'additive' || (isObject(v) && (v as { mask?: unknown }).mask instanceof tf.Tensor), { default: 'none' },
  ),
  data: opt.optional(opt.custom<{ x: tf.Tensor; y: ArrayLike<number> | tf.Tensor }>('{x: tf.Tensor, y: class ids}', (v) => isObject(v) && (v as { x?: unknown }).x instanceof tf.Tensor)),
  augment: opt.optional(opt.func<Augment>()),
  cacheTeacher: opt.custom<{ copies?: number } | false>('{copies: integer >= 1} or false', (v) => v === false || (isObject(v) && (((v as { copies?: unknown }).copies === undefined) || (Number.isInteger((v as { copies?: unknown }).copies) && ((v as { copies: number }).copies >= 1)))), { default: Object.freeze({ copies: 8 }) }),
  teacherCache: opt.optional(opt.custom<TeacherCache>('a cache from cacheTeacherFeatures', (v) => isObject(v) && (v as { features?: unknown }).features instanceof tf.Tensor)),
  steps: opt.integer({ min: 1, default: 600 }),
  batchSize: opt.integer({ min: 1, default: 64 }),
  lr: opt.number({ min: 0, exclusiveMin: true, default: 3e-3 }),
  seed: opt.custom<Seed>('a number or string', (v) => typeof v === 'number' || typeof v === 'string', { default: 0 }),
  onStep: opt.optional(opt.func<(info: StepInfo) => void | boolean | Promise<void | boolean>>()),
  progress: opt.optional(opt.custom<boolean | string>('a boolean or a label', (v) => typeof v === 'boolean' || typeof v === 'string')),
});

/** The spec's CPU defaults (sections 5 and 6), the objective's included. */
export const REPROGRAM_DISTILL_DEFAULTS = Object.freeze({ ...REPROGRAM_DISTILL_OPTIONS.defaults, loss: RD_LOSS_DEFAULTS });

function resolveLoss(loss: RDLossOptions = {}) {
  const d = RD_LOSS_DEFAULTS;
  const temperature = loss.kl?.temperature ?? d.kl.temperature;
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    throw new OptionError('reprogramDistill.loss.kl.temperature', 'a positive number', temperature);
  }
  const cka = { ...d.cka, ...(loss.cka ?? {}) };
  if (!(typeof cka.rbfSigmaFrac === 'number' && cka.rbfSigmaFrac > 0)) throw new OptionError('reprogramDistill.loss.cka.rbfSigmaFrac', 'a positive number', cka.rbfSigmaFrac);
  for (const [k, allowed] of [['measure', ['cka', 'mse']], ['kernel', ['linear', 'rbf']], ['estimator', ['biased', 'unbiased']]] as const) {
    if (!(allowed as readonly string[]).includes(cka[k])) throw new OptionError(`reprogramDistill.loss.cka.${k}`, allowed.map((a) => `'${a}'`).join(' | '), cka[k]);
  }
  return {
    teacherCe: checkSchedule('reprogramDistill.loss.teacherCe', loss.teacherCe ?? d.teacherCe),
    kl: checkSchedule('reprogramDistill.loss.kl.weight', loss.kl?.weight ?? d.kl.weight),
    align: checkSchedule('reprogramDistill.loss.cka.weight', cka.weight),
    temperature,
    alignment: { measure: cka.measure, kernel: cka.kernel, estimator: cka.estimator, rbfSigmaFrac: cka.rbfSigmaFrac } as AlignmentOptions,
  };
}

/** Train R, C and the student with the RD objective; returns the deployable student + C. */
export async function reprogramDistill(options: ReprogramDistillOptions): Promise<ReprogramDistillResult> {
  const o = REPROGRAM_DISTILL_OPTIONS.parse(options as Parameters<typeof REPROGRAM_DISTILL_OPTIONS.parse>[0]);
  const { student, numClasses, steps, batchSize, lr, coTrain } = o;
  const loss = resolveLoss(options.loss);
  const pS = studentFeatureDim(student);
  const featureFn = teacherFeatureFn(options.teacher, options.teacherFeatureLayer);
  const seed = o.seed;
  const rng = createRng(seed);

  // Teacher and student must not share weights: the teacher stays frozen.
  const studentVars = student.trainableWeights.map((w) => w.read() as tf.Variable);
  if (isLayersModel(options.teacher)) {
    const teacherVars = new Set(options.teacher.weights.map((w) => w.read()));
    if (studentVars.some((v) => teacherVars.has(v))) throw new OptionError('reprogramDistill.student', 'a model that shares no weights with the frozen teacher', 'shared weights');
  }

  const programSpec = o.inputProgram;
  const cacheSpec = o.cacheTeacher;
  const useCache = programSpec === 'none' && (cacheSpec !== false || options.teacherCache !== undefined);

  // Data: a teacher cache (copies * n rows with features) or the raw rows.
  let cache: TeacherCache | null = null;
  let ownsCache = false;
  let rawX: tf.Tensor | null = null;
  let rawLabels: tf.Tensor2D | null = null;
  if (useCache) {
    if (options.teacherCache) cache = options.teacherCache;
    else {
      if (!options.data) throw new OptionError('reprogramDistill.data', '{x, y} (or a teacherCache)', options.data);
      cache = cacheTeacherFeatures({
        teacher: featureFn, data: options.data, numClasses, augment: options.augment,
        copies: cacheSpec === false ? undefined : cacheSpec.copies, rng: rng.fork('cache'),
      });
      ownsCache = true;
    }
    if (cache.numClasses !== numClasses) throw new OptionError('reprogramDistill.teacherCache', `a cache built for numClasses = ${numClasses}`, cache.numClasses);
  } else {
    if (options.teacherCache) throw new OptionError('reprogramDistill.teacherCache', 'unset when an input program is used (teacher features depend on delta)', 'a cache');
    const x = options.data?.x;
    if (!(x instanceof tf.Tensor) || x.rank < 2) throw new OptionError('reprogramDistill.data.x', 'a tf.Tensor [n, ...]', x instanceof tf.Tensor ? x.shape : typeof x);
    rawX = x;
    rawLabels = oneHot(checkLabels(options.data!.y, x.shape[0] as number, numClasses), numClasses);
  }
  const rows = cache ? cache.x.shape[0] as number : rawX!.shape[0] as number;
  const minRows = loss.alignment.estimator === 'unbiased' && !isOff(loss.align) ? 4 : 2;

  const created: { dispose(): void }[] = [];
  try {
    if (Math.min(batchSize, rows) < minRows) throw new OptionError('reprogramDistill.batchSize', `at least ${minRows} rows per batch for the CKA estimator`, Math.min(batchSize, rows));
    const program = programSpec === 'none' ? null : new InputProgram((rawX as tf.Tensor).shape.slice(1) as number[], programSpec === 'additive' ? undefined : programSpec.mask);
    if (program) created.push(program);
    const pT = cache
      ? (cache.features.shape[1] as number)
      : tf.tidy(() => checkFeatureShape('teacher features', featureFn(tf.slice(rawX!, 0, Math.min(2, rows))), Math.min(2, rows)));
    const reprogrammer = createReprogrammer(o.reprogrammer, pT, pS, { hidden: options.reprogrammerHidden, rng: rng.fork('reprogrammer') });
    created.push(reprogrammer);
    const classifier = new Dense({ inDim: pS, outDim: numClasses, rng: rng.fork('classifier'), name: 'rd_classifier' });
    created.push(classifier);

    /** Inputs, (reprogrammed) teacher features and labels of a batch of rows. */
    const augmentRng = rng.fork('augment');
    const batch = (idx: tf.Tensor1D, step: number) => {
      if (cache) return { x: tf.gather(cache.x, idx), hT: tf.gather(cache.features, idx), labels: tf.gather(cache.labels, idx) };
      let x = tf.gather(rawX!, idx);
      if (options.augment) x = options.augment(x, augmentRng.fork(step));
      const hT = featureFn(program ? program.apply(x) : x);
      checkFeatureShape('teacher features', hT, idx.shape[0]);
      return { x, hT, labels: tf.gather(rawLabels!, idx) };
    };
    const common = { rows, batchSize, steps, lr, onStep: options.onStep, progress: options.progress };
    const results: FitResult[] = [];
    const programVars = program ? program.variables : [];

    if (!coTrain) {
      // Stage 1: reprogram the teacher alone (R, C and any input program) on CE(C(R(h_T)), y).
      results.push(await trainOnRows({
        ...common, seed: `${seed}/stage1`,
        variables: [...reprogrammer.variables, ...classifier.trainableVariables, ...programVars],
        loss: (idx, step) => {
          const b = batch(idx, step);
          return softmaxCrossEntropy(b.labels, classifier.apply(reprogrammer.apply(b.hT, true)));
        },
      }));
    }
    const trained = coTrain ? [...studentVars, ...reprogrammer.variables, ...classifier.trainableVariables, ...programVars] : studentVars;
    results.push(await trainOnRows({
      ...common, seed,
      variables: trained,
      loss: (idx, step) => {
        const b = batch(idx, step);
        const hS = student.apply(b.x, { training: true }) as tf.Tensor;
        const hR = reprogrammer.apply(b.hT, coTrain);
        return rdLoss({
          studentLogits: classifier.apply(hS), teacherLogits: classifier.apply(hR), studentFeatures: hS, teacherFeatures: hR, labels: b.labels,
          weights: {
            teacherCe: coTrain ? scheduledWeight(loss.teacherCe, step, steps) : 0,
            kl: scheduledWeight(loss.kl, step, steps),
            align: scheduledWeight(loss.align, step, steps),
          },
          temperature: loss.temperature, alignment: loss.alignment, coTrain,
        }).total;
      },
    }));

    const losses = new Float32Array(results.reduce((a, r) => a + r.losses.length, 0));
    let at = 0;
    for (const r of results) {
      losses.set(r.losses, at);
      at += r.losses.length;
    }
    const deployModel = attachClassifier(student, classifier);
    return {
      deployModel,
      reprogrammer,
      classifier,
      inputProgram: program,
      history: { losses, seconds: results.reduce((a, r) => a + r.seconds, 0), steps: at, teacherCached: cache !== null },
      teacherLogits: (x) => tf.tidy(() => classifier.apply(reprogrammer.apply(featureFn(program ? program.apply(x) : x)))),
      dispose: () => created.forEach((c) => c.dispose()),
    };
  } catch (error) {
    created.forEach((c) => c.dispose());
    throw error;
  } finally {
    if (ownsCache) cache?.dispose();
    rawLabels?.dispose();
  }
}
