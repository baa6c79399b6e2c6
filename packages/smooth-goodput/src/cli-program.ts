/**
 * The `smooth-goodput` command line on tensor-core's CLI runner (bin entry: cli.ts): argument parsing and
 * printing only; the work is in the public API and reproduce/run.ts. Bad input (FormatError, OptionError,
 * bad flags) exits 2.
 */
import { OptionError, formatTable, lineChartSvg } from '@paperkit/tensor-core/base';
import { defineCli, writeFileAtomic, type CliFlag } from '@paperkit/tensor-core/node';
import { allMetrics, type AllMetrics, type AllMetricsOptions } from './all-metrics.js';
import { sloAttainment, type Slo } from './slo.js';
import { searchCapacityDetailed } from './simulator/capacity.js';
import { readTraceTable, writeTracesJsonl } from './trace-file.js';
import type { TimeUnit, TraceFormat } from './trace-text.js';
import { pace } from './simulator/pace.js';
import { simulateDetailed, type SimulateOptions } from './simulator/simulator.js';
import type { Policy, SchedulerName } from './simulator/schedulers.js';
import { generateWorkload } from './simulator/workload.js';
import { reproduction } from './reproduce/run.js';

/** `ttft:500,tpot:50` or `ttft:500 tpot:50` (vLLM's form) -> {ttft: 500, tpot: 50}; values in ms. */
export function parseSloList(text: string, allowed: string[], option: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(/[,\s]+/).filter(Boolean)) {
    const [key, value] = part.split(':');
    const v = Number(value);
    if (!allowed.includes(key)) throw new OptionError(option, `keys ${allowed.join(', ')} as key:milliseconds`, part);
    if (!(Number.isFinite(v) && v > 0)) throw new OptionError(option, 'a positive number of milliseconds after the colon', part);
    out[key] = v;
  }
  return out;
}

/** `1:8:0.5` -> [1, 1.5, ..., 8]. */
export function parseRates(text: string): number[] {
  const parts = text.split(':').map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x)) || parts[0] <= 0 || parts[2] <= 0 || parts[1] < parts[0])
    throw new OptionError('--rates', 'start:stop:step with 0 < start <= stop and step > 0 (requests/s)', text);
  const [a, b, step] = parts;
  const out: number[] = [];
  for (let i = 0; a + i * step <= b + 1e-9; i++) out.push(Number((a + i * step).toFixed(10)));
  return out;
}

function parseWindow(text: string): [number, number] {
  const parts = text.split(':').map(Number);
  if (parts.length !== 2 || !(parts[1] > parts[0])) throw new OptionError('--window', 'start:end in seconds with end > start', text);
  return [parts[0], parts[1]];
}

/** `--slo` of the capacity command: `reading:5` or ms bounds `ttft:..,tbt:..|tpot:..|e2e:..`. */
export function parseCapacitySlo(text: string): Slo {
  if (text.startsWith('reading:')) {
    const speed = Number(text.slice('reading:'.length));
    if (!(speed > 0)) throw new OptionError('--slo', 'reading:<tokens per second>', text);
    return { kind: 'reading', speed };
  }
  const s = parseSloList(text, ['ttft', 'tbt', 'tpot', 'e2e'], '--slo');
  const ttft = (s.ttft ?? Infinity) / 1000;
  if (s.tbt !== undefined) return { kind: 'ttft-tbt', ttft, tbt: s.tbt / 1000 };
  if (s.tpot !== undefined) return { kind: 'ttft-tpot', ttft, tpot: s.tpot / 1000 };
  if (s.e2e !== undefined) return { kind: 'e2e', e2e: s.e2e / 1000 };
  if (s.ttft !== undefined) return { kind: 'ttft-tbt', ttft, tbt: Infinity };
  throw new OptionError('--slo', 'at least one bound', text);
}

