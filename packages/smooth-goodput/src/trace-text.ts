/**
 * Reading traces from text (issue 7, "Trace input"; browser-safe: files by path are in
 * ./trace-file.ts). Each JSONL row is parsed, checked and copied straight into the columnar
 * table, so a row's token array exists once as a JS array (briefly) and once in the table.
 * Problems are reported as `file:line: reason` FormatErrors; the CLI maps them to exit code 2.
 *
 * Times enter in the unit the caller names, and the table is checked for a unit mix-up (a
 * millisecond trace read as seconds gives a smooth goodput hundreds of times too large, with
 * no other sign): see `checkTimeUnit`.
 */
import { FormatError, OptionError, parseJsonlLines } from '@paperkit/tensor-core/base';
import { STATUS_CODES, TraceTableBuilder, checkTrace, type Trace, type TraceTable } from './trace.js';
import { parseVllmResult } from './vllm-result-file.js';

export type TimeUnit = 's' | 'ms';
export type TraceFormat = 'auto' | 'jsonl' | 'vllm';

export interface ReadTraceOptions {
  /** Unit of every time in the file (default `s`); vLLM result files are always seconds. */
  timeUnit?: TimeUnit;
  /**
   * Reject a trace whose times are implausible in the assumed unit (default true): a median
   * gap between a request's events above 10 s, or below 0.1 ms, or a median time to first
   * event above an hour. The error says which unit was assumed and which one fits.
   */
  checkUnits?: boolean;
  /** `auto` (default): `.json` files are vLLM `--save-result --save-detailed` output, anything else JSONL rows. */
  format?: TraceFormat;
  /**
   * Largest vLLM result file read from a path (default 512 MiB, about the longest string V8 holds); it is
   * parsed whole, so a bigger file is refused before any of it is read. JSONL streams line by line.
   */
  maxFileBytes?: number;
}

/** Default `ReadTraceOptions.maxFileBytes`. */
export const MAX_VLLM_FILE_BYTES = 512 * 2 ** 20;

/** Limits of plausible serving times, in seconds: see `ReadTraceOptions.checkUnits`. */
export const PLAUSIBLE_TIMES = { maxMedianGap: 10, minMedianGap: 1e-4, maxMedianFirstEvent: 3600 } as const;

/**
 * Throw a FormatError when the table's times do not look like the assumed unit (seconds after
 * scaling). Medians over requests, so a few stalled requests do not trip it.
 */
export function checkTimeUnit(table: TraceTable, assumed: TimeUnit, source: string): void {
  const gaps: number[] = [];
  const firsts: number[] = [];
  for (let r = 0; r < table.n; r++) {
    const a = table.offsets[r];
    const b = table.offsets[r + 1];
    if (b > a) firsts.push(table.eventTimes[a] - table.arrival[r]);
    if (b - a >= 2) gaps.push((table.eventTimes[b - 1] - table.eventTimes[a]) / (b - a - 1));
  }
  const median = (v: number[]) => (v.length === 0 ? Number.NaN : v.sort((x, y) => x - y)[v.length >> 1]);
  const gap = median(gaps);
  const first = median(firsts);
  const other = assumed === 's' ? 'ms' : 's';
  const says = (what: string) =>
    new FormatError(source, `${what} with times read as ${assumed === 's' ? 'seconds' : 'milliseconds'}; the trace looks like it is in ${other === 's' ? 'seconds' : 'milliseconds'}: pass timeUnit '${other}' (CLI --time-unit ${other}), or checkUnits: false if these times are real`);
  if (gap > PLAUSIBLE_TIMES.maxMedianGap) throw says(`the median gap between a request's events is ${gap.toPrecision(3)} s`);
  if (gap > 0 && gap < PLAUSIBLE_TIMES.minMedianGap) throw says(`the median gap between a request's events is ${(gap * 1e6).toPrecision(3)} µs`);
  if (first > PLAUSIBLE_TIMES.maxMedianFirstEvent) throw says(`the median time to first event is ${first.toPrecision(3)} s`);
}

export function unitScale(timeUnit: TimeUnit | undefined): number {
  if (timeUnit === undefined || timeUnit === 's') return 1;
  if (timeUnit === 'ms') return 1e-3;
  throw new OptionError('timeUnit', "'s' or 'ms'", timeUnit);
}

/** `auto`: `.json` is a vLLM result file, anything else JSONL rows. */
export function resolveFormat(path: string, format: TraceFormat | undefined): 'jsonl' | 'vllm' {
  const f = format ?? 'auto';
  if (f === 'jsonl' || f === 'vllm') return f;
  if (f !== 'auto') throw new OptionError('format', "'auto', 'jsonl' or 'vllm'", format);
  return /\.json$/i.test(path) ? 'vllm' : 'jsonl';
}

/** Append one parsed JSONL value to the builder, or throw `source:line: reason`. */
export function addRow(b: TraceTableBuilder, value: unknown, scale: number, source: string, line: number): void {
  const problem = checkTrace(value);
  if (problem) throw new FormatError(source, problem, line);
  const row = value as Trace;
  let times: ArrayLike<number> = row.tokenTimes;
  if (scale !== 1) {
    const scaled = new Float64Array(row.tokenTimes.length);
    for (let k = 0; k < scaled.length; k++) scaled[k] = row.tokenTimes[k] * scale;
    times = scaled;
  }
  b.add({
    id: String(row.id),
    arrival: row.arrival * scale,
    times,
    tokens: row.tokensPerEvent ?? null,
    status: STATUS_CODES[row.status ?? 'completed'],
    droppedAt: row.droppedAt === undefined ? undefined : row.droppedAt * scale,
    promptTokens: row.promptTokens,
    priority: row.priority,
  });
}

/** Parse trace text already in memory (JSONL rows, or a vLLM result object when `format: 'vllm'`). */
export function parseTraceText(text: string, options: ReadTraceOptions & { source?: string } = {}): TraceTable {
  const source = options.source ?? '<text>';
  const scale = unitScale(options.timeUnit);
  if (resolveFormat(source, options.format) === 'vllm') return parseVllmResult(text, source);
  const b = new TraceTableBuilder();
  for (const { line, value } of parseJsonlLines(text, source)) addRow(b, value, scale, source, line);
  if (b.size === 0) throw new FormatError(source, 'empty trace: no requests', 1);
  const table = b.build();
  if (options.checkUnits !== false) checkTimeUnit(table, options.timeUnit ?? 's', source);
  return table;
}

