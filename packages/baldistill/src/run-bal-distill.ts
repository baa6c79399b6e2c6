/**
 * The BalDistill loop (spec section 2) and its baselines (section 4), under one teacher-call ledger.
 *
 * Stage i = 0..K-1 (B_s = floor(B/K) cost units, i.e. floor(B_s / callCost) calls):
 *  1. counts c_d(i): naive floor(B_s/l) (BalDistill-N) or adaptive (BalDistill-A, stage-counts.ts);
 *  2. per domain with remaining pool R_d: if |R_d| >= c_d (head) take c_d inputs, at random at stage 0 and
 *     by highest IFD under the stage i-1 student afterwards; else (tail) take all of R_d and ask the teacher
 *     for c_d - |R_d| synthetic examples (demos: the domain's kept real examples);
 *  3. the teacher annotates every selected input; answers that differ from gold are dropped (still charged);
 *  4. selected inputs leave the pool; 5. the student is retrained on every example kept so far.
 * Baselines: random (B inputs uniformly, one stage), active (K stages, global top IFD, no balancing),
 * headOnly (one stage, budget water-filled over head domains: a head smaller than its share gives the rest
 * back to the others), duplicate (one stage, naive counts, tail shortfall
 * filled by repeating annotated tail examples, no teacher call), balance (one stage, naive counts, random
 * heads, synthesis for tails).
 * Stopping: after K stages; earlier when the budget cannot pay one more call, when nothing is left to select
 * (pool exhausted and no synthesis), or when `signal` aborts (the state is saved first, so the run resumes).
 */
import { FormatError, OptionError, createRng, defineOptions, opt, type Rng } from '@paperkit/tensor-core';
import { BudgetLedger, type CallKind } from './budget-ledger.js';
import { mapLimit } from './concurrency.js';
import { ifdScores } from './ifd.js';
import { fnv1a, type CallResult, type RunFingerprint, type RunState, type StagePlan, type StateStore } from './run-state.js';
import { cosine, kCenterGreedy, randomPick, topByScore } from './selection.js';
import { adaptiveCounts, naiveCounts, sampledAdaptiveCounts } from './stage-counts.js';
import { formatStageReport, type DomainStageReport, type StageReport } from './stage-report.js';
import type { Annotated, Embedder, Example, Response, Student, Teacher } from './types.js';

export const POLICIES = ['adaptive', 'naive', 'random', 'active', 'duplicate', 'balance', 'headOnly'] as const;
export type Policy = (typeof POLICIES)[number];
export const SELECTIONS = ['ifd', 'random', 'kcenter'] as const;
export type Selection = (typeof SELECTIONS)[number];

/** What a custom `counts` function sees. */
export interface CountsContext {
  stage: number;
  stages: number;
  /** Calls this stage may make (floor(B_s / callCost)). */
  stageCalls: number;
  domains: string[];
  /** n_d at the start of the run. */
  sizes: number[];
  /** |R_d| now. */
  remaining: number[];
}

