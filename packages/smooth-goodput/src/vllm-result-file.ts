/**
 * vLLM `benchmark_serving.py --save-result --save-detailed` JSON (spec §4), read directly.
 *
 * The file keeps, per request, `ttfts` (s), `itls` (list of chunk gaps, s), `output_lens`,
 * `input_lens` and `errors`, plus the wall-clock `duration`. Send times are not saved, so
 * each request is placed at arrival 0 with its own relative times, and T = `duration`.
 * A chunk may carry several tokens: the first chunk gets one token and the remaining
 * `output_len - 1` are spread evenly over the later chunks (spec §8, multi-token events).
 */
import { FormatError } from '@paperkit/tensor-core/base';
import { TraceTableBuilder, show, type TraceTable } from './trace.js';

/** Largest `output_lens` entry accepted: token counts are kept as 32-bit integers. */
const MAX_OUTPUT_LEN = 2 ** 31 - 1;

export function parseVllmResult(text: string, source: string): TraceTable {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new FormatError(source, `not valid JSON (${(e as Error).message})`, 1);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new FormatError(source, 'expected a vLLM result object with "ttfts" and "itls" (saved with --save-detailed)', 1);
  const d = data as Record<string, unknown>;
  const ttfts = d.ttfts;
  const itls = d.itls;
  if (!Array.isArray(ttfts) || !Array.isArray(itls))
    throw new FormatError(source, 'missing "ttfts"/"itls" arrays: save the benchmark with --save-result --save-detailed', 1);
  const n = ttfts.length;
  if (n === 0) throw new FormatError(source, 'empty trace: no requests', 1);
  if (itls.length !== n) throw new FormatError(source, `"itls" has ${itls.length} entries, "ttfts" has ${n}`, 1);
  const outputLens = optionalArray(d.output_lens, 'output_lens', n, source);
  const inputLens = optionalArray(d.input_lens, 'input_lens', n, source);
  const errors = optionalArray(d.errors, 'errors', n, source);
  const duration = d.duration;
  if (duration !== undefined && !(typeof duration === 'number' && Number.isFinite(duration) && duration > 0))
    throw new FormatError(source, `"duration" must be a positive number, got ${show(duration)}`, 1);

  const b = new TraceTableBuilder();
  for (let i = 0; i < n; i++) {
    const ttft = ttfts[i];
    const gaps = itls[i];
    if (typeof ttft !== 'number' || !Number.isFinite(ttft) || ttft < 0)
      throw new FormatError(source, `ttfts[${i}] must be a non-negative number, got ${show(ttft)}`, 1);
    if (!Array.isArray(gaps)) throw new FormatError(source, `itls[${i}] must be an array`, 1);
    const err = errors ? errors[i] : '';
    const outLen = outputLens ? outputLens[i] : undefined;
    const failed = (typeof err === 'string' && err.length > 0) || (outLen === 0 && gaps.length === 0 && ttft === 0);
    if (failed) {
      b.add({ id: String(i), arrival: 0, times: [], status: 2, promptTokens: intOr(inputLens?.[i]) });
      continue;
    }
    const events = gaps.length + 1;
    const times = new Float64Array(events);
    times[0] = ttft;
    for (let k = 0; k < gaps.length; k++) {
      const g = gaps[k];
      if (typeof g !== 'number' || !Number.isFinite(g) || g < 0)
        throw new FormatError(source, `itls[${i}][${k}] must be a non-negative number, got ${show(g)}`, 1);
      times[k + 1] = times[k] + g;
    }
    let tokens: Int32Array | null = null;
    if (outLen !== undefined) {
      if (!Number.isInteger(outLen) || (outLen as number) < 0 || (outLen as number) > MAX_OUTPUT_LEN)
        throw new FormatError(source, `output_lens[${i}] must be an integer in [0, ${MAX_OUTPUT_LEN}], got ${show(outLen)}`, 1);
      const total = outLen as number;
      if (total > events) {
        tokens = new Int32Array(events);
        tokens[0] = 1;
        const rest = total - 1;
        const later = events - 1;
        if (later === 0) tokens[0] = total;
        else {
          const base = Math.floor(rest / later);
          const extra = rest - base * later;
          for (let k = 1; k < events; k++) tokens[k] = base + (k - 1 < extra ? 1 : 0);
        }
      }
    }
    b.add({ id: String(i), arrival: 0, times, tokens, status: 0, promptTokens: intOr(inputLens?.[i]) });
  }
  return b.build(typeof duration === 'number' ? duration : undefined);
}

function optionalArray(v: unknown, name: string, n: number, source: string): unknown[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== n) throw new FormatError(source, `"${name}" must be an array of ${n} entries`, 1);
  return v;
}

function intOr(v: unknown): number | undefined {
  return Number.isInteger(v) && (v as number) >= 0 ? (v as number) : undefined;
}