interface MetricFlags {
  timeUnit: string;
  format: string;
  readingSpeed: number;
  alpha: number;
  penalty: string;
  maxIdle: number;
  clampBenefit?: boolean;
  goodput?: string;
  slo?: string;
  percentiles: string;
  window?: string;
  json?: boolean;
}

function metricOptions(f: MetricFlags): AllMetricsOptions {
  if (!['tokens', 'seconds', 'fraction'].includes(f.penalty)) throw new OptionError('--penalty', 'tokens, seconds or fraction', f.penalty);
  const percentiles = f.percentiles.split(',').map(Number);
  if (percentiles.some((p) => !(p >= 0 && p <= 100))) throw new OptionError('--percentiles', 'comma-separated numbers in [0, 100]', f.percentiles);
  const slos: Record<string, Slo> = {};
  if (f.slo) {
    const s = parseSloList(f.slo, ['ttft', 'tbt', 'tpot', 'e2e'], '--slo');
    const ttft = (s.ttft ?? Infinity) / 1000;
    if (s.tbt !== undefined) slos['ttft+tbt'] = { kind: 'ttft-tbt', ttft, tbt: s.tbt / 1000 };
    if (s.tpot !== undefined) slos['ttft+tpot'] = { kind: 'ttft-tpot', ttft, tpot: s.tpot / 1000 };
    if (s.e2e !== undefined) slos.e2e = { kind: 'e2e', e2e: s.e2e / 1000 };
    if (s.tbt === undefined && s.tpot === undefined && s.ttft !== undefined) slos.ttft = { kind: 'ttft-tbt', ttft, tbt: Infinity };
  }
  return {
    readingSpeed: f.readingSpeed,
    alpha: f.alpha,
    penalty: f.penalty as AllMetricsOptions['penalty'],
    maxIdle: f.maxIdle,
    clampBenefit: f.clampBenefit,
    goodput: f.goodput ? parseSloList(f.goodput, ['ttft', 'tpot', 'e2el'], '--goodput') : undefined,
    percentiles,
    slos,
    window: f.window ? parseWindow(f.window) : undefined,
  };
}

/** The human table: every family, side by side. */
export function metricsTable(m: AllMetrics): string {
  const rows: (string | number)[][] = [
    ['paper (reading SLO)', `smooth goodput (α=${m.settings.alpha}, f=${m.settings.penalty})`, m.smoothGoodput, 'tok/s'],
    ['paper (reading SLO)', `goodput by requests (${m.settings.readingSpeed} tok/s)`, m.goodputReq, 'req/s'],
    ['paper (reading SLO)', 'goodput by tokens', m.goodputTok, 'tok/s'],
    ['paper (reading SLO)', 'SLO attainment', m.sloAttainment, 'share'],
    ['paper (reading SLO)', 'user idle latency mean / p99', `${fmt(m.userIdleLatency.mean)} / ${fmt(m.userIdleLatency.p99)}`, 's'],
    ['throughput', 'delivered tokens', m.tokenThroughput, 'tok/s'],
  ];
  for (const k of ['ttft', 'tpot', 'itl', 'e2el'] as const) {
    const s = m.vllm[k];
    const pcts = Object.keys(s).filter((key) => key.startsWith('p'));
    rows.push([
      'vLLM',
      `${k.toUpperCase()} mean / median / std / ${pcts.join(' / ')}`,
      [s.mean, s.median, s.std, ...pcts.map((p) => s[p as `p${string}`])].map(fmt).join(' / '),
      'ms',
    ]);
  }
  rows.push(['vLLM', 'request goodput (--goodput SLOs)', m.vllm.requestGoodput, 'req/s']);
  rows.push(['vLLM', 'request throughput', m.vllm.requestThroughput, 'req/s']);
  rows.push(['DistServe', 'attainment (TTFT 200 ms, TPOT 100 ms)', m.distserveAttainment, 'share']);
  rows.push(['Andes', 'QoE (TTFT 1 s, 5 tok/s)', m.andesQoE, 'mean']);
  rows.push(['Etalon', 'fluidity index (100 ms / 50 ms)', m.etalonFluidity, 'mean']);
  rows.push(['Etalon', 'fluid token rate', m.etalonFluidTokenRate, 'tok/s']);
  for (const [name, v] of Object.entries(m.sloPassRates)) rows.push(['--slo', `pass rate ${name}`, v, 'share']);
  return `${m.requests} requests over T = ${fmt(m.duration)} s\n\n${formatTable(['family', 'metric', 'value', 'unit'], rows)}`;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4);
}

