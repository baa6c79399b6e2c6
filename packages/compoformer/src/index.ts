/**
 * @paperkit/compoformer: CompoFormer (arXiv 2411.11364), continual offline RL by
 * composing frozen earlier policies through text-conditioned attention.
 * Public API only (browser-safe); see ../README.md and docs/methods/compoformer.md.
 */

/** The method: per-task modules, attention over earlier ones, reuse check, prune or grow. */
export { CompoFormer, COMPOFORMER_OPTIONS, COMPOFORMER_DEFAULTS, COMPOFORMER_PAPER_VALUES, splitEpisodes, type CompoFormerOptions } from './compoformer.js';
/** What every learner shares: learnTask, act/actBatch, policies, checks. */
export {
  ContinualLearner, LEARNER_DEFAULTS, LEARNER_RULES,
  type LearnTaskInput, type LearnTaskResult, type LearnerBaseOptions, type TaskPolicy, type OnlineCheck, type OfflineCheck, type TaskEntry,
} from './continual-learner.js';
/** Baselines sharing learnTask (spec section 4). */
export { FinetuneCL, FINETUNECL_OPTIONS, SharedTrunkCL } from './baselines/shared-trunk.js';
export { L2CL, L2CL_OPTIONS, L2CL_DEFAULTS, type L2CLOptions } from './baselines/l2.js';
export { EWCCL, EWCCL_OPTIONS, EWCCL_DEFAULTS, type EWCCLOptions } from './baselines/ewc.js';
export { PackNetCL, PACKNETCL_OPTIONS, PACKNETCL_DEFAULTS, type PackNetCLOptions } from './baselines/packnet.js';
export { LoRACL, LORACL_OPTIONS, LORACL_DEFAULTS, type LoRACLOptions } from './baselines/lora.js';
/** P, F, BWT, FWT from the task-by-task success matrix; Continual World's AUC forward transfer. */
export { continualMetrics, aucForwardTransfer, type ContinualMetrics } from './continual-metrics.js';
/** Task-description encoders: the offline hashed bag of words, or your own vectors. */
export { hashedBow, vectorEncoder, fnv1a, tokenize, type TaskTextEncoder, type HashedBowOptions } from './text-encoder.js';
/** The attention q_t(e_t) . k_t(e_j) / sqrt(d) over earlier modules. */
export { TaskAttention, type QKInit, type TaskAttentionOptions } from './task-attention.js';
/** Per-task data: trajectories or D4RL arrays, with per-task normalisation. */
export { TaskDataset, type Trajectory, type D4RLArrays, type Episode, type TaskNormalization } from './task-dataset.js';
/** Running-episode histories for act(). */
export { type History } from './windows.js';
/** Prune-variant weight ownership (PackNet masks). */
export { WeightOwnership } from './prune-masks.js';
export { LoRASet } from './lora-set.js';
export { ActionHead, FusionHead } from './heads.js';
/** Errors. */
export { CapacityError, UnknownTaskError } from './errors.js';
