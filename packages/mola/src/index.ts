/**
 * @paperkit/mola: Mixture of Low-rank Adapters (Zhou et al., ICML 2024).
 * Public API only; see ../README.md and docs/methods/mola.md.
 */

/** Put E low-rank adapters on a user's tfjs model: 'grad' (by task id) or 'router' (learned, TwD). */
export { addMoLA, resolveTargets, ADD_MOLA_OPTIONS, ADD_MOLA_DEFAULTS, type MolaOptions, type MolaTargets } from './add-mola.js';
/** The adapted model: forward, predict, gates, lossTerms, mergeForTask, variables. */
export {
  MolaModel,
  type MolaMode, type MolaConfig, type TwDConfig, type TwDTarget, type ForwardContext, type ForwardResult,
  type LossBatch, type LossTerms, type TaskLoss,
} from './mola-model.js';
/** Task-wise Decorrelation loss on (projected) router outputs. */
export { twdLoss, type TwDLossOptions } from './twd-loss.js';
/** Per-task heads mixed by one-hot task rows or by router gates. */
export { TaskHeads, type TaskHeadsOptions } from './task-heads.js';
/** Routers: the default MLP and a wrapper for a user's tfjs model. */
export { mlpRouter, layersRouter, type Router } from './router.js';
/** One optimizer over everything, validation-only model selection. */
export { trainMoLA, TRAIN_MOLA_OPTIONS, TRAIN_MOLA_DEFAULTS, type TrainMolaOptions, type TrainMolaResult, type TrainPoint } from './train-mola.js';
/** Accuracy per task, gate purity and routing entropy (router models without task ids). */
export { evaluateMoLA, type MolaEvaluation, type TaskPredictor } from './evaluate.js';
export { gatePurity, routingEntropy } from './routing-metrics.js';
export { type TaskData } from './task-data.js';
/** Errors. */
export { UnsupportedLayerError } from './errors.js';
/** Baselines (spec section 4): HPS, parameter-matched HPS width, single shared LoRA, separate models. */
export { hardParameterSharing, paramMatchedWidth, HPS_OPTIONS, type HpsOptions } from './baselines/hps.js';
export { sharedLoRA, SHARED_LORA_OPTIONS, type SharedLoRAOptions } from './baselines/shared-lora.js';
export { SeparateModels, trainSeparateModels } from './baselines/separate-models.js';
/** The sign-flipped domains of spec section 5 (seeded), for trying MoLA on a known conflict. */
export { signFlipDomains, type SignFlipOptions, type SignFlipDomains } from './sign-flip-domains.js';
