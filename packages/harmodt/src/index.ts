/**
 * @paperkit/harmodt: Harmony Multi-Task Decision Transformer (Hu et al., ICML 2024) and
 * G-HarmoDT, on @paperkit/offline-rl's Decision Transformer. Public API only.
 */

/** HarmoDT: per-task harmony masks over shared DT weights (spec section 2). */
export { HarmoDT, subBatch, type HarmoFitOptions, type MaskSet, type MaskUpdateRecord } from './harmo-dt.js';
/** Options, CPU defaults and the official values. */
export { HARMODT_OPTIONS, HARMODT_DEFAULTS, HARMODT_PAPER_VALUES, HARMO_FIT_OPTIONS, resolveHarmoDTOptions, type HarmoDTOptions, type ResolvedHarmoDTOptions } from './options.js';
/** G-HarmoDT: task clustering by gradient similarity + a gating network (no task id at inference). */
export { GHarmoDT, GHARMODT_OPTIONS, GHARMODT_DEFAULTS, type GHarmoDTOptions } from './g-harmo-dt.js';
export { clusterTasks } from './task-clustering.js';
/** ERK mask initialisation. */
export { erkDensities, erkMask, uniformMask } from './erk-mask-init.js';
/** The cosine schedule of the number of swapped coordinates. */
export { changeCount } from './change-schedule.js';
/** The upper-level mask update (Fisher/agreement importance, revival). */
export { harmonyMaskUpdate, removalScores, selectK, type Importance, type MaskUpdateResult } from './harmony-mask-update.js';
/** Pairwise gradient cosines and within-mask conflict rates. */
export { conflictReport, type ConflictReport, type ConflictReportOptions } from './conflict-report.js';
/** Checkpoints with masks and normalisation. */
export { saveHarmoDT, loadHarmoDT } from './checkpoint.js';
/** Per-task DT baseline. */
export { PerTaskDT } from './baselines/per-task-dt.js';
