/**
 * Options of createDivil with the official ColoredMNIST defaults (spec section 2 table), each
 * validated with an OptionError that names it. Choices of the official code that look
 * questionable are options here, defaulting to the official behaviour unless noted "ours".
 */
import { OptionError, type Rng } from '@paperkit/tensor-core';
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

/** createDivil's defaults (the official ColoredMNIST values unless marked "ours" above). */
export const DIVIL_DEFAULTS: Readonly<DivilOptions> = Object.freeze({
  objective: 'irm',
  penaltyWeight: 91257.186,
  annealSteps: 190,
  rescaleWhenLarge: true,
  resetOptimizerAtAnneal: false,
  irmForm: 'squared',
  vrexForm: 'pairSquared',
  groupDroEta: 0.01,
  taskLoss: 'auto',
  l2: 0.00110794568,
  contrastWeight: 0.01,
  contrastPlacement: 'afterRescale',
  temperature: 0.5,
  inputKeepProb: 0.2,
  featureMaskRatio: 0.5,
  featureMaskMode: 'leading',
  negatives: 'all',
  maxNegatives: 100,
  negativeFraction: 0.7,
  contrastRows: 128,
  seed: 0,
} as DivilOptions);

const oneOf = <T extends string>(name: string, value: unknown, allowed: readonly T[]): T => {
  if (!allowed.includes(value as T)) throw new OptionError(`createDivil.${name}`, allowed.map((a) => `'${a}'`).join(' | '), value);
  return value as T;
};
const num = (name: string, value: unknown, ok: (x: number) => boolean, expected: string): number => {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) throw new OptionError(`createDivil.${name}`, expected, value);
  return value;
};
const bool = (name: string, value: unknown): boolean => {
  if (typeof value !== 'boolean') throw new OptionError(`createDivil.${name}`, 'true or false', value);
  return value;
};
const int = (name: string, value: unknown, min: number): number =>
  num(name, value, (x) => Number.isInteger(x) && x >= min, `an integer >= ${min}`);

/** Fill defaults and validate; unknown keys are rejected so a typo does not silently do nothing. */
export function resolveDivilOptions(user: Partial<DivilOptions> = {}): DivilOptions {
  if (user === null || typeof user !== 'object') throw new OptionError('createDivil options', 'an object', user);
  for (const key of Object.keys(user)) {
    if (!(key in DIVIL_DEFAULTS) && !['projectorHidden', 'featureDim', 'maskFn', 'projector'].includes(key)) {
      throw new OptionError(`createDivil.${key}`, `one of the options ${Object.keys(DIVIL_DEFAULTS).join(', ')}, projectorHidden, featureDim, maskFn, projector`, 'an unknown option');
    }
  }
  const o = { ...DIVIL_DEFAULTS, ...Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined)) } as DivilOptions;
  oneOf('objective', o.objective, ['erm', 'irm', 'vrex', 'groupdro'] as const);
  num('penaltyWeight', o.penaltyWeight, (x) => x >= 0, 'a finite number >= 0');
  int('annealSteps', o.annealSteps, 0);
  bool('rescaleWhenLarge', o.rescaleWhenLarge);
  bool('resetOptimizerAtAnneal', o.resetOptimizerAtAnneal);
  oneOf('irmForm', o.irmForm, ['squared', 'unbiased'] as const);
  oneOf('vrexForm', o.vrexForm, ['pairSquared', 'variance'] as const);
  num('groupDroEta', o.groupDroEta, (x) => x >= 0, 'a finite number >= 0');
  oneOf('taskLoss', o.taskLoss, ['auto', 'bce', 'softmax'] as const);
  num('l2', o.l2, (x) => x >= 0, 'a finite number >= 0');
  num('contrastWeight', o.contrastWeight, (x) => x >= 0, 'a finite number >= 0');
  oneOf('contrastPlacement', o.contrastPlacement, ['afterRescale', 'insideRescale'] as const);
  num('temperature', o.temperature, (x) => x > 0, 'a finite number > 0');
  num('inputKeepProb', o.inputKeepProb, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  num('featureMaskRatio', o.featureMaskRatio, (x) => x >= 0 && x < 1, 'a number in [0, 1) (rho = 1 would zero the whole projection)');
  oneOf('featureMaskMode', o.featureMaskMode, ['leading', 'random'] as const);
  oneOf('negatives', o.negatives, ['all', 'farthest', 'nearest'] as const);
  int('maxNegatives', o.maxNegatives, 1);
  num('negativeFraction', o.negativeFraction, (x) => x > 0 && x <= 1, 'a number in (0, 1]');
  int('contrastRows', o.contrastRows, 0);
  if (o.contrastRows === 1) throw new OptionError('createDivil.contrastRows', '0 (all rows) or an integer >= 2 (InfoNCE needs negatives)', 1);
  if (o.projectorHidden !== undefined) int('projectorHidden', o.projectorHidden, 1);
  if (o.featureDim !== undefined) int('featureDim', o.featureDim, 1);
  if (o.maskFn !== undefined && typeof o.maskFn !== 'function') throw new OptionError('createDivil.maskFn', 'a function (x, rng) => tf.Tensor', typeof o.maskFn);
  num('seed', o.seed, Number.isInteger, 'an integer');
  return o;
}
