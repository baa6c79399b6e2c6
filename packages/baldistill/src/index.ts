/**
 * @paperkit/baldistill: Multi-Stage Balanced Distillation (Zhou, Zhu et al., EMNLP 2024) under a teacher-call
 * budget, with pluggable teacher, student and embedder. Browser-safe: the Node-only state directory is in
 * "@paperkit/baldistill/node", the reproduction in "@paperkit/baldistill/reproduce".
 */

/** The interfaces: Teacher (annotate, synthesize), Student (fit, generate, logLikelihood), Embedder, examples. */
export type { Example, Annotated, Response, Teacher, Student, Embedder, LogLikelihood } from './types.js';

/** The budgeted multi-stage loop: BalDistill-A ('adaptive'), -N ('naive') and the baselines, one ledger. */
export {
  runBalDistill, RUN_BALDISTILL_OPTIONS, RUN_BALDISTILL_DEFAULTS, POLICIES, SELECTIONS,
  type RunBalDistillOptions, type BalDistillResult, type Policy, type Selection, type CountsContext,
} from './run-bal-distill.js';

/** Per-stage per-domain counts c_d(i): naive floor(B_s/l), adaptive (expected or sampled proportional part). */
export { naiveCounts, adaptiveCounts, sampledAdaptiveCounts, type AdaptiveCountsOptions } from './stage-counts.js';

/** Instruction-Following Difficulty PPL(y|x)/PPL(y) of the student's own response, single and batched. */
export { ifdFromLogLik, ifdScores } from './ifd.js';

/** Head selection helpers: seeded random, top IFD, greedy k-center; cosine for dedupe. */
export { randomPick, topByScore, kCenterGreedy, cosine } from './selection.js';

/** The teacher-call ledger (reserve before a call, settle after; never past B or B_s). */
export { BudgetLedger, type LedgerEntry, type LedgerJSON, type CallKind } from './budget-ledger.js';

/** Errors: a reservation past the budget; an HTTP teacher request that failed for good. */
export { BudgetExceededError, TeacherRequestError } from './errors.js';

/** Per-stage log: what was selected or synthesised per domain, and the calls used. */
export { formatStageReport, type StageReport, type DomainStageReport } from './stage-report.js';

/** Resumable run state: the store interface and an in-memory store (directory store: "./node"). */
export { memoryStateStore, type StateStore, type RunState, type StagePlan, type RunFingerprint, type CallResult } from './run-state.js';

/** The tfjs student adapter (any network -> [rationale logits, answer logits]) and a LayersModel wrapper. */
export {
  classifierStudent, ClassifierStudent, layersModelNet, CLASSIFIER_STUDENT_OPTIONS, CLASSIFIER_STUDENT_DEFAULTS,
  type ClassifierNet, type ClassifierStudentOptions,
} from './classifier-student.js';

/** A teacher behind an OpenAI-compatible chat-completions endpoint (retries, timeout, concurrency limit). */
export {
  openAITeacher, OpenAITeacher, OPENAI_TEACHER_OPTIONS, OPENAI_TEACHER_DEFAULTS, parseAnswer, parseSynthesized,
  type OpenAITeacherOptions, type TeacherUsage, type ChatMessage,
} from './openai-teacher.js';

/** A promise pool and a semaphore (used by the loop and the HTTP teacher). */
export { mapLimit, Semaphore } from './concurrency.js';