interface SimFlags {
  rate?: number;
  n: number;
  seed: number;
  burstiness: number;
  lengths: string;
  scheduler: string;
  policy: string;
  dropTtftMs?: number;
  dropTbtMs?: number;
  kvTokens: number;
  maxNumSeqs: number;
  maxBatchedTokens: number;
  chunkSize: number;
  pace?: number;
  highPriorityShare: number;
}

function simOptions(f: SimFlags): SimulateOptions {
  let policy: Policy;
  if (f.policy === 'fcfs' || f.policy === 'priority') policy = { kind: f.policy };
  else if (f.policy === 'drop-on-miss') policy = { kind: 'drop-on-miss', ttftMs: f.dropTtftMs, tbtMs: f.dropTbtMs ?? 500 };
  else throw new OptionError('--policy', 'fcfs, priority or drop-on-miss', f.policy);
  if (f.lengths !== 'sharegpt-like' && f.lengths !== 'long-context') throw new OptionError('--lengths', 'sharegpt-like or long-context', f.lengths);
  return {
    scheduler: f.scheduler as SchedulerName,
    policy,
    kvCapacityTokens: f.kvTokens,
    maxNumSeqs: f.maxNumSeqs,
    maxBatchedTokens: f.maxBatchedTokens,
    chunkSize: f.chunkSize,
  };
}

function runSim(f: SimFlags, rate: number) {
  const w = generateWorkload({ seed: f.seed, n: f.n, rate, burstiness: f.burstiness, lengths: f.lengths as 'sharegpt-like', highPriorityShare: f.highPriorityShare });
  const run = simulateDetailed(w, simOptions(f));
  return { traces: f.pace ? pace(run.traces, f.pace / 1000) : run.traces, stats: run.stats };
}

const SIM_FLAGS: Record<string, CliFlag> = {
  n: { type: 'number', min: 1, default: 800, description: 'requests to simulate' },
  seed: { type: 'number', default: 0, description: 'workload seed' },
  burstiness: { type: 'number', min: 0, default: 1, description: 'gamma shape of inter-arrival times (1 = Poisson)' },
  lengths: { type: 'string', default: 'sharegpt-like', description: 'sharegpt-like | long-context' },
  scheduler: { type: 'string', default: 'prefill-first', description: 'prefill-first | chunked' },
  policy: { type: 'string', default: 'fcfs', description: 'fcfs | priority | drop-on-miss' },
  dropTtftMs: { type: 'number', min: 0, description: 'drop-on-miss: TTFT bound' },
  dropTbtMs: { type: 'number', min: 0, description: 'drop-on-miss: TBT bound (default 500)' },
  kvTokens: { type: 'number', min: 1, default: 40000, description: 'KV cache capacity in tokens' },
  maxNumSeqs: { type: 'number', min: 1, default: 128, description: 'running sequences limit' },
  maxBatchedTokens: { type: 'number', min: 1, default: 2048, description: 'tokens per iteration limit' },
  chunkSize: { type: 'number', min: 1, default: 512, description: 'chunked: prefill tokens per iteration' },
  pace: { type: 'number', min: 0, description: 'apply the delay trick pace(θ) to the output, θ in ms' },
  highPriorityShare: { type: 'number', min: 0, default: 0, description: 'share of requests in priority class 0 (others class 1)' },
};