export interface RunBalDistillOptions<I, R, A> {
  pool: Example<I, A>[];
  teacher: Teacher<I, R, A>;
  student: Student<I, R, A>;
  /** B: total teacher cost units (calls when callCost is 1). */
  budget: number;
  /** K (official default 5). One-stage policies (random, balance, duplicate, headOnly) ignore it. */
  stages?: number;
  policy?: Policy;
  /** How head inputs are chosen from stage 1 on. */
  selection?: Selection;
  /** Needed by selection 'kcenter' and by dedupeSynthetic. */
  embedder?: Embedder<I>;
  /** Cost of one teacher call (one annotation or one synthetic example). */
  callCost?: number;
  /** Charge a synthesis call for what was requested (default) or for what came back. */
  charge?: 'requested' | 'returned';
  /** Drop real examples whose teacher answer differs from gold (the call is still charged). */
  filterWrongAnswers?: boolean;
  /** Answer equality for the filter. Default: === or equal JSON. */
  answersEqual?: (a: A, b: A) => boolean;
  /** Call student.reset() before each stage's fit (official: a new LoRA per stage). */
  retrainFromScratch?: boolean;
  /** Adaptive proportional part: expected n_d B_s / N, or the official code's sampled counts. */
  adaptiveCounts?: 'expected' | 'sampled';
  /** Replace the policy's per-domain counts (calls per domain; must sum to at most the stage's calls). */
  counts?: (ctx: CountsContext) => Record<string, number> | number[];
  /** IFD above this ranks last (Cherry-LLM uses 1; the official code does not filter). */
  maxIFD?: number;
  /** Domain order (may name tail domains with no pool example: they are synthesised from nothing). */
  domains?: string[];
  /** headOnly: the head domains. Default: domains with n_d >= floor(B / l). */
  headDomains?: string[];
  /** Drop a synthetic example whose embedding has cosine >= this with a kept example of its domain. */
  dedupeSynthetic?: number;
  /** Teacher calls in flight at once. */
  concurrency?: number;
  /** A failing teacher call: rethrow (the state is saved; resume continues) or skip the item (still charged). */
  onTeacherError?: 'throw' | 'skip';
  /** Resumable state (memoryStateStore, or directoryStateStore from "@paperkit/baldistill/node"). */
  store?: StateStore<I, R, A>;
  seed?: number;
  signal?: AbortSignal;
  onStage?: (report: StageReport) => void | Promise<void>;
  log?: (line: string) => void;
}

const isObj = (v: unknown) => typeof v === 'object' && v !== null;

/** The options of runBalDistill with their defaults (spec section 6); `parse` rejects a bad one by name. */
export const RUN_BALDISTILL_OPTIONS = defineOptions('runBalDistill', {
  pool: opt.custom<unknown[]>('a non-empty array of examples {id, domain, input, gold?}', (v) => Array.isArray(v) && v.length > 0),
  teacher: opt.custom<unknown>('an object with annotate() and synthesize()', (v) => isObj(v) && typeof (v as Teacher<unknown, unknown, unknown>).annotate === 'function' && typeof (v as Teacher<unknown, unknown, unknown>).synthesize === 'function'),
  student: opt.custom<unknown>('an object with fit(), generate() and logLikelihood()', (v) => isObj(v) && ['fit', 'generate', 'logLikelihood'].every((k) => typeof (v as Record<string, unknown>)[k] === 'function')),
  budget: opt.number({ min: 1 }),
  stages: opt.integer({ min: 1, default: 5 }),
  policy: opt.oneOf(POLICIES, { default: 'adaptive' }),
  selection: opt.oneOf(SELECTIONS, { default: 'ifd' }),
  embedder: opt.optional(opt.custom<unknown>('an Embedder with embed()', (v) => isObj(v) && typeof (v as Embedder<unknown>).embed === 'function')),
  callCost: opt.number({ min: 0, exclusiveMin: true, default: 1 }),
  charge: opt.oneOf(['requested', 'returned'] as const, { default: 'requested' }),
  filterWrongAnswers: opt.boolean({ default: true }),
  answersEqual: opt.optional(opt.func()),
  retrainFromScratch: opt.boolean({ default: true }),
  adaptiveCounts: opt.oneOf(['expected', 'sampled'] as const, { default: 'expected' }),
  counts: opt.optional(opt.func()),
  maxIFD: opt.custom<number>('a positive number (Infinity: no limit)', (v) => typeof v === 'number' && v > 0, { default: Infinity }),
  domains: opt.optional(opt.array(opt.string(), { minLength: 1 })),
  headDomains: opt.optional(opt.array(opt.string())),
  dedupeSynthetic: opt.optional(opt.number({ min: -1, exclusiveMin: true, max: 1 })),
  concurrency: opt.integer({ min: 1, default: 4 }),
  onTeacherError: opt.oneOf(['throw', 'skip'] as const, { default: 'throw' }),
  store: opt.optional(opt.custom<unknown>('a StateStore with load() and save()', (v) => isObj(v) && typeof (v as StateStore<unknown, unknown, unknown>).load === 'function' && typeof (v as StateStore<unknown, unknown, unknown>).save === 'function')),
  seed: opt.number({ default: 0 }),
  signal: opt.optional(opt.custom<AbortSignal>('an AbortSignal', (v) => isObj(v) && 'aborted' in (v as object))),
  onStage: opt.optional(opt.func()),
  log: opt.optional(opt.func()),
});
export const RUN_BALDISTILL_DEFAULTS = RUN_BALDISTILL_OPTIONS.defaults;

