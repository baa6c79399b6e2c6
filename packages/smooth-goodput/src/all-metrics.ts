/**
 * Every metric family of the spec on one trace and one T, side by side (issue 7 `metrics`):
 * the paper's smooth goodput and reading-SLO goodput/attainment, user idle latency,
 * vLLM's latency summaries and request goodput, DistServe attainment, Andes QoE and
 * Etalon fluidity. The CLI's `--json` prints this object.
 */
import { andesQoE, type AndesQoEOptions } from './andes-qoe.js';
import { distserveAttainment, type DistServeOptions } from './distserve.js';
import { etalonFluidity, type EtalonOptions } from './etalon-fluidity.js';
import { percentiles } from './percentile.js';
import { goodput, type Slo } from './slo.js';
import { smoothGoodput, type PenaltyFn, type PenaltyName } from './smooth-goodput.js';
import { toTraceTable, type TraceInput } from './trace.js';
import { vllmMetrics, type VllmMetrics } from './vllm-metrics.js';
import type { LatencySummary } from './percentile.js';

export interface AllMetricsOptions {
  readingSpeed?: number;
  alpha?: number;
  penalty?: PenaltyName | PenaltyFn;
  maxIdle?: number;
  clampBenefit?: boolean;
  window?: [number, number];
  /** vLLM `--goodput` SLOs in ms. */
  goodput?: { ttft?: number; tpot?: number; e2el?: number };
  percentiles?: number[];
  /** Extra SLOs whose pass rates to report (seconds), keyed by a label. */
  slos?: Record<string, Slo>;
  distserve?: Omit<DistServeOptions, 'window'>;
  andes?: Omit<AndesQoEOptions, 'window'>;
  etalon?: Omit<EtalonOptions, 'window'>;
}

export interface AllMetrics {
  requests: number;
  /** T, seconds. */
  duration: number;
  smoothGoodput: number;
  goodputReq: number;
  goodputTok: number;
  sloAttainment: number;
  tokenThroughput: number;
  /** Seconds. */
  userIdleLatency: { mean: number; median: number; p99: number };
  vllm: { ttft: LatencySummary; tpot: LatencySummary; itl: LatencySummary; e2el: LatencySummary; requestGoodput: number; requestThroughput: number; outputThroughput: number; completed: number };
  distserveAttainment: number;
  andesQoE: number;
  etalonFluidity: number;
  etalonFluidTokenRate: number;
  sloPassRates: Record<string, number>;
  settings: { readingSpeed: number; alpha: number; penalty: string };
}

export function allMetrics(traces: TraceInput, options: AllMetricsOptions = {}): AllMetrics {
  const t = toTraceTable(traces);
  const window = options.window;
  const sg = smoothGoodput(t, {
    readingSpeed: options.readingSpeed,
    alpha: options.alpha,
    penalty: options.penalty,
    maxIdle: options.maxIdle,
    clampBenefit: options.clampBenefit,
    window,
  });
  const idle = sg.perRequest.idle.filter((v) => !Number.isNaN(v));
  let idleSum = 0;
  for (let i = 0; i < idle.length; i++) idleSum += idle[i];
  const [idleMedian, idleP99] = percentiles(idle, [50, 99]);
  const v: VllmMetrics = vllmMetrics(t, { goodput: options.goodput, percentiles: options.percentiles, window });
  const etalon = etalonFluidity(t, { ...options.etalon, window });
  const sloPassRates: Record<string, number> = {};
  for (const [name, slo] of Object.entries(options.slos ?? {})) sloPassRates[name] = goodput(t, slo, { window }).attainment;
  return {
    requests: idle.length,
    duration: sg.seconds,
    smoothGoodput: sg.smoothGoodput,
    goodputReq: sg.goodputReq,
    goodputTok: sg.goodputTok,
    sloAttainment: sg.sloAttainment,
    tokenThroughput: sg.tokenThroughput,
    userIdleLatency: { mean: idle.length ? idleSum / idle.length : Number.NaN, median: idleMedian, p99: idleP99 },
    vllm: {
      ttft: v.ttft,
      tpot: v.tpot,
      itl: v.itl,
      e2el: v.e2el,
      requestGoodput: v.requestGoodput,
      requestThroughput: v.requestThroughput,
      outputThroughput: v.outputThroughput,
      completed: v.completed,
    },
    distserveAttainment: distserveAttainment(t, { ...options.distserve, window }),
    andesQoE: andesQoE(t, { ...options.andes, window }),
    etalonFluidity: etalon.fluidity,
    etalonFluidTokenRate: etalon.fluidTokenRate,
    sloPassRates,
    settings: {
      readingSpeed: options.readingSpeed ?? 5,
      alpha: options.alpha ?? 2.5,
      penalty: typeof options.penalty === 'function' ? 'custom' : (options.penalty ?? 'tokens'),
    },
  };
}
