/**
 * The smooth-goodput task of the page: a dropped vLLM result JSON
 * (`--save-result --save-detailed`) or a JSONL trace, and every metric family
 * computed on it. Plain JS (no tensors), so Node and the page must agree exactly.
 */
import { allMetrics, generateWorkload, parseTraceText, simulate, type AllMetrics } from '@paperkit/smooth-goodput';

export interface GoodputTaskResult {
  source: string;
  metrics: AllMetrics;
}

/** Parse `text` as the named file (a `.json` name is read as a vLLM result) and compute every family. */
export function runGoodputTask(text: string, fileName: string): GoodputTaskResult {
  const table = parseTraceText(text, { source: fileName });
  return { source: fileName, metrics: allMetrics(table) };
}

/** A sample trace for a person without one: a seeded ShareGPT-like workload on the simulated server, as JSONL. */
export function sampleTraceJsonl(seed = 42, n = 120): string {
  const traces = simulate(generateWorkload({ seed, n, rate: 4 }), { scheduler: 'chunked' });
  return traces.map((t) => JSON.stringify(t)).join('\n') + '\n';
}

/** A small vLLM benchmark result (the keys `--save-detailed` writes), seeded. */
export function sampleVllmResultJson(seed = 3, n = 40): string {
  let state = seed >>> 0;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const ttfts: number[] = [];
  const itls: number[][] = [];
  const outputLens: number[] = [];
  for (let i = 0; i < n; i++) {
    ttfts.push(0.05 + 0.4 * next());
    const len = 8 + Math.floor(24 * next());
    outputLens.push(len);
    itls.push(Array.from({ length: len - 1 }, () => (next() < 0.05 ? 0.4 : 0.02 + 0.03 * next())));
  }
  return JSON.stringify({ backend: 'vllm', duration: 12.5, completed: n, ttfts, itls, output_lens: outputLens, input_lens: outputLens.map(() => 128), errors: outputLens.map(() => '') });
}

/** The families as (label, value, unit) rows, for the page's table. */
export function familyRows(m: AllMetrics): { family: string; label: string; value: number; unit: string }[] {
  return [
    { family: 'smooth goodput', label: 'smooth goodput', value: m.smoothGoodput, unit: 'tok/s' },
    { family: 'smooth goodput', label: 'user idle latency p99', value: m.userIdleLatency.p99, unit: 's' },
    { family: 'smooth goodput', label: 'reading-SLO attainment', value: m.sloAttainment, unit: '' },
    { family: 'goodput', label: 'goodput', value: m.goodputReq, unit: 'req/s' },
    { family: 'goodput', label: 'goodput (tokens)', value: m.goodputTok, unit: 'tok/s' },
    { family: 'throughput', label: 'token throughput', value: m.tokenThroughput, unit: 'tok/s' },
    { family: 'vLLM', label: 'P99 TTFT', value: m.vllm.ttft.p99, unit: 'ms' },
    { family: 'vLLM', label: 'mean TPOT', value: m.vllm.tpot.mean, unit: 'ms' },
    { family: 'vLLM', label: 'P99 ITL', value: m.vllm.itl.p99, unit: 'ms' },
    { family: 'vLLM', label: 'request goodput', value: m.vllm.requestGoodput, unit: 'req/s' },
    { family: 'DistServe', label: 'SLO attainment', value: m.distserveAttainment, unit: '' },
    { family: 'Andes', label: 'QoE', value: m.andesQoE, unit: '' },
    { family: 'Etalon', label: 'fluidity index', value: m.etalonFluidity, unit: '' },
    { family: 'Etalon', label: 'fluid token rate', value: m.etalonFluidTokenRate, unit: 'tok/s' },
  ];
}
