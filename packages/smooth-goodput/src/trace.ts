/**
 * The trace: what a serving benchmark observed per request (spec §2, §6).
 *
 * Users hand us `Trace` rows (one object per request, times in seconds). Every metric
 * works on the columnar `TraceTable` instead: one Float64Array of event times for the
 * whole trace plus offsets, so a 1M-request trace is a handful of typed arrays rather
 * than a million small JS arrays, and each metric is one tight loop over them.
 */
import { OptionError } from '@paperkit/tensor-core/base';

export type TraceStatus = 'completed' | 'dropped' | 'failed';

/** One request as a JSONL row (spec §6). Times are seconds on any common clock. */
export interface Trace {
  id: string;
  /** Commit (send) time a_r. */
  arrival: number;
  /** Delivery time of each streamed event (chunk); non-decreasing, none before `arrival`. */
  tokenTimes: number[];
  /** Tokens carried by each event (default 1 each): multi-token chunks from MTP/EAGLE or bundling. */
  tokensPerEvent?: number[];
  promptTokens?: number;
  /** Default `completed`. Dropped/failed requests keep the tokens they delivered. */
  status?: TraceStatus;
  /** When the user learned the request was dropped or failed (spec §2, dropped rule). */
  droppedAt?: number;
  /** Scheduling class: lower runs first under the priority policy. */
  priority?: number;
}

export const STATUS_CODES: Record<TraceStatus, number> = { completed: 0, dropped: 1, failed: 2 };
export const STATUS_NAMES: TraceStatus[] = ['completed', 'dropped', 'failed'];

/**
 * Columnar trace. Request r owns events `offsets[r] .. offsets[r+1]-1`; event k carries
 * `eventTokens ? eventTokens[k] : 1` tokens delivered at absolute time `eventTimes[k]`.
 */
export interface TraceTable {
  n: number;
  ids: string[];
  arrival: Float64Array;
  offsets: Int32Array;
  eventTimes: Float64Array;
  /** Tokens per event; null when every event is a single token. */
  eventTokens: Int32Array | null;
  /** Tokens delivered per request (sum of its events' tokens). */
  tokenCount: Int32Array;
  /** 0 completed, 1 dropped, 2 failed (`STATUS_CODES`). */
  status: Uint8Array;
  /** Drop/failure notice time, NaN when absent. */
  droppedAt: Float64Array;
  /** Prompt length, -1 when unknown. */
  promptTokens: Int32Array;
  priority: Float64Array;
  /** Wall-clock benchmark duration when the source recorded it (vLLM result files). */
  duration?: number;
}

/** Grows typed arrays while a reader streams rows in, so rows are copied once and then dropped. */
export class TraceTableBuilder {
  private n = 0;
  private events = 0;
  private ids: string[] = [];
  private arrival = new Float64Array(1024);
  private offsets = new Int32Array(1025);
  private eventTimes = new Float64Array(8192);
  private eventTokens: Int32Array | null = null;
  private tokenCount = new Int32Array(1024);
  private status = new Uint8Array(1024);
  private droppedAt = new Float64Array(1024);
  private promptTokens = new Int32Array(1024);
  private priority = new Float64Array(1024);

  get size(): number {
    return this.n;
  }

  /**
   * Append one request. `times` are absolute seconds already validated by the caller;
   * `tokens` (optional) are per-event token counts.
   */
  add(row: {
    id: string;
    arrival: number;
    times: ArrayLike<number>;
    tokens?: ArrayLike<number> | null;
    status?: number;
    droppedAt?: number;
    promptTokens?: number;
    priority?: number;
  }): void {
    const r = this.n;
    if (r + 1 >= this.arrival.length) this.growRequests();
    const m = row.times.length;
    while (this.events + m > this.eventTimes.length) this.growEvents();
    const base = this.events;
    const et = this.eventTimes;
    for (let k = 0; k < m; k++) et[base + k] = row.times[k];
    let count = m;
    if (row.tokens) {
      if (!this.eventTokens) {
        this.eventTokens = new Int32Array(this.eventTimes.length);
        this.eventTokens.fill(1, 0, base);
      }
      count = 0;
      for (let k = 0; k < m; k++) {
        this.eventTokens[base + k] = row.tokens[k];
        count += row.tokens[k];
      }
    } else if (this.eventTokens) {
      this.eventTokens.fill(1, base, base + m);
    }
    this.events += m;
    this.ids.push(row.id);
    this.arrival[r] = row.arrival;
    this.tokenCount[r] = count;
    this.status[r] = row.status ?? 0;
    this.droppedAt[r] = row.droppedAt ?? Number.NaN;
    this.promptTokens[r] = row.promptTokens ?? -1;
    this.priority[r] = row.priority ?? 0;
    this.n = r + 1;
    this.offsets[r + 1] = this.events;
  }

