/**
 * Discrete-event simulator of one serving replica (spec §5). Time advances one scheduler
 * iteration at a time; an iteration's cost comes from the cost model and every token it
 * produces is emitted at its end. KV cache is managed in blocks of 16 tokens: a request
 * holds ceil((prompt + generated + 1)/16) blocks while admitted; when decoding would
 * overflow the capacity the newest request (lowest priority first under `priority`) is
 * preempted and later recomputed (its prompt plus the tokens it already produced are
 * prefilled again, and that prefill emits its next token). Deterministic: the same
 * workload and options give the same trace.
 */
import { OptionError } from '@paperkit/tensor-core/base';
import type { Trace } from '../trace.js';
import { DISTSERVE_OPT13B_A100, iterationMs, type CostModel } from './cost-model.js';
import { planChunked, planPrefillFirst, queueKey, type IterationPlan, type Policy, type SchedulerName } from './schedulers.js';
import type { WorkloadRequest } from './workload.js';

export interface SimulateOptions {
  /** Default `prefill-first` (vLLM v0). */
  scheduler?: SchedulerName;
  /** Prefill tokens per iteration under `chunked` (default 512). */
  chunkSize?: number;
  /** Default 128. */
  maxNumSeqs?: number;
  /** Default 2048. */
  maxBatchedTokens?: number;
  /** KV capacity in tokens (default 40000). */
  kvCapacityTokens?: number;
  /** Tokens per KV block (default 16). */
  blockSize?: number;
  /** Default: DistServe OPT-13B A100 profile. */
  cost?: CostModel;
  /** Default fcfs. */
  policy?: Policy;
  /** Reject an arriving request (status `failed`) when this many are already waiting. */
  admission?: { maxWaiting?: number };
}

export interface SimulationStats {
  iterations: number;
  preemptions: number;
  dropped: number;
  rejected: number;
  /** Highest number of KV blocks in use at any time. */
  peakKvBlocks: number;
  kvCapacityBlocks: number;
  /** Seconds the replica spent running iterations. */
  busySeconds: number;
}

type Resolved = Required<Omit<SimulateOptions, 'admission'>> & { admission: { maxWaiting: number } };

const FUTURE = 0;
const WAITING = 1;
const PREFILLING = 2;
const RUNNING = 3;
const DONE = 4;
const DROPPED = 5;
const REJECTED = 6;

function resolve(o: SimulateOptions): Resolved {
  const r: Resolved = {
    scheduler: o.scheduler ?? 'prefill-first',
    chunkSize: o.chunkSize ?? 512,
    maxNumSeqs: o.maxNumSeqs ?? 128,
    maxBatchedTokens: o.maxBatchedTokens ?? 2048,
    kvCapacityTokens: o.kvCapacityTokens ?? 40000,
    blockSize: o.blockSize ?? 16,
    cost: o.cost ?? DISTSERVE_OPT13B_A100,
    policy: o.policy ?? { kind: 'fcfs' },
    admission: { maxWaiting: o.admission?.maxWaiting ?? Infinity },
  };
  if (r.scheduler !== 'prefill-first' && r.scheduler !== 'chunked')
    throw new OptionError('scheduler', "'prefill-first' or 'chunked'", r.scheduler);
  for (const k of ['chunkSize', 'maxNumSeqs', 'maxBatchedTokens', 'kvCapacityTokens', 'blockSize'] as const)
    if (!(Number.isInteger(r[k]) && r[k] > 0)) throw new OptionError(k, 'a positive integer', r[k]);
  const kind = r.policy?.kind;
  if (kind !== 'fcfs' && kind !== 'priority' && kind !== 'drop-on-miss')
    throw new OptionError('policy.kind', "'fcfs', 'priority' or 'drop-on-miss'", kind);
  if (kind === 'drop-on-miss') {
    const p = r.policy as { ttftMs?: number; tbtMs?: number };
    if (p.ttftMs === undefined && p.tbtMs === undefined) throw new OptionError('policy', 'drop-on-miss with ttftMs and/or tbtMs', r.policy);
    for (const k of ['ttftMs', 'tbtMs'] as const)
      if (p[k] !== undefined && !((p[k] as number) > 0)) throw new OptionError(`policy.${k}`, 'a positive number of milliseconds', p[k]);
  }
  return r;
}

/** Simulator state; the schedulers read and change it through these members. */
export class Replica {
  readonly n: number;
  readonly state: Uint8Array;
  readonly generated: Int32Array;
  readonly prefilled: Int32Array;
  readonly held: Int32Array;
  readonly lastTime: Float64Array;
  readonly droppedAt: Float64Array;
  readonly times: number[][];
  waiting: number[] = [];
  prefilling: number[] = [];
  running: number[] = [];
  freeBlocks: number;
  readonly capacityBlocks: number;
  stats: SimulationStats;

