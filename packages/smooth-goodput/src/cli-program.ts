/**
 * The `smooth-goodput` command line (bin entry: cli.ts): argument parsing and printing only; the work is in the
 * public API and reproduce/run.ts. Bad input (FormatError, OptionError, bad flags) exits 2.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { FormatError, OptionError, PaperkitError, formatTable, lineChartSvg } from '@paperkit/tensor-core';
import { finishReproduction, parseReproduceArgs, writeFileAtomic } from '@paperkit/tensor-core/node';
import { allMetrics, type AllMetrics, type AllMetricsOptions } from './all-metrics.js';
import { sloAttainment, type Slo } from './slo.js';
import { searchCapacityDetailed } from './simulator/capacity.js';
import { readTraceTable, writeTracesJsonl, type TimeUnit, type TraceFormat } from './trace-io.js';
import { pace } from './simulator/pace.js';
import { simulateDetailed, type SimulateOptions } from './simulator/simulator.js';
import type { Policy, SchedulerName } from './simulator/schedulers.js';
import { generateWorkload } from './simulator/workload.js';
import { runReproduction } from './reproduce/run.js';

function num(name: string, min = -Infinity) {
  return (v: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x < min) throw new InvalidArgumentError(`${name} must be a number >= ${min}, got "${v}"`);
    return x;
  };
}

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

function addSimFlags(cmd: Command): Command {
  return cmd
    .option('--n <requests>', 'requests to simulate', num('--n', 1), 800)
    .option('--seed <seed>', 'workload seed', num('--seed'), 0)
    .option('--burstiness <shape>', 'gamma shape of inter-arrival times (1 = Poisson)', num('--burstiness', 0), 1)
    .option('--lengths <kind>', 'sharegpt-like | long-context', 'sharegpt-like')
    .option('--scheduler <name>', 'prefill-first | chunked', 'prefill-first')
    .option('--policy <name>', 'fcfs | priority | drop-on-miss', 'fcfs')
    .option('--drop-ttft-ms <ms>', 'drop-on-miss: TTFT bound', num('--drop-ttft-ms', 0))
    .option('--drop-tbt-ms <ms>', 'drop-on-miss: TBT bound (default 500)', num('--drop-tbt-ms', 0))
    .option('--kv-tokens <tokens>', 'KV cache capacity in tokens', num('--kv-tokens', 1), 40000)
    .option('--max-num-seqs <n>', 'running sequences limit', num('--max-num-seqs', 1), 128)
    .option('--max-batched-tokens <n>', 'tokens per iteration limit', num('--max-batched-tokens', 1), 2048)
    .option('--chunk-size <n>', 'chunked: prefill tokens per iteration', num('--chunk-size', 1), 512)
    .option('--pace <ms>', 'apply the delay trick pace(θ) to the output, θ in ms', num('--pace', 0))
    .option('--high-priority-share <p>', 'share of requests in priority class 0 (others class 1)', num('--high-priority-share', 0), 0);
}

function addMetricFlags(cmd: Command): Command {
  return cmd
    .option('--reading-speed <tps>', 'user reading speed, tokens/s (V = 1/speed)', num('--reading-speed', 0), 5)
    .option('--alpha <alpha>', 'penalty weight α', num('--alpha', 0), 2.5)
    .option('--penalty <f>', 'penalty function: tokens | seconds | fraction', 'tokens')
    .option('--max-idle <s>', 'fraction penalty: idle seconds that lose the whole request', num('--max-idle', 0), 10)
    .option('--clamp-benefit', 'floor each request benefit at 0')
    .option('--goodput <slos>', 'vLLM request_goodput SLOs in ms, e.g. ttft:500,tpot:50 (keys ttft, tpot, e2el)')
    .option('--slo <slos>', 'extra pass rates, ms, e.g. ttft:1000,tpot:100,tbt:100 (keys ttft, tbt, tpot, e2e)')
    .option('--percentiles <list>', 'vLLM percentiles, comma-separated', '99')
    .option('--window <a:b>', 'measurement window in seconds (requests arriving in it; T = b - a)');
}

export function buildProgram(): Command {
  const program = new Command('smooth-goodput')
    .description('User-aligned SLOs and smooth goodput for LLM serving (arXiv 2410.14257): every metric family side by side, and a serving simulator.')
    .exitOverride();

  addMetricFlags(
    program
      .command('metrics', { isDefault: true })
      .description('all metric families of a trace (JSONL rows or a vLLM --save-detailed .json)')
      .argument('<trace>', 'trace file')
      .option('--time-unit <unit>', 'unit of the times in a JSONL trace: s | ms', 's')
      .option('--format <format>', 'auto | jsonl | vllm (auto: .json = vLLM result)', 'auto')
      .option('--json', 'print one JSON object instead of the table'),
  ).action(async (trace: string, flags: MetricFlags) => {
    if (flags.timeUnit !== 's' && flags.timeUnit !== 'ms') throw new OptionError('--time-unit', 's or ms', flags.timeUnit);
    const table = await readTraceTable(trace, { timeUnit: flags.timeUnit as TimeUnit, format: flags.format as TraceFormat });
    const m = allMetrics(table, metricOptions(flags));
    console.log(flags.json ? JSON.stringify(m, null, 2) : metricsTable(m));
  });

  addMetricFlags(
    addSimFlags(
      program
        .command('simulate')
        .description('simulate one serving replica and write the trace as JSONL')
        .requiredOption('--rate <rps>', 'request rate, requests/s', num('--rate', 0))
        .option('-o, --output <file>', 'trace file to write (JSONL, seconds)')
        .option('--json', 'print the metrics as JSON'),
    ),
  ).action(async (flags: SimFlags & MetricFlags & { output?: string; rate: number }) => {
    const run = runSim(flags, flags.rate);
    if (flags.output) await writeTracesJsonl(flags.output, run.traces);
    const m = allMetrics(run.traces, metricOptions(flags));
    if (flags.json) console.log(JSON.stringify({ ...m, simulation: run.stats }, null, 2));
    else {
      console.log(metricsTable(m));
      console.log(`\nsimulation: ${run.stats.iterations} iterations, ${run.stats.preemptions} preemptions, ${run.stats.dropped} dropped, peak KV ${run.stats.peakKvBlocks}/${run.stats.kvCapacityBlocks} blocks`);
      if (flags.output) console.log(`wrote ${flags.output}`);
    }
  });

  addMetricFlags(
    addSimFlags(
      program
        .command('sweep')
        .description('simulate a range of rates and tabulate (and plot) every metric against rate')
        .requiredOption('--rates <a:b:step>', 'rates to simulate, requests/s')
        .option('--plot <file>', 'SVG of token-rate metrics vs rate (also <file>-attainment.svg)')
        .option('--json <file>', 'write the per-rate metrics as JSON'),
    ),
  ).action(async (flags: SimFlags & Omit<MetricFlags, 'json'> & { rates: string; plot?: string; json?: string }) => {
    const rates = parseRates(flags.rates);
    const results = rates.map((rate) => ({ rate, ...allMetrics(runSim(flags, rate).traces, metricOptions(flags as MetricFlags)) }));
    const p = (m: AllMetrics) => m.vllm.itl[`p${flags.percentiles.split(',')[0]}` as `p${string}`];
    console.log(
      formatTable(
        ['rate', 'smoothGoodput', 'goodputTok', 'goodputReq', 'sloAttainment', 'tokens/s', 'vLLM TTFT p', 'vLLM ITL p', 'DistServe', 'Andes QoE', 'Etalon'],
        results.map((m) => [m.rate, m.smoothGoodput, m.goodputTok, m.goodputReq, m.sloAttainment, m.tokenThroughput, m.vllm.ttft[`p${flags.percentiles.split(',')[0]}` as `p${string}`], p(m), m.distserveAttainment, m.andesQoE, m.etalonFluidity]),
      ),
    );
    if (flags.json) {
      await writeFileAtomic(flags.json, `${JSON.stringify(results, null, 2)}\n`);
      console.log(`wrote ${flags.json}`);
    }
    if (flags.plot) {
      const series = (name: string, pick: (m: AllMetrics) => number) => ({ name, points: results.map((m) => [m.rate, pick(m)] as [number, number]) });
      await writeFileAtomic(
        flags.plot,
        await lineChartSvg({
          title: 'smooth goodput and goodput vs request rate',
          xLabel: 'request rate (req/s)',
          yLabel: 'tokens/s',
          series: [series('smooth goodput', (m) => m.smoothGoodput), series('goodput (tokens)', (m) => m.goodputTok), series('delivered tokens', (m) => m.tokenThroughput)],
        }),
      );
      const second = flags.plot.replace(/(\.svg)?$/, '-attainment.svg');
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
      console.log(`wrote ${flags.plot} and ${second}`);
    }
  });

  addSimFlags(
    program
      .command('capacity')
      .description('largest request rate whose simulated trace keeps attainment of an SLO at or above a level (bisection)')
      .option('--slo <slos>', 'SLO in ms: ttft:2000,tpot:100 (keys ttft, tbt, tpot, e2e) or reading:5 (tokens/s)', 'ttft:2000,tpot:100')
      .option('--attainment <share>', 'required share of requests meeting the SLO', num('--attainment', 0), 0.9)
      .option('--hi <rps>', 'upper end of the search', num('--hi', 0), 16)
      .option('--eps <rps>', 'bisection resolution', num('--eps', 0), 0.25),
  ).action((flags: SimFlags & { slo: string; attainment: number; hi: number; eps: number }) => {
    const slo = parseCapacitySlo(flags.slo);
    const r = searchCapacityDetailed(
      (rate) => runSim(flags, rate).traces,
      (traces) => sloAttainment(traces, slo) >= flags.attainment,
      { hi: flags.hi, eps: flags.eps },
    );
    console.log(formatTable(['rate (req/s)', 'attainment ok'], r.probes.map((p) => [p.rate, p.ok ? 'yes' : 'no'])));
    console.log(`\ncapacity ${r.rate} req/s (fails at ${r.failsAt}) for ${JSON.stringify(slo)} at attainment >= ${flags.attainment}`);
  });

  program
    .command('reproduce')
    .description('spec §5 experiments E1–E4 (5 seeds): reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE]')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      if (args.includes('--help') || args.includes('-h')) {
        console.log('Usage: smooth-goodput reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE]\n\nSpec §5 experiments E1–E4 on the simulator (default 5 seeds × 800 requests; --quick: 2 seeds × 300).');
        return;
      }
      const parsed = parseReproduceArgs(args, { defaultSeeds: 5, quickSeeds: 2 });
      const result = await runReproduction({ quick: parsed.quick, seeds: parsed.seeds, log: (l) => console.log(l) });
      const curves = (result.details?.e4 as { rateOverCap: number[]; meanCurves: Record<string, number[]> }) ?? undefined;
      const svg = curves
        ? await lineChartSvg({
            title: `E4: smooth goodput vs load, per α (mean of ${result.seeds.length} seeds)`,
            xLabel: 'request rate / capacity',
            yLabel: 'smooth goodput (tok/s)',
            series: Object.entries(curves.meanCurves).map(([name, ys]) => ({ name, points: ys.map((y, i) => [curves.rateOverCap[i], y] as [number, number]) })),
          })
        : undefined;
      await finishReproduction(result, parsed, { svg });
    });
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    if (err instanceof FormatError || err instanceof OptionError) {
      console.error(`smooth-goodput: ${err.message}`);
      return 2;
    }
    if (err instanceof PaperkitError) {
      console.error(`smooth-goodput: ${err.message}`);
      return 1;
    }
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      console.error(`smooth-goodput: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}
