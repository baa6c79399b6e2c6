/**
 * Reading and writing traces (issue 7, "Trace input"). JSONL rows are streamed: each line
 * is parsed, checked and copied straight into the columnar table, so a row's token array
 * exists once as a JS array (briefly) and once in the table. Problems are reported as
 * `file:line: reason` FormatErrors; the CLI maps them to exit code 2.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { FormatError, OptionError, parseJsonlLines } from '@paperkit/tensor-core';
import { readJsonl, writeFileAtomic } from '@paperkit/tensor-core/node';
import { STATUS_CODES, TraceTableBuilder, checkTrace, toTraceTable, toTraces, type Trace, type TraceInput, type TraceTable } from './trace.js';
import { parseVllmResult } from './vllm-result-file.js';

export type TimeUnit = 's' | 'ms';
export type TraceFormat = 'auto' | 'jsonl' | 'vllm';

export interface ReadTraceOptions {
  /** Unit of every time in the file (default `s`); vLLM result files are always seconds. */
  timeUnit?: TimeUnit;
  /** `auto` (default): `.json` files are vLLM `--save-result --save-detailed` output, anything else JSONL rows. */
  format?: TraceFormat;
}

function unitScale(timeUnit: TimeUnit | undefined): number {
  if (timeUnit === undefined || timeUnit === 's') return 1;
  if (timeUnit === 'ms') return 1e-3;
  throw new OptionError('timeUnit', "'s' or 'ms'", timeUnit);
}

function resolveFormat(path: string, format: TraceFormat | undefined): 'jsonl' | 'vllm' {
  const f = format ?? 'auto';
  if (f === 'jsonl' || f === 'vllm') return f;
  if (f !== 'auto') throw new OptionError('format', "'auto', 'jsonl' or 'vllm'", format);
  return extname(path).toLowerCase() === '.json' ? 'vllm' : 'jsonl';
}

/** Append one parsed JSONL value to the builder, or throw `source:line: reason`. */
function addRow(b: TraceTableBuilder, value: unknown, scale: number, source: string, line: number): void {
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

/** Stream a trace file into the columnar table every metric uses. */
export async function readTraceTable(path: string, options: ReadTraceOptions = {}): Promise<TraceTable> {
  const scale = unitScale(options.timeUnit);
  if (resolveFormat(path, options.format) === 'vllm') {
    const text = await readFile(path, 'utf8');
    return parseVllmResult(text, path);
  }
  const b = new TraceTableBuilder();
  for await (const { line, value } of readJsonl(path)) addRow(b, value, scale, path, line);
  if (b.size === 0) throw new FormatError(path, 'empty trace: no requests', 1);
  return b.build();
}

/** Same as `readTraceTable`, returned as rows (convenient for small traces). */
export async function readTraces(path: string, options: ReadTraceOptions = {}): Promise<Trace[]> {
  return toTraces(await readTraceTable(path, options));
}

/** Parse trace text already in memory (JSONL rows, or a vLLM result object when `format: 'vllm'`). */
export function parseTraceText(text: string, options: ReadTraceOptions & { source?: string } = {}): TraceTable {
  const source = options.source ?? '<text>';
  const scale = unitScale(options.timeUnit);
  if (resolveFormat(source, options.format) === 'vllm') return parseVllmResult(text, source);
  const b = new TraceTableBuilder();
  for (const { line, value } of parseJsonlLines(text, source)) addRow(b, value, scale, source, line);
  if (b.size === 0) throw new FormatError(source, 'empty trace: no requests', 1);
  return b.build();
}

/**
 * Write traces as JSONL (seconds), atomically: a temp file in the same directory is
 * renamed over `path`, so a crash never leaves half a trace.
 */
export async function writeTracesJsonl(path: string, traces: TraceInput): Promise<void> {
  const table = toTraceTable(traces);
  const chunks: Buffer[] = [];
  const rows = toTraces(table);
  const step = 4096;
  for (let i = 0; i < rows.length; i += step) {
    let s = '';
    for (let j = i; j < Math.min(rows.length, i + step); j++) s += JSON.stringify(rows[j]) + '\n';
    chunks.push(Buffer.from(s, 'utf8'));
  }
  await writeFileAtomic(path, Buffer.concat(chunks));
}