  constructor(
    readonly requests: readonly WorkloadRequest[],
    readonly options: Resolved,
  ) {
    const n = requests.length;
    this.n = n;
    this.state = new Uint8Array(n);
    this.generated = new Int32Array(n);
    this.prefilled = new Int32Array(n);
    this.held = new Int32Array(n);
    this.lastTime = new Float64Array(n);
    this.droppedAt = new Float64Array(n).fill(Number.NaN);
    this.times = requests.map(() => []);
    this.capacityBlocks = Math.floor(options.kvCapacityTokens / options.blockSize);
    this.freeBlocks = this.capacityBlocks;
    this.stats = { iterations: 0, preemptions: 0, dropped: 0, rejected: 0, peakKvBlocks: 0, kvCapacityBlocks: this.capacityBlocks, busySeconds: 0 };
  }

  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.options.blockSize);
  }

  /** Prompt tokens (plus recomputed output tokens after a preemption) still to prefill. */
  prefillRemaining(r: number): number {
    return this.requests[r].promptTokens + this.generated[r] - this.prefilled[r];
  }

  /** Blocks `r` needs to be admitted now. */
  blocksToAdmit(r: number): number {
    return this.blocksFor(this.requests[r].promptTokens + this.generated[r] + 1) - this.held[r];
  }

  admit(r: number): void {
    const i = this.waiting.indexOf(r);
    this.waiting.splice(i, 1);
    this.allocate(r, this.blocksToAdmit(r));
    this.state[r] = PREFILLING;
    this.prefilling.push(r);
  }

  private allocate(r: number, blocks: number): void {
    if (blocks <= 0) return;
    this.held[r] += blocks;
    this.freeBlocks -= blocks;
    const used = this.capacityBlocks - this.freeBlocks;
    if (used > this.stats.peakKvBlocks) this.stats.peakKvBlocks = used;
  }

  private release(r: number): void {
    this.freeBlocks += this.held[r];
    this.held[r] = 0;
  }

  /** Grow every running request for its next token, preempting (recompute) until it fits. */
  reserveDecodeBlocks(): void {
    for (;;) {
      let need = 0;
      for (const r of this.running) need += Math.max(0, this.blocksToAdmit(r));
      if (need <= this.freeBlocks) break;
      this.preempt(this.pickVictim());
    }
    for (const r of this.running) this.allocate(r, this.blocksToAdmit(r));
  }

  private pickVictim(): number {
    let best = -1;
    let bestKey: [number, number] = [-Infinity, -Infinity];
    for (const r of [...this.running, ...this.prefilling]) {
      const req = this.requests[r];
      const key = queueKey(this.options.policy, req.arrival, req.priority);
      if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
        best = r;
        bestKey = key;
      }
    }
    return best;
  }

  private preempt(r: number): void {
    this.removeActive(r);
    this.release(r);
    this.prefilled[r] = 0;
    this.stats.preemptions++;
    this.enqueue(r);
  }

  private removeActive(r: number): void {
    const list = this.state[r] === RUNNING ? this.running : this.state[r] === PREFILLING ? this.prefilling : this.waiting;
    const i = list.indexOf(r);
    if (i >= 0) list.splice(i, 1);
  }

  private enqueue(r: number): void {
    this.state[r] = WAITING;
    const req = this.requests[r];
    const key = queueKey(this.options.policy, req.arrival, req.priority);
    let lo = 0;
    let hi = this.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const o = this.requests[this.waiting[mid]];
      const k = queueKey(this.options.policy, o.arrival, o.priority);
      if (k[0] < key[0] || (k[0] === key[0] && k[1] <= key[1])) lo = mid + 1;
      else hi = mid;
    }
    this.waiting.splice(lo, 0, r);
  }

  arrive(r: number): void {
    const req = this.requests[r];
    this.lastTime[r] = req.arrival;
    const tooLarge = this.blocksFor(req.promptTokens + req.outputTokens + 1) > this.capacityBlocks;
    if (tooLarge || this.waiting.length >= this.options.admission.maxWaiting) {
      this.state[r] = REJECTED;
      this.droppedAt[r] = req.arrival;
      this.stats.rejected++;
      return;
    }
    this.enqueue(r);
  }

  /** Deadline by which `r` must emit its next token under drop-on-miss (Infinity if none). */
  private missDeadline(r: number): number {
    const p = this.options.policy;
    if (p.kind !== 'drop-on-miss') return Infinity;
    if (this.generated[r] === 0) return p.ttftMs === undefined ? Infinity : this.requests[r].arrival + p.ttftMs / 1000;
    return p.tbtMs === undefined ? Infinity : this.lastTime[r] + p.tbtMs / 1000;
  }

  private drop(r: number, at: number): void {
    this.removeActive(r);
    this.release(r);
    this.state[r] = DROPPED;
    this.droppedAt[r] = at;
    this.stats.dropped++;
  }

  /** Emit r's next token at `time`, unless it already missed its drop-on-miss deadline. */
  private emit(r: number, time: number): void {
    const deadline = this.missDeadline(r);
    if (time > deadline) {
      this.drop(r, deadline);
      return;
    }
    this.times[r].push(time);
    this.generated[r]++;
    this.lastTime[r] = time;
    if (this.generated[r] >= this.requests[r].outputTokens) {
      this.removeActive(r);
      this.release(r);
      this.state[r] = DONE;
    }
  }

  /** Run one iteration's plan ending at `end`. */
  execute(plan: IterationPlan, end: number): void {
    for (const r of plan.decode) this.emit(r, end);
    for (const { r, tokens } of plan.prefill) {
      if (this.state[r] !== PREFILLING) continue;
      this.prefilled[r] += tokens;
      if (this.prefillRemaining(r) <= 0) {
        const i = this.prefilling.indexOf(r);
        this.prefilling.splice(i, 1);
        this.state[r] = RUNNING;
        this.running.push(r);
        this.emit(r, end);
      }
    }
    if (this.options.policy.kind === 'drop-on-miss') {
      for (const list of [this.waiting, this.prefilling, this.running]) {
        for (const r of list.slice()) {
          const deadline = this.missDeadline(r);
          if (end > deadline) this.drop(r, deadline);
        }
      }
    }
  }

  toTraces(): Trace[] {
    return this.requests.map((req, r) => {
      const t: Trace = { id: req.id, arrival: req.arrival, promptTokens: req.promptTokens, tokenTimes: this.times[r] };
      if (this.state[r] === DROPPED) {
        t.status = 'dropped';
        t.droppedAt = this.droppedAt[r];
      } else if (this.state[r] === REJECTED) {
        t.status = 'failed';
        t.droppedAt = this.droppedAt[r];
      }
      if (req.priority !== 0) t.priority = req.priority;
      return t;
    });
  }
}

