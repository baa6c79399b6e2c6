/**
 * Seeded request workloads (spec §5). Arrivals follow vLLM's benchmark: gamma inter-arrival
 * times with shape `burstiness` and mean 1/rate (burstiness 1 = Poisson). Lengths are
 * log-normal and clipped:
 * - `sharegpt-like`: prompt exp(N(4.7, 0.9)) in [4, 2048] (median ≈ 110),
 *   output exp(N(5.4, 0.8)) in [4, 1024] (median ≈ 220);
 * - `long-context` (LooGLE-like): prompt exp(N(8.3, 0.5)) in [256, 16384], output median 100
 *   (exp(N(ln 100, 0.5)) in [4, 1024]).
 */
import { OptionError, createRng, type Rng } from '@paperkit/tensor-core/base';

export interface LogNormalLength {
  logMean: number;
  logStd: number;
  min: number;
  max: number;
}
export interface LengthSpec {
  prompt: LogNormalLength;
  output: LogNormalLength;
}

export const LENGTHS: Record<'sharegpt-like' | 'long-context', LengthSpec> = {
  'sharegpt-like': {
    prompt: { logMean: 4.7, logStd: 0.9, min: 4, max: 2048 },
    output: { logMean: 5.4, logStd: 0.8, min: 4, max: 1024 },
  },
  'long-context': {
    prompt: { logMean: 8.3, logStd: 0.5, min: 256, max: 16384 },
    output: { logMean: Math.log(100), logStd: 0.5, min: 4, max: 1024 },
  },
};

/** One request the simulator serves. */
export interface WorkloadRequest {
  id: string;
  /** Seconds. */
  arrival: number;
  promptTokens: number;
  outputTokens: number;
  /** Class for the priority policy (lower first). */
  priority: number;
}

export interface WorkloadOptions {
  seed?: number;
  /** Requests (default 800). */
  n?: number;
  /** Requests per second. */
  rate: number;
  /** Gamma shape of inter-arrival times (default 1: Poisson). */
  burstiness?: number;
  lengths?: 'sharegpt-like' | 'long-context' | LengthSpec;
  /** Share of requests in the high-priority class 0 (others are class 1); default 0: all class 0. */
  highPriorityShare?: number;
}

export function generateWorkload(options: WorkloadOptions): WorkloadRequest[] {
  const { rate } = options;
  const n = options.n ?? 800;
  const burstiness = options.burstiness ?? 1;
  if (!(Number.isFinite(rate) && rate > 0)) throw new OptionError('rate', 'a positive number of requests per second', rate);
  if (!(Number.isInteger(n) && n > 0)) throw new OptionError('n', 'a positive integer', n);
  if (!(Number.isFinite(burstiness) && burstiness > 0)) throw new OptionError('burstiness', 'a positive number', burstiness);
  const lengths = typeof options.lengths === 'object' ? options.lengths : LENGTHS[options.lengths ?? 'sharegpt-like'];
  if (!lengths) throw new OptionError('lengths', "'sharegpt-like', 'long-context' or a LengthSpec", options.lengths);
  const share = options.highPriorityShare ?? 0;
  const root = createRng(options.seed ?? 0);
  const arrivals = root.fork('arrivals');
  const sizes = root.fork('lengths');
  const classes = root.fork('priority');
  const out: WorkloadRequest[] = [];
  let time = 0;
  const scale = 1 / (rate * burstiness);
  for (let i = 0; i < n; i++) {
    if (i > 0) time += gamma(arrivals, burstiness) * scale;
    out.push({
      id: String(i),
      arrival: time,
      promptTokens: logNormalInt(sizes, lengths.prompt),
      outputTokens: logNormalInt(sizes, lengths.output),
      priority: share > 0 ? (classes.next() < share ? 0 : 1) : 0,
    });
  }
  return out;
}

function logNormalInt(rng: Rng, s: LogNormalLength): number {
  const v = Math.round(Math.exp(rng.normal(s.logMean, s.logStd)));
  return Math.min(s.max, Math.max(s.min, v));
}

/** Gamma(shape, 1) by Marsaglia–Tsang (boosted for shape < 1); shape 1 is the exponential. */
export function gamma(rng: Rng, shape: number): number {
  if (shape === 1) return -Math.log(1 - rng.next());
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal(0, 1);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