type Parsed<I, R, A> = Omit<RunBalDistillOptions<I, R, A>, keyof typeof RUN_BALDISTILL_DEFAULTS> & { [K in keyof typeof RUN_BALDISTILL_DEFAULTS]-?: NonNullable<RunBalDistillOptions<I, R, A>[K & keyof RunBalDistillOptions<I, R, A>]> };

export interface BalDistillResult<I, R, A, S extends Student<I, R, A> = Student<I, R, A>> {
  /** The student trained on `data` (the last stage's fit). */
  student: S;
  ledger: BudgetLedger;
  stages: StageReport[];
  /** Every example the student was trained on. */
  data: Annotated<I, R, A>[];
  stoppedBecause: 'stages' | 'budget' | 'pool exhausted';
  /** True when this call resumed a saved state. */
  resumed: boolean;
}

const ONE_STAGE: readonly Policy[] = ['random', 'duplicate', 'balance', 'headOnly'];

function defaultEqual<A>(a: A, b: A): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Run BalDistill (or one of its baselines) under a teacher budget. */
export async function runBalDistill<I, R, A, S extends Student<I, R, A>>(
  options: RunBalDistillOptions<I, R, A> & { student: S },
): Promise<BalDistillResult<I, R, A, S>> {
  const o = RUN_BALDISTILL_OPTIONS.parse(stripUndefined(options) as never) as unknown as Parsed<I, R, A>;
  const { pool, teacher, student } = options;
  const { policy, selection } = o;
  if (!(o.stages <= o.budget || ONE_STAGE.includes(policy)))
    throw new OptionError('runBalDistill.stages', `an integer in [1, budget = ${o.budget}]`, o.stages);
  if (selection === 'kcenter' && !options.embedder) throw new OptionError('runBalDistill.embedder', "an Embedder when selection is 'kcenter'", undefined);
  if (o.dedupeSynthetic !== undefined && !options.embedder) throw new OptionError('runBalDistill.embedder', 'an Embedder when dedupeSynthetic is set', undefined);

  // Pool and domains.
  const byId = new Map<string, Example<I, A>>();
  const domainOrder: string[] = o.domains ? [...o.domains] : [];
  if (o.domains && new Set(o.domains).size !== o.domains.length)
    throw new OptionError('runBalDistill.domains', 'a non-empty list of distinct domain names', o.domains);
  pool.forEach((ex, k) => {
    if (!ex || typeof ex.id !== 'string' || ex.id === '') throw new OptionError(`runBalDistill.pool[${k}].id`, 'a non-empty string', ex?.id);
    if (typeof ex.domain !== 'string') throw new OptionError(`runBalDistill.pool[${k}].domain`, 'a string', ex.domain);
    if (byId.has(ex.id)) throw new OptionError(`runBalDistill.pool[${k}].id`, 'ids unique within the pool', ex.id);
    byId.set(ex.id, ex);
    if (!domainOrder.includes(ex.domain)) {
      if (o.domains) throw new OptionError(`runBalDistill.pool[${k}].domain`, `one of options.domains (${o.domains.join(', ')})`, ex.domain);
      domainOrder.push(ex.domain);
    }
  });
  const domains = domainOrder;
  const l = domains.length;
  const sizes = domains.map((d) => pool.filter((ex) => ex.domain === d).length);

  const K = ONE_STAGE.includes(policy) ? 1 : o.stages;
  const stageCap = Math.floor(o.budget / K);
  const stageCalls = Math.floor(stageCap / o.callCost + 1e-9);
  const equal = o.answersEqual ?? defaultEqual;
  const log = o.log ?? (() => undefined);

  const fingerprint: RunFingerprint = {
    policy,
    budget: o.budget,
    stages: K,
    selection,
    adaptiveCounts: o.adaptiveCounts,
    callCost: o.callCost,
    seed: o.seed,
    filterWrongAnswers: o.filterWrongAnswers,
    domains,
    pool: fnv1a(pool.map((ex) => `${ex.id}\u0000${ex.domain}`).join('\u0001')),
  };

  // State: fresh or resumed.
  const saved = o.store ? await o.store.load() : null;
  let state: RunState<I, R, A>;
  let ledger: BudgetLedger;
  if (saved) {
    if (saved.version !== 1 || JSON.stringify(saved.fingerprint) !== JSON.stringify(fingerprint)) {
      throw new FormatError('runBalDistill.store', `the saved state belongs to a different run (saved ${JSON.stringify(saved.fingerprint)}, now ${JSON.stringify(fingerprint)}); use a new state directory`);
    }
    state = saved;
    ledger = BudgetLedger.fromJSON(saved.ledger);
    log(`resuming at stage ${saved.stage + 1}/${K}: ${ledger.spent} of ${o.budget} cost units already charged`);
  } else {
    ledger = new BudgetLedger(o.budget);
    state = { version: 1, fingerprint, ledger: ledger.toJSON(), stage: 0, plan: null, results: {}, kept: [], used: [], reports: [], done: false };
  }

  // Saves are serialised (one at a time, each with the newest state).
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    if (!o.store) return Promise.resolve();
    const store = o.store;
    saving = saving.then(() => store.save({ ...state, ledger: ledger.toJSON() }));
    return saving;
  };

  let studentStage = -1; // the stage whose data the in-memory student was last trained on
  const seedOf = (stage: number) => o.seed * 1000 + stage;
  const train = async (stage: number) => {
    if (state.kept.length === 0) return;
    if (o.retrainFromScratch) student.reset?.();
    await student.fit(state.kept, { seed: seedOf(stage), stage });
    studentStage = stage;
  };

  const used = new Set(state.used);
  let stoppedBecause: BalDistillResult<I, R, A>['stoppedBecause'] = (state.stoppedBecause as BalDistillResult<I, R, A>['stoppedBecause']) ?? 'stages';
  const resumed = saved !== null;

  while (!state.done && state.stage < K) {
    options.signal?.throwIfAborted();
    const i = state.stage;
    const started = Date.now();
    ledger.beginStage(i, stageCap);
    if (!state.plan && !ledger.canAfford(o.callCost)) {
      stoppedBecause = 'budget';
      break;
    }
    if (!state.plan) {
      // A resumed run lost its in-memory student: refit it on the data of the finished stages (no teacher call).
      if (i > 0 && studentStage !== i - 1 && needsStudent(policy, selection)) await train(i - 1);
      const rng = createRng(`${o.seed}/stage${i}`);
      state.plan = await planStage({ stage: i, K, policy, selection, stageCalls, domains, sizes, pool, used, rng, o, student, embedder: options.embedder, kept: state.kept });
      state.results = {};
      if (Object.values(state.plan.select).every((ids) => ids.length === 0) && Object.values(state.plan.synthesize).every((n) => n === 0)) {
        state.plan = null;
        stoppedBecause = 'pool exhausted';
        break;
      }
      await save();
    }
    const plan = state.plan;
    const domainReports: Record<string, DomainStageReport> = {};
    for (const d of domains) {
      const before = plan.select[d] ?? [];
      domainReports[d] = {
        count: plan.counts[d] ?? 0,
        head: plan.heads[d] ?? true,
        poolBefore: sizes[domains.indexOf(d)] - countUsedBeforePlan(pool, used, plan, d),
        selected: [...before],
        by: byLabel(policy, selection, i, plan.heads[d] ?? true, before.length),
        kept: 0,
        filtered: 0,
        failed: 0,
        synthRequested: plan.synthesize[d] ?? 0,
        synthKept: 0,
        duplicated: 0,
      };
    }

    // One teacher call: reserve (persisted before the call), call, record the reply, settle.
    const call = async <T>(kind: CallKind, domain: string, ref: string, cost: number, fn: () => Promise<T>, charged: (v: T) => number): Promise<T | undefined> => {
      options.signal?.throwIfAborted();
      if (!ledger.canAfford(cost)) return undefined;
      const entry = ledger.reserve(kind, domain, ref, cost);
      await save();
      let value: T;
      try {
        value = await fn();
      } catch (err) {
        ledger.settle(entry, cost, 'failed');
        if (o.onTeacherError === 'throw') {
          await save();
          throw err;
        }
        state.results[ref] = { kind: 'failed', message: err instanceof Error ? err.message : String(err) };
        await save();
        return undefined;
      }
      ledger.settle(entry, charged(value));
      return value;
    };

    // 3. Annotate every selected real input.
    const toAnnotate = domains.flatMap((d) => (plan.select[d] ?? []).map((id) => byId.get(id)!));
    await mapLimit(toAnnotate, o.concurrency, async (ex) => {
      const ref = `a:${ex.id}`;
      if (state.results[ref]) return;
      const response = await call('annotate', ex.domain, ex.id, o.callCost, async () => checkResponse(await teacher.annotate(ex), ex.id), () => o.callCost);
      if (response === undefined) return;
      state.results[ref] = { kind: 'annotate', response };
      await save();
    });
    const stageKept: Annotated<I, R, A>[] = [];
    for (const ex of toAnnotate) {
      const res = state.results[`a:${ex.id}`];
      const rep = domainReports[ex.domain];
      if (!res || res.kind !== 'annotate') {
        rep.failed++;
        continue;
      }
      if (o.filterWrongAnswers && ex.gold !== undefined && !equal(res.response.answer, ex.gold)) {
        rep.filtered++;
        continue;
      }
      rep.kept++;
      stageKept.push({ id: ex.id, domain: ex.domain, input: ex.input, ...(ex.gold !== undefined ? { gold: ex.gold } : {}), rationale: res.response.rationale, answer: res.response.answer, synthetic: false });
    }

    // Tail synthesis (demos: the domain's kept real examples, this stage's included).
    const existingIds = new Set<string>([...byId.keys(), ...state.kept.map((e) => e.id)]);
    for (const d of domains) {
      const want = plan.synthesize[d] ?? 0;
      if (want === 0) continue;
      const ref = `${d}#synth${i}`;
      if (!state.results[ref]) {
        const n = Math.min(want, Math.floor(ledger.stageRemaining / o.callCost + 1e-9));
        domainReports[d].synthRequested = n;
        if (n === 0) continue;
        const demos = [...state.kept, ...stageKept].filter((e) => e.domain === d && !e.synthetic);
        const out = await call('synthesize', d, ref, n * o.callCost, async () => checkSynthesized<I, R, A>(await teacher.synthesize(d, demos, n), d, n, i), (v) =>
          o.charge === 'requested' ? n * o.callCost : v.length * o.callCost,
        );
        if (out === undefined) continue;
        const examples = out.map((ex, k) => ({ ...ex, id: uniqueId(ex.id, `${d}#synth${i}.${k}`, existingIds), domain: d, synthetic: true }));
        state.results[ref] = { kind: 'synthesize', examples };
        await save();
      }
      const res = state.results[ref];
      if (res.kind !== 'synthesize') {
        domainReports[d].failed += want;
        continue;
      }
      domainReports[d].synthRequested = Math.max(domainReports[d].synthRequested, res.examples.length);
      let examples = res.examples;
      if (o.dedupeSynthetic !== undefined && examples.length > 0) {
        examples = await dedupe(examples, [...state.kept, ...stageKept].filter((e) => e.domain === d), options.embedder!, o.dedupeSynthetic);
      }
      domainReports[d].synthKept = examples.length;
      stageKept.push(...examples);
    }

    // Duplicate baseline: repeat the domain's annotated examples to fill the shortfall (no teacher call).
    for (const d of domains) {
      const want = plan.duplicate[d] ?? 0;
      const source = stageKept.filter((e) => e.domain === d && !e.synthetic);
      for (let k = 0; k < want && source.length > 0; k++) {
        const ex = source[k % source.length];
        stageKept.push({ ...ex, id: `${ex.id}#dup${Math.floor(k / source.length) + 1}` });
        domainReports[d].duplicated++;
      }
    }

    // 4. Selected inputs leave the pool; 5. retrain on the union of every stage so far.
    for (const d of domains) for (const id of plan.select[d] ?? []) used.add(id);
    state.used = [...used];
    state.kept = [...state.kept, ...stageKept];
    await train(i);
    const stageEntries = ledger.list().filter((e) => e.stage === i);
    const report: StageReport = {
      stage: i,
      policy,
      cap: stageCap,
      counts: plan.counts,
      domains: domainReports,
      ifdScored: plan.ifdScored,
      calls: stageEntries.length,
      cost: ledger.stageSpent(i),
      totalCost: ledger.spent,
      trainingSize: state.kept.length,
      seconds: (Date.now() - started) / 1000 + plan.selectSeconds,
    };
    state.reports = [...state.reports, report];
    state.plan = null;
    state.results = {};
    state.stage = i + 1;
    await save();
    log(formatStageReport(report, K));
    await options.onStage?.(report);
  }
  if (!state.done) {
    state.done = true;
    state.stoppedBecause = stoppedBecause;
    await save();
  }
  // A resumed, finished run still hands back a trained student.
  if (studentStage < 0) await train(Math.max(state.stage - 1, 0));
  await saving;
  return { student, ledger, stages: state.reports, data: state.kept, stoppedBecause, resumed };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function needsStudent(policy: Policy, selection: Selection): boolean {
  return (policy === 'naive' || policy === 'adaptive' || policy === 'active') && selection === 'ifd';
}

