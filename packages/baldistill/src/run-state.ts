/**
 * The resumable state of a BalDistill run (spec section 8, "resumable ledgers"). It is saved after every
 * reservation and every teacher reply, so a run killed at any point resumes without paying twice for a call
 * whose answer came back: answers are cached by call ref, and a call that was in flight is charged in full
 * (`lost`) and re-made only if the stage's budget still allows it. The store decides where it lives:
 * memoryStateStore here, directoryStateStore (atomic file in a directory) in "@paperkit/baldistill/node".
 * Inputs, rationales and answers must be JSON-serialisable for a file store.
 */
import type { LedgerJSON } from './budget-ledger.js';
import type { StageReport } from './stage-report.js';
import type { Annotated, Response } from './types.js';

/** What identifies a run: resuming with different settings or a different pool is refused. */
export interface RunFingerprint {
  policy: string;
  budget: number;
  stages: number;
  selection: string;
  adaptiveCounts: string;
  callCost: number;
  seed: number;
  filterWrongAnswers: boolean;
  domains: string[];
  /** FNV-1a hash of every pool id and domain, in order. */
  pool: string;
}

/** The chosen work of the stage in progress (saved before its first call, so resuming needs no re-scoring). */
export interface StagePlan {
  stage: number;
  counts: Record<string, number>;
  heads: Record<string, boolean>;
  /** Pool ids to annotate, per domain, in selection order. */
  select: Record<string, string[]>;
  /** Synthetic examples to request per domain. */
  synthesize: Record<string, number>;
  /** Repeats of annotated tail examples (duplicate baseline; no teacher call). */
  duplicate: Record<string, number>;
  /** Candidates whose IFD the student scored for this plan. */
  ifdScored: number;
  selectSeconds: number;
}

export type CallResult<I, R, A> =
  | { kind: 'annotate'; response: Response<R, A> }
  | { kind: 'synthesize'; examples: Annotated<I, R, A>[] }
  | { kind: 'failed'; message: string };

export interface RunState<I, R, A> {
  version: 1;
  fingerprint: RunFingerprint;
  ledger: LedgerJSON;
  /** Index of the stage in progress (== number of finished stages). */
  stage: number;
  plan: StagePlan | null;
  /** Replies of the stage in progress, by call ref. */
  results: Record<string, CallResult<I, R, A>>;
  /** Every example kept for training so far (finished stages). */
  kept: Annotated<I, R, A>[];
  /** Pool ids already sent to the teacher (never annotated twice). */
  used: string[];
  reports: StageReport[];
  done: boolean;
  stoppedBecause?: string;
}

/** Where a run's state lives. `save` must replace the previous state atomically. */
export interface StateStore<I, R, A> {
  load(): Promise<RunState<I, R, A> | null>;
  save(state: RunState<I, R, A>): Promise<void>;
}

/** A store in memory (a structured-clone copy per save): resuming within one process, and tests. */
export function memoryStateStore<I, R, A>(): StateStore<I, R, A> & { saves: number; current: RunState<I, R, A> | null } {
  const store = {
    saves: 0,
    current: null as RunState<I, R, A> | null,
    async load() {
      return store.current ? (JSON.parse(JSON.stringify(store.current)) as RunState<I, R, A>) : null;
    },
    async save(state: RunState<I, R, A>) {
      store.saves++;
      store.current = JSON.parse(JSON.stringify(state)) as RunState<I, R, A>;
    },
  };
  return store;
}

/** FNV-1a 32-bit over a string, hex. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
