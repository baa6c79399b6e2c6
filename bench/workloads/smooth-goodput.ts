/**
 * @paperkit/smooth-goodput bench workloads (pure JS, no tensors):
 * - every metric family (`allMetrics`) over a 100k-request synthetic trace (~1.6M tokens);
 * - one simulator run: 800 ShareGPT-like requests at 5 req/s, prefill-first.
 * `syntheticTraceTable` is shared with bench/smooth-goodput-1m.ts.
 */
import { createRng } from '../../packages/tensor-core/src/random.js';
import type { BenchStep, BenchWorkload } from '../workload.js';

export interface SyntheticTraceOptions {
  n: number;
  seed?: number;
  /** Arrival rate of the whole fleet, requests/s (default 300). */
  rate?: number;
  /** Mean output tokens per request (default 16). */
  meanTokens?: number;
}

/**
 * A serving trace shaped like a busy fleet: Poisson arrivals, TTFT 20 ms + exp(100 ms),
 * geometric output lengths, 20 ms + exp(10 ms) token gaps with 2% stalls of 0.1–1 s,
 * 0.5% dropped requests. Times are rounded to 0.1 ms so a JSONL copy reads back exactly.
 */
export async function syntheticTraceTable(options: SyntheticTraceOptions) {
  const { TraceTableBuilder } = await import('../../packages/smooth-goodput/src/trace.js');
  const rng = createRng(options.seed ?? 0);
  const rate = options.rate ?? 300;
  const mean = options.meanTokens ?? 16;
  const b = new TraceTableBuilder();
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  let arrival = 0;
  const times = new Float64Array(4096);
  for (let r = 0; r < options.n; r++) {
    arrival += -Math.log(1 - rng.next()) / rate;
    const a = round(arrival);
    const n = Math.min(times.length, 1 + Math.floor(Math.log(1 - rng.next()) / Math.log(1 - 1 / mean)));
    let t = a + 0.02 - 0.1 * Math.log(1 - rng.next());
    for (let i = 0; i < n; i++) {
      times[i] = round(t);
      t += rng.next() < 0.02 ? 0.1 + 0.9 * rng.next() : 0.02 - 0.01 * Math.log(1 - rng.next());
    }
    const dropped = rng.next() < 0.005;
    b.add({ id: String(r), arrival: a, times: times.subarray(0, n), status: dropped ? 1 : 0, droppedAt: dropped ? round(t) : undefined, promptTokens: 100 });
  }
  return b.build();
}

export const workloads: BenchWorkload[] = [
  {
    name: 'smooth-goodput all metric families, 100k-request trace',
    noTorch: 'pure JS trace statistics, no tensors: nothing for PyTorch to run',
    async setup(): Promise<BenchStep> {
      const { allMetrics } = await import('../../packages/smooth-goodput/src/index.js');
      const table = await syntheticTraceTable({ n: 100_000, seed: 1 });
      return {
        step() {
          allMetrics(table, { goodput: { ttft: 500, tpot: 50 } });
        },
        dispose() {},
      };
    },
  },
  {
    name: 'smooth-goodput simulate 800 ShareGPT-like requests at 5 req/s',
    noTorch: 'a pure JS event simulation, no tensors: nothing for PyTorch to run',
    async setup(): Promise<BenchStep> {
      const { generateWorkload, simulate } = await import('../../packages/smooth-goodput/src/index.js');
      const w = generateWorkload({ seed: 0, n: 800, rate: 5 });
      return {
        step() {
          simulate(w);
        },
        dispose() {},
      };
    },
  },
];
