/**
 * @paperkit/lorkd: Low-Rank Knowledge Decomposition (Zhou et al., CVPR 2024).
 * Public API only; see ../README.md and docs/methods/lorkd.md.
 */

/** Rebuild a user's tfjs model with T low-rank task experts on every Dense/Conv2D (inputs [x, taskRows]). */
export { addTaskExperts, ADD_TASK_EXPERTS_DEFAULTS, type AddTaskExpertsOptions, type ExpertTargets } from './add-task-experts.js';
/** Register the expert layer classes with tfjs's serializer before tf.loadLayersModel of a saved student. */
export { registerLoRKDLayers } from './register-layers.js';
/** Dense layer with T task experts, EKS forward. */
export { MultiExpertDense, type MultiExpertDenseConfig } from './multi-expert-dense.js';
/** Conv2D layer with T task experts, EKS forward (masked form; tfjs has no grouped conv). */
export { MultiExpertConv2D, type MultiExpertConv2DConfig, type ConvFactorization } from './multi-expert-conv2d.js';
/** Shared shape of both expert layers. */
export { isExpertLayer, type ExpertLayer, type ExpertLayerConfig, type ExpertRouting } from './expert-layer.js';
/** Pure EKS forwards and their masks, for custom training loops. */
export {
  eksDense, eksConv2d, eksConv2dStacked, officialConvDelta, expertMask, expertBlockMatrix, rankOffsets,
  type EksDenseParams, type EksConv2dParams, type EksConv2dStackedParams, type ConvGeometry,
} from './eks.js';
/** The LoRKD objective: per-task CE on class blocks + Hinton KD restricted to the task block. */
export { lorkdLoss, restrictToTaskBlock, type LoRKDLossInput, type LoRKDLossTerms } from './lorkd-loss.js';
/** Train a student with experts by distillation from a frozen teacher. */
export { trainLoRKD, type TrainLoRKDOptions, type KDOptions, type OptimizerChoice } from './train-lorkd.js';
/** The shared multi-task loop (also behind the baselines). */
export { trainTaskModel, type TrainTaskModelOptions, type TrainTaskModelResult } from './train-task-model.js';
/** Fold expert t into a plain deployable model; switch a merged model between experts in place. */
export { mergeExpert, switchExpert, type MergeExpertOptions } from './merge-expert.js';
/** Parameter counts: trainable vs deployed. */
export { expertParams, countParams, type ExpertParamCounts } from './params.js';
/** Per-task gradient cosines on a shared weight. */
export { gradientConflict, type GradientConflict, type GradientConflictOptions } from './gradient-conflict.js';
/** Whole-dataset, task-aware accuracy (last partial batch included). */
export { evaluateTasks, type EvaluateOptions, type TaskEvaluation } from './evaluate.js';
/** Task ids, class offsets and label conversion. */
export {
  classOffsets, localToGlobal, globalToLocal, taskOneHot, taskIdsFromRows, classBlockMatrix, checkTaskIds,
} from './task-labels.js';
export { type TaskDataset } from './task-data.js';
/** Errors. */
export { UnsupportedLayerError } from './errors.js';
/** Batched prediction into one tensor. */
export { predictInBatches } from './predict-in-batches.js';
/** Baselines (spec section 4). */
export { trainMTL, type TrainMTLOptions } from './baselines/mtl.js';
export { trainSTL, type TrainSTLOptions } from './baselines/stl.js';
export { addSharedLoRA, type SharedLoRAOptions } from './baselines/shared-lora.js';
export { addSoftMoE, type SoftMoEOptions } from './baselines/soft-moe.js';
export { loopForward, withActiveTask, type StepTimingOptions } from './baselines/loop-separation.js';