function byLabel(policy: Policy, selection: Selection, stage: number, head: boolean, n: number): DomainStageReport['by'] {
  if (n === 0) return 'none';
  if (!head) return 'all';
  if (stage === 0 || !(policy === 'naive' || policy === 'adaptive' || policy === 'active')) return 'random';
  return selection;
}

function countUsedBeforePlan<I, A>(pool: Example<I, A>[], used: Set<string>, plan: StagePlan, d: string): number {
  // `used` may already contain this plan's ids when a finished stage is re-reported; exclude them.
  const planned = new Set(plan.select[d] ?? []);
  let n = 0;
  for (const ex of pool) if (ex.domain === d && used.has(ex.id) && !planned.has(ex.id)) n++;
  return n;
}

function checkResponse<R, A>(r: Response<R, A>, id: string): Response<R, A> {
  if (!r || typeof r !== 'object' || !('answer' in r))
    throw new FormatError('teacher.annotate', 'expected {rationale, answer}', `example "${id}"`);
  return { rationale: r.rationale, answer: r.answer };
}

function checkSynthesized<I, R, A>(out: unknown, domain: string, n: number, stage: number): Annotated<I, R, A>[] {
  if (!Array.isArray(out)) throw new FormatError('teacher.synthesize', `expected an array of examples for domain "${domain}"`, `stage ${stage}`);
  out.forEach((ex, k) => {
    if (!ex || typeof ex !== 'object' || !('input' in ex) || !('answer' in ex))
      throw new FormatError('teacher.synthesize', `item ${k} for domain "${domain}" is not {input, rationale, answer}`, `stage ${stage}`);
    if ((ex as Annotated<I, R, A>).domain !== undefined && (ex as Annotated<I, R, A>).domain !== domain)
      throw new FormatError('teacher.synthesize', `item ${k} has domain "${(ex as Annotated<I, R, A>).domain}", but domain "${domain}" was asked for`, `stage ${stage}`);
  });
  return (out as Annotated<I, R, A>[]).slice(0, n);
}

