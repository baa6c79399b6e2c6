/**
 * @paperkit/offline-rl: the offline-RL substrate shared by @paperkit/harmodt and
 * @paperkit/compoformer (harmodt.md "Shared substrate" S1-S4). Public API only.
 */

/** planar-suite tasks, names, dimensions (§S4). */
export {
  PLANAR_TASKS, CONFLICT6, PLANAR_DESCRIPTIONS, PLANAR_STATE_DIM, PLANAR_ACT_DIM, PLANAR_HORIZON, isPlanarTask,
  type PlanarTaskName,
} from './planar/tasks.js';
/** One planar episode: dynamics, reward, success. */
export { PlanarEnv, type PlanarState, type StepResult } from './planar/planar-env.js';
/** Scripted experts and behaviour noise. */
export { expertAction, noisyExpertAction, QUALITY_NOISE, type DataQuality } from './planar/experts.js';
/** The suite: seeded datasets, episode factory, scripted scores, normalised return. */
export { PlanarSuite, type PlanarSuiteOptions, type PlanarDatasetOptions } from './planar/planar-suite.js';
/** Trajectory datasets (D4RL layout or episode lists), window and prompt sampling. */
export {
  MultiTaskDataset, type D4RLTaskData, type TrajectoryInput, type Episode, type DatasetOptions, type StepArray,
} from './data/multi-task-dataset.js';
/** Return-to-go and inference-time conditioning returns. */
export { returnToGo, conditioningReturns } from './data/return-to-go.js';
/** Per-task state normalisation and RTG scale (saved with checkpoints). */
export { normalizeStateInto, identityNormalization, checkNormalization, type Normalization } from './data/normalization.js';
/** The window batch format of the DT family. */
export { emptyWindowBatch, emptyPromptBatch, type WindowBatch, type PromptBatch } from './data/window-batch.js';
/** Decision Transformer / Prompt-DT / task-embedding DT. */
export {
  DecisionTransformer, DECISION_TRANSFORMER_OPTIONS, DECISION_TRANSFORMER_DEFAULTS, resolveDTConfig,
  type DecisionTransformerOptions, type DecisionTransformerConfig, type Conditioning, type WindowPolicy,
} from './dt/decision-transformer.js';
/** The masked action-MSE loss. */
export { dtLoss } from './dt/dt-loss.js';
/** Global gradient-norm clipping. */
export { clipByGlobalNorm } from './dt/clip-grad-norm.js';
/** DT training loop and its building blocks. */
export {
  trainDecisionTransformer, dtStep, drawBatch, attachDataset, resolveTrainDTOptions, LossLog, TRAIN_DT_OPTIONS, TRAIN_DT_DEFAULTS,
  type TrainDTOptions, type TrainDTResult, type ResolvedTrainDTOptions,
} from './dt/train-decision-transformer.js';
/** Batched online evaluation with target returns. */
export {
  evaluatePolicy, EVALUATE_OPTIONS, EVALUATE_DEFAULTS, type EvaluateOptions, type EvaluationResult, type TaskEvaluation,
} from './eval/evaluate.js';
export { type EnvSuite, type EpisodeEnv } from './eval/env-suite.js';
/** Flattened per-batch loss gradients (conflict diagnostics, mask scores). */
export { flatGradient } from './dt/flat-gradient.js';
/** Checkpoints (safetensors bytes: weights, config, normalisation, prompts). */
export { saveDecisionTransformer, loadDecisionTransformer } from './dt/checkpoint.js';
/** Baseline formulas of §S3: L2, EWC, PackNet, gradient conflict. */
export { l2Penalty } from './baselines/l2-penalty.js';
export { ewcPenalty, diagonalFisher, mergeFisher } from './baselines/ewc.js';
export { packnetSelect, unionMasks } from './baselines/packnet.js';
export { cosine, cosineMatrix, meanGradient, agreement, conflictRate } from './baselines/gradient-conflict.js';
/** A live episode's history as a 1-row window (what act() feeds the model). */
export { windowFromHistory, type EpisodeHistory } from './data/window-from-history.js';
/** The functional DT trunk: a pure forward over a record of weights (masked / adapter views). */
export {
  trunkFeatures, trunkParamSpecs, initTrunkWeights, resolveFunctionalTrunkConfig, FUNCTIONAL_TRUNK_RULES, checkWindowBatch, windowTensors, takeWindowRows, disposeWindowTensors,
  type FunctionalTrunkConfig, type FunctionalTrunkOptions, type TrunkWeights, type TrunkWeightSpec, type WindowTensors,
} from './dt/functional-trunk.js';
export { DT_SIZE_RULES } from './dt/size-rules.js';
/** Lockstep online success of many per-task policies (continual-learning evaluation matrices). */
export { evaluateTaskMatrix, type TaskEpisodes, type RolloutPolicy, type RolloutHistory } from './eval/evaluate-task-matrix.js';