const METRIC_FLAGS: Record<string, CliFlag> = {
  readingSpeed: { type: 'number', min: 0, default: 5, description: 'user reading speed, tokens/s (V = 1/speed)' },
  alpha: { type: 'number', min: 0, default: 2.5, description: 'penalty weight α' },
  penalty: { type: 'string', default: 'tokens', description: 'penalty function: tokens | seconds | fraction' },
  maxIdle: { type: 'number', min: 0, default: 10, description: 'fraction penalty: idle seconds that lose the whole request' },
  clampBenefit: { type: 'boolean', description: 'floor each request benefit at 0' },
  goodput: { type: 'string', description: 'vLLM request_goodput SLOs in ms, e.g. ttft:500,tpot:50 (keys ttft, tpot, e2el)' },
  slo: { type: 'string', description: 'extra pass rates, ms, e.g. ttft:1000,tpot:100,tbt:100 (keys ttft, tbt, tpot, e2e)' },
  percentiles: { type: 'string', default: '99', description: 'vLLM percentiles, comma-separated' },
  window: { type: 'string', description: 'measurement window in seconds (requests arriving in it; T = b - a)' },
};

export const cli = defineCli({
  name: 'smooth-goodput',
  summary: 'User-aligned SLOs and smooth goodput for LLM serving (arXiv 2410.14257): every metric family side by side, and a serving simulator.',
  reproduction,
  defaultCommand: 'metrics',
  commands: {
    metrics: {
      summary: 'all metric families of a trace (JSONL rows or a vLLM --save-detailed .json)',
      description: 'JSONL times are in the unit of --time-unit (seconds by default); a trace whose times do not fit that unit is rejected with a message naming the unit that fits.',
      positionals: [{ name: 'trace', description: 'trace file' }],
      flags: {
        ...METRIC_FLAGS,
        timeUnit: { type: 'string', choices: ['s', 'ms'], default: 's', description: 'unit of the times in a JSONL trace: s | ms' },
        format: { type: 'string', choices: ['auto', 'jsonl', 'vllm'], default: 'auto', description: 'auto | jsonl | vllm (auto: .json = vLLM result)' },
        json: { type: 'boolean', description: 'print one JSON object instead of the table' },
      },
      async run({ args, flags, log }) {
        const table = await readTraceTable(args.trace, { timeUnit: flags.timeUnit as TimeUnit, format: flags.format as TraceFormat });
        const m = allMetrics(table, metricOptions(flags as MetricFlags));
        log(flags.json ? JSON.stringify(m, null, 2) : metricsTable(m));
      },
    },
    simulate: {
      summary: 'simulate one serving replica and write the trace as JSONL',
      flags: {
        rate: { type: 'number', min: 0, required: true, description: 'request rate, requests/s' },
        ...SIM_FLAGS,
        ...METRIC_FLAGS,
        output: { type: 'string', short: 'o', description: 'trace file to write (JSONL, seconds)' },
        json: { type: 'boolean', description: 'print the metrics as JSON' },
      },
      async run({ flags, log }) {
        const f = flags as SimFlags & MetricFlags & { output?: string; rate: number };
        const run = runSim(f, f.rate);
        if (f.output) await writeTracesJsonl(f.output, run.traces);
        const m = allMetrics(run.traces, metricOptions(f));
        if (f.json) log(JSON.stringify({ ...m, simulation: run.stats }, null, 2));
        else {
          log(metricsTable(m));
          log(`\nsimulation: ${run.stats.iterations} iterations, ${run.stats.preemptions} preemptions, ${run.stats.dropped} dropped, peak KV ${run.stats.peakKvBlocks}/${run.stats.kvCapacityBlocks} blocks`);
          if (f.output) log(`wrote ${f.output}`);
        }
      },
    },
    sweep: {
      summary: 'simulate a range of rates and tabulate (and plot) every metric against rate',
      flags: {
        rates: { type: 'string', required: true, description: 'rates to simulate, requests/s, as a:b:step' },
        ...SIM_FLAGS,
        ...METRIC_FLAGS,
        plot: { type: 'string', description: 'SVG of token-rate metrics vs rate (also <file>-attainment.svg)' },
        json: { type: 'string', description: 'write the per-rate metrics as JSON' },
      },
      async run({ flags, log }) {
        const f = flags as SimFlags & Omit<MetricFlags, 'json'> & { rates: string; plot?: string; json?: string };
        const rates = parseRates(f.rates);
        const results = rates.map((rate) => ({ rate, ...allMetrics(runSim(f, rate).traces, metricOptions(f as MetricFlags)) }));
        const pct = `p${f.percentiles.split(',')[0]}` as `p${string}`;
        log(
          formatTable(
            ['rate', 'smoothGoodput', 'goodputTok', 'goodputReq', 'sloAttainment', 'tokens/s', 'vLLM TTFT p', 'vLLM ITL p', 'DistServe', 'Andes QoE', 'Etalon'],
            results.map((m) => [m.rate, m.smoothGoodput, m.goodputTok, m.goodputReq, m.sloAttainment, m.tokenThroughput, m.vllm.ttft[pct], m.vllm.itl[pct], m.distserveAttainment, m.andesQoE, m.etalonFluidity]),
          ),
        );
        if (f.json) {
          await writeFileAtomic(f.json, `${JSON.stringify(results, null, 2)}\n`);
          log(`wrote ${f.json}`);
        }
        if (f.plot) {
          const series = (name: string, pick: (m: AllMetrics) => number) => ({ name, points: results.map((m) => [m.rate, pick(m)] as [number, number]) });
          await writeFileAtomic(
            f.plot,
            await lineChartSvg({
              title: 'smooth goodput and goodput vs request rate',
              xLabel: 'request rate (req/s)',
              yLabel: 'tokens/s',
              series: [series('smooth goodput', (m) => m.smoothGoodput), series('goodput (tokens)', (m) => m.goodputTok), series('delivered tokens', (m) => m.tokenThroughput)],
            }),
          );
          const second = f.plot.replace(/(\.svg)?$/, '-attainment.svg');
          await writeFileAtomic(
            second,
            await lineChartSvg({
              title: 'attainment-style metrics vs request rate',
              xLabel: 'request rate (req/s)',
              yLabel: 'share / score',
              series: [
                series('reading SLO attainment', (m) => m.sloAttainment),
                series('DistServe attainment', (m) => m.distserveAttainment),
                series('Andes QoE', (m) => m.andesQoE),
                series('Etalon fluidity', (m) => m.etalonFluidity),
              ],
            }),
          );
          log(`wrote ${f.plot} and ${second}`);
        }
      },
    },
    capacity: {
      summary: 'largest request rate whose simulated trace keeps attainment of an SLO at or above a level (bisection)',
      flags: {
        ...SIM_FLAGS,
        slo: { type: 'string', default: 'ttft:2000,tpot:100', description: 'SLO in ms: ttft:2000,tpot:100 (keys ttft, tbt, tpot, e2e) or reading:5 (tokens/s)' },
        attainment: { type: 'number', min: 0, default: 0.9, description: 'required share of requests meeting the SLO' },
        hi: { type: 'number', min: 0, default: 16, description: 'upper end of the search' },
        eps: { type: 'number', min: 0, default: 0.25, description: 'bisection resolution' },
      },
      run({ flags, log }) {
        const f = flags as SimFlags & { slo: string; attainment: number; hi: number; eps: number };
        const slo = parseCapacitySlo(f.slo);
        const r = searchCapacityDetailed(
          (rate) => runSim(f, rate).traces,
          (traces) => sloAttainment(traces, slo) >= f.attainment,
          { hi: f.hi, eps: f.eps },
        );
        log(formatTable(['rate (req/s)', 'attainment ok'], r.probes.map((p) => [p.rate, p.ok ? 'yes' : 'no'])));
        log(`\ncapacity ${r.rate} req/s (fails at ${r.failsAt}) for ${JSON.stringify(slo)} at attainment >= ${f.attainment}`);
      },
    },
  },
});