function uniqueId(proposed: string | undefined, fallback: string, taken: Set<string>): string {
  let id = typeof proposed === 'string' && proposed !== '' && !taken.has(proposed) ? proposed : fallback;
  for (let k = 2; taken.has(id); k++) id = `${fallback}~${k}`;
  taken.add(id);
  return id;
}

async function dedupe<I, R, A>(candidates: Annotated<I, R, A>[], existing: Annotated<I, R, A>[], embedder: Embedder<I>, threshold: number): Promise<Annotated<I, R, A>[]> {
  const vecs = await embedder.embed([...existing, ...candidates].map((e) => e.input));
  const keptVecs = vecs.slice(0, existing.length);
  const out: Annotated<I, R, A>[] = [];
  candidates.forEach((ex, k) => {
    const v = vecs[existing.length + k];
    if (keptVecs.some((u) => cosine(u, v) >= threshold)) return;
    keptVecs.push(v);
    out.push(ex);
  });
  return out;
}

interface PlanArgs<I, R, A> {
  stage: number;
  K: number;
  policy: Policy;
  selection: Selection;
  stageCalls: number;
  domains: string[];
  sizes: number[];
  pool: Example<I, A>[];
  used: Set<string>;
  rng: Rng;
  o: Parsed<I, R, A>;
  student: Student<I, R, A>;
  embedder?: Embedder<I>;
  kept: Annotated<I, R, A>[];
}

