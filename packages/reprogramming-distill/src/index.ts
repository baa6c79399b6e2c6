/**
 * @paperkit/reprogramming-distill: Reprogramming Distillation (Zhou et al., MICCAI 2024)
 * from a frozen foundation model into a small student of any architecture.
 * Public API only (browser-safe); see ../README.md and docs/methods/reprogramming-distill.md.
 */

/** Train reprogrammer R, shared classifier C and the student with CE + a_s CE_T + b_s KL + lam (1 - CKA). */
export {
  reprogramDistill, REPROGRAM_DISTILL_DEFAULTS, REPROGRAM_DISTILL_OPTIONS, RD_LOSS_DEFAULTS,
  type ReprogramDistillOptions, type ReprogramDistillResult, type RDLossOptions, type RDHistory,
} from './reprogram-distill.js';
/** The RD objective, the co-trained KL and the alignment (CKA or MSE) term. */
export { rdLoss, coTrainedKL, alignmentLoss, type RDLossInput, type RDLossTerms, type AlignmentOptions } from './rd-loss.js';
/** Loss-weight schedules: a constant or [start, end] linear decay (a_s = b_s = 1 - s/S). */
export { scheduledWeight, checkSchedule, type WeightSchedule } from './weight-schedule.js';
/** The feature-space reprogrammer ('mlp' | 'linear' | a user LayersModel). */
export { createReprogrammer, type Reprogrammer, type ReprogrammerSpec, type CreateReprogrammerOptions } from './reprogrammer.js';
/** Input-side reprogramming: f_T(x + m delta), and an image border mask. */
export { InputProgram, borderMask } from './input-program.js';
/** The frozen teacher as a feature function (LayersModel, tapped layer, or any function). */
export { teacherFeatureFn, type Teacher, type TeacherFn } from './teacher-features.js';
/** Teacher features of jittered copies, computed once. */
export { cacheTeacherFeatures, CACHE_TEACHER_DEFAULTS, type TeacherCache, type CacheTeacherOptions } from './teacher-cache.js';
/** Augmentations drawn from the seeded generator. */
export { gaussianJitter, type Augment } from './augment.js';
/** Student + C as one deployable tf.LayersModel. */
export { attachClassifier, studentFeatureDim } from './deploy-model.js';
/** Batched logits, accuracy and minibatch CKA between two feature functions. */
export { predictInBatches, evaluateAccuracy, minibatchFeatureCKA, type Predictor } from './evaluate.js';
/** The seeded batch plan every method of a run shares. */
export { batchPlan } from './batch-plan.js';
/** Baselines (spec section 4): student only, Hinton KD, FitNets (student side); linear probe, adapter, LoRA (FM side). */
export { trainStudentOnly, type TrainStudentOnlyOptions, type StudentBaselineResult } from './baselines/student-only.js';
export { trainHintonKD, HINTON_KD_DEFAULTS, type TrainHintonKDOptions } from './baselines/hinton-kd.js';
export { trainFitNets, FITNETS_DEFAULTS, type TrainFitNetsOptions } from './baselines/fitnets.js';
export {
  trainLinearProbe, trainAdapterProbe, ADAPTER_DEFAULTS, type FeatureProbeResult, type TrainFeatureProbeOptions,
} from './baselines/feature-probe.js';
export {
  trainLoRAProbe, loraFeatureExtractor, LORA_PROBE_DEFAULTS,
  type TrainLoRAProbeOptions, type LoRAProbeResult, type LoRAFeatureExtractor,
} from './baselines/lora-probe.js';
export { BASELINE_TRAINING_DEFAULTS, type BaselineData, type BaselineTraining } from './baselines/rows.js';
/** Every CKA estimate between two feature matrices (what the CLI `cka` prints). */
export { ckaReport, type CKAReport } from './cka-report.js';
/** CKA from tensor-core, re-exported for convenience. */
export { linearCKA, rbfCKA, hsic, MinibatchCKA, ckaLoss } from '@paperkit/tensor-core';