  build(duration?: number): TraceTable {
    const n = this.n;
    const e = this.events;
    return {
      n,
      ids: this.ids,
      arrival: this.arrival.slice(0, n),
      offsets: this.offsets.slice(0, n + 1),
      eventTimes: this.eventTimes.slice(0, e),
      eventTokens: this.eventTokens ? this.eventTokens.slice(0, e) : null,
      tokenCount: this.tokenCount.slice(0, n),
      status: this.status.slice(0, n),
      droppedAt: this.droppedAt.slice(0, n),
      promptTokens: this.promptTokens.slice(0, n),
      priority: this.priority.slice(0, n),
      ...(duration === undefined ? {} : { duration }),
    };
  }

  private growRequests(): void {
    const cap = this.arrival.length * 2;
    this.arrival = grow(this.arrival, cap);
    this.offsets = grow(this.offsets, cap + 1);
    this.tokenCount = grow(this.tokenCount, cap);
    this.status = grow(this.status, cap);
    this.droppedAt = grow(this.droppedAt, cap);
    this.promptTokens = grow(this.promptTokens, cap);
    this.priority = grow(this.priority, cap);
  }

  private growEvents(): void {
    const cap = this.eventTimes.length * 2;
    this.eventTimes = grow(this.eventTimes, cap);
    if (this.eventTokens) this.eventTokens = grow(this.eventTokens, cap);
  }
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a);
  return b;
}

/** Either input form every metric accepts. */
export type TraceInput = readonly Trace[] | TraceTable;

export function isTraceTable(t: TraceInput): t is TraceTable {
  return !Array.isArray(t) && (t as TraceTable).eventTimes instanceof Float64Array;
}

/**
 * Columnar view of in-memory traces (validated: the same checks the file readers apply,
 * reported as OptionError naming the request index).
 */
export function toTraceTable(traces: TraceInput): TraceTable {
  if (isTraceTable(traces)) return traces;
  const b = new TraceTableBuilder();
  traces.forEach((t, i) => {
    const problem = checkTrace(t);
    if (problem) throw new OptionError(`traces[${i}]`, 'a valid trace row', problem);
    b.add({
      id: String(t.id),
      arrival: t.arrival,
      times: t.tokenTimes,
      tokens: t.tokensPerEvent ?? null,
      status: STATUS_CODES[t.status ?? 'completed'],
      droppedAt: t.droppedAt,
      promptTokens: t.promptTokens,
      priority: t.priority,
    });
  });
  return b.build();
}

/** Row form of a table (for writing JSONL and for small user-facing results). */
export function toTraces(table: TraceTable): Trace[] {
  const out: Trace[] = [];
  for (let r = 0; r < table.n; r++) {
    const lo = table.offsets[r];
    const hi = table.offsets[r + 1];
    const t: Trace = { id: table.ids[r], arrival: table.arrival[r], tokenTimes: Array.from(table.eventTimes.subarray(lo, hi)) };
    if (table.eventTokens) t.tokensPerEvent = Array.from(table.eventTokens.subarray(lo, hi));
    if (table.promptTokens[r] >= 0) t.promptTokens = table.promptTokens[r];
    if (table.status[r] !== 0) t.status = STATUS_NAMES[table.status[r]];
    if (!Number.isNaN(table.droppedAt[r])) t.droppedAt = table.droppedAt[r];
    if (table.priority[r] !== 0) t.priority = table.priority[r];
    out.push(t);
  }
  return out;
}

/**
 * The reason a row is invalid, or null. Shared by the JSONL reader (which turns it into
 * `file:line: reason`) and `toTraceTable`.
 */
