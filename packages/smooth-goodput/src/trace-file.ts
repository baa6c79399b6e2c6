/** Trace files by path (Node only): streaming JSONL in, atomic JSONL out. */
import { readFile, stat } from 'node:fs/promises';
import { FormatError, OptionError } from '@paperkit/tensor-core/base';
import { readJsonl, writeFileAtomic } from '@paperkit/tensor-core/node';
import { TraceTableBuilder, toTraceTable, toTraces, type Trace, type TraceInput, type TraceTable } from './trace.js';
import { MAX_VLLM_FILE_BYTES, addRow, checkTimeUnit, resolveFormat, unitScale, type ReadTraceOptions } from './trace-text.js';
import { parseVllmResult } from './vllm-result-file.js';

/** Stream a trace file into the columnar table every metric uses. */
export async function readTraceTable(path: string, options: ReadTraceOptions = {}): Promise<TraceTable> {
  const scale = unitScale(options.timeUnit);
  if (resolveFormat(path, options.format) === 'vllm') {
    const max = options.maxFileBytes ?? MAX_VLLM_FILE_BYTES;
    if (!(Number.isInteger(max) && max > 0)) throw new OptionError('maxFileBytes', 'a positive integer', max);
    const { size } = await stat(path);
    if (size > max) throw new FormatError(path, `a vLLM result file of ${size} bytes is over the ${max}-byte limit (option maxFileBytes)`, 1);
    const text = await readFile(path, 'utf8');
    return parseVllmResult(text, path);
  }
  const b = new TraceTableBuilder();
  for await (const { line, value } of readJsonl(path)) addRow(b, value, scale, path, line);
  if (b.size === 0) throw new FormatError(path, 'empty trace: no requests', 1);
  const table = b.build();
  if (options.checkUnits !== false) checkTimeUnit(table, options.timeUnit ?? 's', path);
  return table;
}

/** Same as `readTraceTable`, returned as rows (convenient for small traces). */
export async function readTraces(path: string, options: ReadTraceOptions = {}): Promise<Trace[]> {
  return toTraces(await readTraceTable(path, options));
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