/** Simulate and also return counters (iterations, preemptions, drops, peak KV use). */
export function simulateDetailed(workload: readonly WorkloadRequest[], options: SimulateOptions = {}): { traces: Trace[]; stats: SimulationStats } {
  const o = resolve(options);
  const order = workload.map((_, i) => i).sort((a, b) => workload[a].arrival - workload[b].arrival || a - b);
  const requests = order.map((i) => workload[i]);
  for (const [i, q] of requests.entries()) {
    if (!(Number.isFinite(q.arrival) && q.arrival >= 0)) throw new OptionError(`workload[${order[i]}].arrival`, 'a non-negative number', q.arrival);
    if (!(Number.isInteger(q.promptTokens) && q.promptTokens > 0)) throw new OptionError(`workload[${order[i]}].promptTokens`, 'a positive integer', q.promptTokens);
    if (!(Number.isInteger(q.outputTokens) && q.outputTokens > 0)) throw new OptionError(`workload[${order[i]}].outputTokens`, 'a positive integer', q.outputTokens);
  }
  const s = new Replica(requests, o);
  const plan = o.scheduler === 'chunked' ? planChunked : planPrefillFirst;
  let now = 0;
  let next = 0;
  const n = requests.length;
  for (;;) {
    while (next < n && requests[next].arrival <= now) s.arrive(next++);
    const p = plan(s);
    if (p.prefill.length === 0 && p.decode.length === 0) {
      if (next < n) {
        now = Math.max(now, requests[next].arrival);
        continue;
      }
      if (s.waiting.length === 0 && s.prefilling.length === 0 && s.running.length === 0) break;
      throw new Error('simulator made no progress with requests still queued (a bug: please report)');
    }
    let prefillTokens = 0;
    let prefillSquares = 0;
    for (const { tokens } of p.prefill) {
      prefillTokens += tokens;
      prefillSquares += tokens * tokens;
    }
    let decodeContext = 0;
    for (const r of p.decode) decodeContext += requests[r].promptTokens + s.generated[r];
    const ms = iterationMs({ prefillTokens, prefillSquares, decodeSeqs: p.decode.length, decodeContext }, o.cost);
    const end = now + ms / 1000;
    s.execute(p, end);
    s.stats.iterations++;
    s.stats.busySeconds += ms / 1000;
    now = end;
  }
  const traces = s.toTraces();
  // back to the caller's order
  const out = new Array<Trace>(n);
  order.forEach((orig, i) => (out[orig] = traces[i]));
  return { traces: out, stats: s.stats };
}

/** Simulate one replica serving `workload` (spec §6): one trace row per request. */
export function simulate(workload: readonly WorkloadRequest[], options: SimulateOptions = {}): Trace[] {
  return simulateDetailed(workload, options).traces;
}
