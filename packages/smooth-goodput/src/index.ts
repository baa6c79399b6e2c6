/**
 * @paperkit/smooth-goodput: user-aligned SLOs and smooth goodput for LLM serving
 * (Wang et al., arXiv 2410.14257), every anchor metric family side by side, and a
 * one-replica serving simulator for what-if questions. Pure JS: no tfjs needed.
 */

// Traces
/** A request's delivery record, its columnar form, and conversions. */
export {
  toTraceTable, toTraces, checkTrace, traceWindow, TraceTableBuilder,
  type Trace, type TraceTable, type TraceStatus, type TraceInput, type TraceWindow,
} from './trace.js';
/** Trace text (JSONL rows or a vLLM `--save-detailed` object) with the time-unit check; files by path are in ./node. */
export { parseTraceText, checkTimeUnit, PLAUSIBLE_TIMES, MAX_VLLM_FILE_BYTES, type ReadTraceOptions, type TimeUnit, type TraceFormat } from './trace-text.js';
/** Parse a vLLM benchmark_serving result object (ttfts, itls, output_lens). */
export { parseVllmResult } from './vllm-result-file.js';

// The paper's metrics
/** Smooth goodput (Eq. 10–11) with reading-SLO goodput and attainment on the same T. */
export { smoothGoodput, type SmoothGoodputOptions, type SmoothGoodputResult, type PenaltyName, type PenaltyFn } from './smooth-goodput.js';
/** User idle latency (Eq. 9) and the reader-buffer view. */
export { idleLatencies, readerFinishTimes, type IdleLatencyOptions } from './idle-latency.js';
/** Per-token deadline SLOs (Eq. 1–5), attainment (Eq. 6), goodput (Eq. 7). */
export { sloMask, sloAttainment, goodput, type Slo } from './slo.js';

// Anchor metric families
/** vLLM benchmark_serving TTFT/TPOT/ITL/E2EL summaries and request_goodput. */
export { vllmMetrics, type VllmMetrics, type VllmMetricsOptions, type VllmMetricName } from './vllm-metrics.js';
/** DistServe TTFT+TPOT attainment. */
export { distserveAttainment, type DistServeOptions } from './distserve.js';
/** Andes QoE. */
export { andesQoE, andesQoEPerRequest, type AndesQoEOptions } from './andes-qoe.js';
/** Etalon fluidity index and fluid token rate. */
export { etalonFluidity, fluidityOfGaps, type EtalonOptions, type EtalonResult } from './etalon-fluidity.js';
/** numpy-linear percentiles and vLLM-style summaries. */
export { percentile, percentiles, summarizeInPlace, type LatencySummary } from './percentile.js';
/** All families at once (what `smooth-goodput metrics --json` prints). */
export { allMetrics, type AllMetrics, type AllMetricsOptions } from './all-metrics.js';

// Simulator
/** Seeded ShareGPT-like / long-context workloads. */
export { generateWorkload, LENGTHS, type WorkloadOptions, type WorkloadRequest, type LengthSpec } from './simulator/workload.js';
/** One-replica discrete-event simulator. */
export { simulate, simulateDetailed, type SimulateOptions, type SimulationStats } from './simulator/simulator.js';
/** Schedulers and policies. */
export { type SchedulerName, type Policy } from './simulator/schedulers.js';
/** Iteration cost model (DistServe OPT-13B A100 profile). */
export { iterationMs, DISTSERVE_OPT13B_A100, type CostModel, type IterationShape } from './simulator/cost-model.js';
/** The delay trick pace(θ). */
export { pace } from './simulator/pace.js';
/** Capacity by bisection. */
export { searchCapacity, searchCapacityDetailed, type CapacityOptions, type CapacityResult } from './simulator/capacity.js';