export function checkTrace(t: unknown): string | null {
  if (t === null || typeof t !== 'object' || Array.isArray(t)) return 'expected a JSON object per request';
  const row = t as Record<string, unknown>;
  if (row.id === undefined || row.id === null) return 'missing field "id"';
  if (typeof row.id !== 'string' && typeof row.id !== 'number') return '"id" must be a string or number';
  if (row.arrival === undefined) return 'missing field "arrival"';
  if (!isFiniteNumber(row.arrival)) return `"arrival" must be a finite number, got ${show(row.arrival)}`;
  if (row.arrival < 0) return `"arrival" must be >= 0, got ${row.arrival}`;
  if (row.tokenTimes === undefined) return 'missing field "tokenTimes"';
  if (!Array.isArray(row.tokenTimes)) return '"tokenTimes" must be an array of numbers';
  const times = row.tokenTimes as unknown[];
  let prev = row.arrival;
  for (let k = 0; k < times.length; k++) {
    const v = times[k];
    if (!isFiniteNumber(v)) return `tokenTimes[${k}] must be a finite number, got ${show(v)}`;
    if (v < row.arrival) return `tokenTimes[${k}] = ${v} is before arrival ${row.arrival} (token before arrival)`;
    if (v < prev) return `tokenTimes[${k}] = ${v} < tokenTimes[${k - 1}] = ${prev} (times must be non-decreasing)`;
    prev = v;
  }
  if (row.tokensPerEvent !== undefined) {
    if (!Array.isArray(row.tokensPerEvent) || row.tokensPerEvent.length !== times.length)
      return '"tokensPerEvent" must be an array as long as "tokenTimes"';
    for (let k = 0; k < times.length; k++) {
      const c = row.tokensPerEvent[k];
      if (!Number.isInteger(c) || (c as number) < 1) return `tokensPerEvent[${k}] must be a positive integer, got ${show(c)}`;
    }
  }
  const status = row.status ?? 'completed';
  if (typeof status !== 'string' || !(status in STATUS_CODES))
    return `unknown status ${show(row.status)} (expected completed, dropped or failed)`;
  if (status === 'completed' && times.length === 0) return 'a completed request must have at least one token time';
  if (row.droppedAt !== undefined) {
    if (!isFiniteNumber(row.droppedAt)) return `"droppedAt" must be a finite number, got ${show(row.droppedAt)}`;
    if (row.droppedAt < prev) return `"droppedAt" = ${row.droppedAt} is before the last token or the arrival (${prev})`;
  }
  if (row.promptTokens !== undefined && (!Number.isInteger(row.promptTokens) || (row.promptTokens as number) < 0))
    return `"promptTokens" must be a non-negative integer, got ${show(row.promptTokens)}`;
  if (row.priority !== undefined && !isFiniteNumber(row.priority)) return `"priority" must be a finite number, got ${show(row.priority)}`;
  return null;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * A short description of any parsed JSON value for an error message: never the whole value (a hostile
 * file's 100 MB array or 100,000-deep nesting would make JSON.stringify slow or overflow the stack).
 */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length} entries`;
  if (v !== null && typeof v === 'object') return 'an object';
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v);
}

/** Time of a request's last observable event: last token or drop notice. */
export function lastEventTime(table: TraceTable, r: number): number {
  const hi = table.offsets[r + 1];
  const last = hi > table.offsets[r] ? table.eventTimes[hi - 1] : table.arrival[r];
  const d = table.droppedAt[r];
  return Number.isNaN(d) ? last : Math.max(last, d);
}

/**
 * The measurement window and its length T (spec §2): by default first arrival to last
 * event (or the recorded benchmark duration for vLLM result files); with `window`, the
 * requests that arrive inside it, and T = its length.
 */
export interface TraceWindow {
  start: number;
  end: number;
  seconds: number;
  /** 1 for requests counted in the window. */
  include: Uint8Array;
  count: number;
}

export function traceWindow(table: TraceTable, window?: readonly [number, number]): TraceWindow {
  const include = new Uint8Array(table.n);
  if (window) {
    const [start, end] = window;
    if (!(Number.isFinite(start) && Number.isFinite(end) && end > start))
      throw new OptionError('window', '[start, end] with end > start (seconds)', window);
    let count = 0;
    for (let r = 0; r < table.n; r++) {
      const a = table.arrival[r];
      if (a >= start && a <= end) {
        include[r] = 1;
        count++;
      }
    }
    return { start, end, seconds: end - start, include, count };
  }
  include.fill(1);
  let start = Infinity;
  let end = -Infinity;
  for (let r = 0; r < table.n; r++) {
    if (table.arrival[r] < start) start = table.arrival[r];
    const last = lastEventTime(table, r);
    if (last > end) end = last;
  }
  if (table.n === 0) return { start: 0, end: 0, seconds: 0, include, count: 0 };
  const seconds = table.duration ?? end - start;
  return { start, end: start + seconds, seconds, include, count: table.n };
}
