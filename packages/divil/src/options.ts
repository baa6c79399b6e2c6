/**
 * Options of createDivil with the official ColoredMNIST defaults (spec section 2 table), each
 * validated with an OptionError that names it. Choices of the official code that look
 * questionable are options here, defaulting to the official behaviour unless noted "ours".
 */
import { defineOptions, opt, type Rng } from '@paperkit/tensor-core';
import type * as tf from '@tensorflow/tfjs';
import type { NegativeSelection } from './distance-info-nce.js';
import type { FeatureMaskMode } from './feature-mask.js';
import type { ModelPart } from './model-parts.js';
import type { TaskLoss } from './task-loss.js';
import type { VrexForm } from './vrex-penalty.js';

export type Objective = 'erm' | 'irm' | 'vrex' | 'groupdro';
/** Where beta * L_div enters: after the 1/lambda rescaling (official CMNIST) or inside it. */
export type ContrastPlacement = 'afterRescale' | 'insideRescale';

export interface DivilOptions {
  /** The invariant-learning objective DivIL is added to. Default 'irm'. */
  objective: Objective;
  /** lambda, the penalty weight after annealing. Default 91257.186 (CMNIST script). */
  penaltyWeight: number;
  /** Steps with lambda_t = 1 before the full weight applies. Default 190. */
  annealSteps: number;
  /** Divide the supervised part by lambda_t when lambda_t > 1 (CMNIST script). Default true. */
  rescaleWhenLarge: boolean;
  /** fit() restarts Adam at annealSteps (DomainBed). Default false (CMNIST script). */
  resetOptimizerAtAnneal: boolean;
  /** IRMv1 as g^2 (CMNIST) or DomainBed's unbiased even/odd product. Default 'squared'. */
  irmForm: 'squared' | 'unbiased';
  /** V-REx form. Default 'pairSquared' (CMNIST: (R1 - R2)^2). */
  vrexForm: VrexForm;
  /** GroupDRO step size eta. Default 0.01 (DomainBed). */
  groupDroEta: number;
  /** Task loss; 'auto' picks BCE for one logit, softmax CE otherwise. */
  taskLoss: TaskLoss | 'auto';
  /** alpha: L2 on featuriser + head variables (projector excluded). Default 0.00110794568. */
  l2: number;
  /** beta: weight of the DivIL contrastive term; 0 turns DivIL off (plain objective). Default 0.01. */
  contrastWeight: number;
  /** Default 'afterRescale' (official CMNIST; the term then dominates the NLL by ~lambda during the penalty phase). */
  contrastPlacement: ContrastPlacement;
  /** tau. Default 0.5. */
  temperature: number;
  /** Input entries KEPT by the random view. Default 0.2. */
  inputKeepProb: number;
  /** rho: share of projection coordinates zeroed, in [0, 1). Default 0.5. */
  featureMaskRatio: number;
  /** Default 'leading' (official: the same leading slice every step); 'random' is ours. */
  featureMaskMode: FeatureMaskMode;
  /** Default 'all' (ours); 'farthest' is the official selection. */
  negatives: NegativeSelection;
  /** Default 100 (official). */
  maxNegatives: number;
  /** Default 0.7 (official). */
  negativeFraction: number;
  /** Rows per environment that enter the contrastive term (a seeded random subset); 0 = all. Default 128 (ours; official uses the whole env). */
  contrastRows: number;
  /** Hidden width of the default projector H -> hidden -> H. Default 2H. */
  projectorHidden?: number;
  /** Featuriser output width H; when given the projector is built at once, otherwise on first use. */
  featureDim?: number;
  /** Custom view instead of the Bernoulli input mask. */
  maskFn?: (x: tf.Tensor, rng: Rng) => tf.Tensor;
  /** Custom projector g (trained with the model, unused at inference). Default MLP H -> 2H -> H, ReLU. */
  projector?: ModelPart;
  /** Seed of the projector init and every mask/row draw. Default 0. */
  seed: number;
}

const inUnit = (lo: '[' | '(', hi: ']' | ')') => (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v) && (lo === '[' ? v >= 0 : v > 0) && (hi === ']' ? v <= 1 : v < 1);

/** The rules of createDivil's options, each with its default (the official ColoredMNIST values unless marked "ours" above). */
export const DIVIL_OPTIONS = defineOptions('createDivil', {
  objective: opt.oneOf(['erm', 'irm', 'vrex', 'groupdro'] as const, { default: 'irm' }),
  penaltyWeight: opt.number({ min: 0, default: 91257.186 }),
  annealSteps: opt.integer({ min: 0, default: 190 }),
  rescaleWhenLarge: opt.boolean({ default: true }),
  resetOptimizerAtAnneal: opt.boolean({ default: false }),
  irmForm: opt.oneOf(['squared', 'unbiased'] as const, { default: 'squared' }),
  vrexForm: opt.oneOf(['pairSquared', 'variance'] as const, { default: 'pairSquared' }),
  groupDroEta: opt.number({ min: 0, default: 0.01 }),
  taskLoss: opt.oneOf(['auto', 'bce', 'softmax'] as const, { default: 'auto' }),
  l2: opt.number({ min: 0, default: 0.00110794568 }),
  contrastWeight: opt.number({ min: 0, default: 0.01 }),
  contrastPlacement: opt.oneOf(['afterRescale', 'insideRescale'] as const, { default: 'afterRescale' }),
  temperature: opt.number({ min: 0, exclusiveMin: true, default: 0.5 }),
  inputKeepProb: opt.custom<number>('a number in (0, 1]', inUnit('(', ']'), { default: 0.2 }),
  featureMaskRatio: opt.custom<number>('a number in [0, 1) (rho = 1 would zero the whole projection)', inUnit('[', ')'), { default: 0.5 }),
  featureMaskMode: opt.oneOf(['leading', 'random'] as const, { default: 'leading' }),
  negatives: opt.oneOf(['all', 'farthest', 'nearest'] as const, { default: 'all' }),
  maxNegatives: opt.integer({ min: 1, default: 100 }),
  negativeFraction: opt.custom<number>('a number in (0, 1]', inUnit('(', ']'), { default: 0.7 }),
  contrastRows: opt.custom<number>('0 (all rows) or an integer >= 2 (InfoNCE needs negatives)', (v) => v === 0 || (Number.isInteger(v) && (v as number) >= 2), { default: 128 }),
  projectorHidden: opt.optional(opt.integer({ min: 1 })),
  featureDim: opt.optional(opt.integer({ min: 1 })),
  maskFn: opt.optional(opt.func<(x: tf.Tensor, rng: Rng) => tf.Tensor>()),
  projector: opt.optional(opt.custom<ModelPart>('a tf.LayersModel, a paperkit Module or a function of tensors', (v) => typeof v === 'function' || (typeof v === 'object' && v !== null))),
  seed: opt.integer({ default: 0 }),
});

/** createDivil's defaults (the official ColoredMNIST values unless marked "ours" above). */
export const DIVIL_DEFAULTS: Readonly<DivilOptions> = DIVIL_OPTIONS.defaults as Readonly<DivilOptions>;

/** Fill defaults and validate (OptionError naming `createDivil.<option>`); unknown keys are rejected so a typo does not silently do nothing. */
export function resolveDivilOptions(user: Partial<DivilOptions> = {}): DivilOptions {
  return DIVIL_OPTIONS.parse(user) as DivilOptions;
}