/** Steps 1-2: counts and selection of one stage. */
async function planStage<I, R, A>(a: PlanArgs<I, R, A>): Promise<StagePlan> {
  const t0 = Date.now();
  const { stage, K, policy, selection, stageCalls, domains, sizes, pool, used, rng, o } = a;
  const remaining = domains.map((d) => pool.filter((ex) => ex.domain === d && !used.has(ex.id)));
  const plan: StagePlan = { stage, counts: {}, heads: {}, select: {}, synthesize: {}, duplicate: {}, ifdScored: 0, selectSeconds: 0 };
  const l = domains.length;
  const scoreWith = async (candidates: Example<I, A>[]) => {
    plan.ifdScored += candidates.length;
    return ifdScores(a.student, candidates.map((c) => c.input), candidates.map((c) => c.id));
  };
  const smart = stage > 0 && (policy === 'naive' || policy === 'adaptive' || policy === 'active');

  // Global policies: random (one stage) and active (no balancing).
  if (policy === 'random' || policy === 'active') {
    const all = remaining.flat();
    const k = Math.min(stageCalls, all.length);
    let picked: number[];
    if (!smart || selection === 'random') picked = randomPick(all.length, k, rng);
    else if (selection === 'ifd') picked = topByScore(await scoreWith(all), k, o.maxIFD);
    else picked = await kcenterPick(all, a.kept, k, a.embedder!, rng);
    for (const d of domains) (plan.select[d] = []), (plan.heads[d] = true), (plan.counts[d] = 0);
    for (const j of picked) {
      plan.select[all[j].domain].push(all[j].id);
      plan.counts[all[j].domain]++;
    }
    plan.selectSeconds = (Date.now() - t0) / 1000;
    return plan;
  }

  // Per-domain counts.
  let counts: number[];
  let sampledPick: Map<string, Example<I, A>[]> | null = null;
  if (o.counts) {
    const raw = o.counts({ stage, stages: K, stageCalls, domains: [...domains], sizes: [...sizes], remaining: remaining.map((r) => r.length) });
    counts = Array.isArray(raw) ? [...raw] : domains.map((d) => (raw as Record<string, number>)[d] ?? 0);
    if (counts.length !== l || counts.some((c) => !(Number.isInteger(c) && c >= 0)))
      throw new OptionError('runBalDistill.counts', `${l} non-negative integer counts (one per domain: ${domains.join(', ')})`, raw);
    const sum = counts.reduce((s, c) => s + c, 0);
    if (sum > stageCalls) throw new OptionError('runBalDistill.counts', `counts summing to at most the stage's ${stageCalls} calls (B_s)`, `${JSON.stringify(raw)} (sum ${sum}) at stage ${stage}`);
  } else if (policy === 'adaptive' && o.adaptiveCounts === 'sampled') {
    const all = remaining.flat();
    const sample = randomPick(all.length, Math.min(stageCalls, all.length), rng).map((j) => all[j]);
    const m = domains.map((d) => sample.filter((ex) => ex.domain === d).length);
    counts = sampledAdaptiveCounts({ sampled: m, stageBudget: stageCalls, stages: K, stage });
    // Stage 0 is the official single global random sample itself.
    if (stage === 0) sampledPick = new Map(domains.map((d) => [d, sample.filter((ex) => ex.domain === d)]));
  } else if (policy === 'adaptive') {
    counts = adaptiveCounts({ sizes, stageBudget: stageCalls, stages: K, stage });
  } else if (policy === 'headOnly') {
    const heads = o.headDomains ?? domains.filter((_, d) => sizes[d] >= Math.floor(stageCalls / l));
    heads.forEach((h) => {
      if (!domains.includes(h)) throw new OptionError('runBalDistill.headDomains', `names among ${domains.join(', ')}`, h);
    });
    // Water-filling: a head with fewer inputs than its share takes them all; the rest is re-split.
    counts = domains.map(() => 0);
    let open = domains.map((_, d) => d).filter((d) => heads.includes(domains[d]));
    let left = stageCalls;
    while (open.length > 0) {
      const each = Math.floor(left / open.length);
      const small = open.filter((d) => remaining[d].length < each);
      if (small.length === 0) {
        for (const d of open) counts[d] = each;
        break;
      }
      for (const d of small) (counts[d] = remaining[d].length), (left -= remaining[d].length);
      open = open.filter((d) => !small.includes(d));
    }
  } else {
    counts = naiveCounts(l, stageCalls); // naive, balance, duplicate
  }

  // Selection per domain; the IFD of all head candidates is scored in one batch.
  const heads = domains.map((_, d) => remaining[d].length >= counts[d]);
  const needScores = smart && selection === 'ifd';
  const scoreIdx: number[] = [];
  const candidates: Example<I, A>[] = [];
  if (needScores) {
    domains.forEach((_, d) => {
      if (heads[d] && counts[d] > 0 && counts[d] < remaining[d].length) {
        scoreIdx.push(candidates.length);
        candidates.push(...remaining[d]);
      } else scoreIdx.push(-1);
    });
  }
  const scores = needScores && candidates.length ? await scoreWith(candidates) : [];
  for (let d = 0; d < l; d++) {
    const name = domains[d];
    const R = remaining[d];
    const c = counts[d];
    plan.counts[name] = c;
    plan.heads[name] = heads[d];
    plan.synthesize[name] = 0;
    plan.duplicate[name] = 0;
    if (sampledPick) {
      plan.select[name] = (sampledPick.get(name) ?? []).slice(0, c).map((ex) => ex.id);
      continue;
    }
    if (heads[d]) {
      let picked: number[];
      if (c === R.length) picked = R.map((_, j) => j);
      else if (!smart || selection === 'random') picked = randomPick(R.length, c, rng);
      else if (selection === 'ifd') picked = topByScore(scores.slice(scoreIdx[d], scoreIdx[d] + R.length), c, o.maxIFD);
      else picked = await kcenterPick(R, a.kept.filter((e) => e.domain === name), c, a.embedder!, rng);
      plan.select[name] = picked.map((j) => R[j].id);
    } else {
      plan.select[name] = R.map((ex) => ex.id);
      const short = c - R.length;
      if (policy === 'duplicate') plan.duplicate[name] = short;
      else if (policy !== 'headOnly') plan.synthesize[name] = short;
    }
  }
  plan.selectSeconds = (Date.now() - t0) / 1000;
  return plan;
}

async function kcenterPick<I, R, A>(candidates: Example<I, A>[], centers: Annotated<I, R, A>[], k: number, embedder: Embedder<I>, rng: Rng): Promise<number[]> {
  const vecs = await embedder.embed([...centers.map((c) => c.input), ...candidates.map((c) => c.input)]);
  return kCenterGreedy(vecs.slice(centers.length), vecs.slice(0, centers.length), k, rng.int(Math.max(candidates.length, 1)));
}
