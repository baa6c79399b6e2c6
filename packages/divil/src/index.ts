/**
 * @paperkit/divil: Diverse Invariant Learning (Wang et al., TMLR 2025, arXiv 2502.12413).
 * Public API only (browser-safe); see ../README.md and docs/methods/divil.md.
 */

/** Wrap a featuriser + head with ERM / IRMv1 / V-REx / GroupDRO plus the DivIL contrastive term. */
export {
  createDivil, DivilLearner, sampleRows, DIVIL_LEARNING_RATE,
  type DivilParts, type DivilLossTerms, type DivilFitOptions, type DivilHistory,
} from './create-divil.js';
/** createDivil's options and their defaults (official CMNIST values unless marked ours). */
export { DIVIL_OPTIONS, DIVIL_DEFAULTS, resolveDivilOptions, type DivilOptions, type Objective, type ContrastPlacement } from './options.js';
/** Model parts: LayersModel, Module or function; split a tf.Sequential at a layer. */
export { resolvePart, splitSequential, layersModelVariables, type ModelPart, type ResolvedPart } from './model-parts.js';
/** Environments as separate datasets or pooled with an env id per row. */
export { splitByEnvironment, checkEnvs, type Env, type PooledData } from './environments.js';
/** IRMv1 penalty (closed-form scale gradient, squared or unbiased). */
export { irmPenalty, irmScaleGradient, irmPenaltyOverEnvs, type IrmPenaltyOptions } from './irm-penalty.js';
/** V-REx penalty (pair-squared or variance form), with gradient. */
export { vrexPenalty, type VrexForm, type VrexPenaltyOptions } from './vrex-penalty.js';
/** GroupDRO's exponentiated-risk weights and weighted risk. */
export { groupDroStep } from './group-dro.js';
/** DivIL's distance InfoNCE with all / farthest / nearest negatives. */
export {
  distanceInfoNCE, negativesPerAnchor, DISTANCE_INFONCE_DEFAULTS, type DistanceInfoNCEOptions, type NegativeSelection,
} from './distance-info-nce.js';
/** Feature masking of the projection (leading slice or random subset). */
export { featureMask, featureMaskRow, type FeatureMaskMode } from './feature-mask.js';
/** Bernoulli input view (keepProb = share of entries kept). */
export { inputMask, bernoulliMask } from './input-mask.js';
/** Task risk (BCE / softmax CE) and accuracy. */
export { taskRisk, accuracyOf, bceWithLogits, taskLossOf, type TaskLoss } from './task-loss.js';
/** Effective rank (exp entropy of normalised singular values). */
export { effectiveRank, singularValues } from './effective-rank.js';
/** Linear-probe accuracy of frozen features. */
export { linearProbe, LINEAR_PROBE_DEFAULTS, type LinearProbeOptions } from './linear-probe.js';
/** Over-invariance diagnostics on a dataset's train / validation / test / grey / half sets. */
export {
  overInvarianceReport, accuracyOn, probeAccuracy, type OverInvarianceReport, type PredictsAndEmbeds,
} from './diagnostics.js';
/** The seeded synthetic Colored digits (spec section 5). */
export {
  coloredDigits, digitTemplates, disposeEnvs, COLORED_DIGITS_DEFAULTS,
  type ColoredDigitsOptions, type InvarianceDataset, type LabelledEnv,
} from './data/colored-digits.js';
/** The harder "weak details" dataset, over-invariant by construction. */
export { weakDetails, WEAK_DETAILS_DEFAULTS, type WeakDetailsOptions } from './data/weak-details.js';
