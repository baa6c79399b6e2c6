/**
 * What a merge is expected to hold in memory at its peak (printed by
 * `--dry-run`), and what the real run measured. The merge has three phases and
 * the peak is the largest:
 *  - gates: `hidden` / `hidden_avg` run the whole base model in tfjs (float32),
 *    `cheap_embed` reads the embedding matrix, random gates need nothing;
 *  - streaming: about 3 x the largest tensor in float32 (the merged result plus
 *    the positioned-read chunks and the dtype-converted copy) plus one output
 *    shard being assembled (README, "Streaming memory": measured within ~10 %);
 *  - routing report (outputs under 256 MB): the written MoE loaded into tfjs.
 * Bytes are tensor data only; Node + tfjs add a baseline of roughly 75 MB RSS,
 * and the allocator can keep 40-50 MB more after frees when tensors are small.
 */
import type { GateMode } from './gates.js';
import { llamaTensorShapes, type LlamaConfig } from './llama/llama-config.js';
import type { PlannedTensor } from './mixtral-layout.js';

export interface MemoryPlan {
  /** Largest phase, in bytes. */
  peakBytes: number;
  phases: { name: string; bytes: number; why: string }[];
}

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function expectedPeakMemory(o: {
  config: LlamaConfig;
  plan: PlannedTensor[];
  gateMode: GateMode;
  outputBytes: number;
  maxShardBytes: number;
  routingReport: boolean;
}): MemoryPlan {
  const phases: MemoryPlan['phases'] = [];
  if (o.gateMode === 'hidden' || o.gateMode === 'hidden_avg') {
    const base = [...llamaTensorShapes(o.config).values()].reduce((s, sh) => s + numel(sh), 0) * 4;
    phases.push({ name: 'gates', bytes: base, why: 'base model in tfjs (float32) for hidden-state gates' });
  } else if (o.gateMode === 'cheap_embed') {
    phases.push({ name: 'gates', bytes: o.config.vocab_size * o.config.hidden_size * 4, why: 'embedding matrix (float32)' });
  }
  const largest = Math.max(...o.plan.map((t) => numel(t.shape))) * 4;
  const shard = Math.min(o.maxShardBytes, o.outputBytes);
  phases.push({ name: 'streaming', bytes: 3 * largest + shard, why: `3 x largest tensor (${formatMB(largest)} float32) + one ${formatMB(shard)} shard` });
  if (o.routingReport) {
    const all = o.plan.reduce((s, t) => s + numel(t.shape), 0) * 4;
    phases.push({ name: 'routing report', bytes: all, why: 'written MoE loaded into tfjs (float32)' });
  }
  return { peakBytes: Math.max(...phases.map((p) => p.bytes)), phases };
}

export function formatMB(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

export function formatMemoryPlan(m: MemoryPlan): string {
  return `expected peak memory: ${formatMB(m.peakBytes)} of tensor data above the ~75 MB Node + tfjs baseline (${m.phases.map((p) => `${p.name} ${formatMB(p.bytes)}: ${p.why}`).join('; ')})`;
}

/** A sampler of this process's resident memory (Node): call `sample()` at checkpoints, `report()` at the end. */
export function memorySampler(): { sample(): void; report(): { startRss: number; peakRss: number; maxRss: number } } {
  const rss = () => (typeof process !== 'undefined' && process.memoryUsage ? process.memoryUsage.rss() : 0);
  const startRss = rss();
  let peakRss = startRss;
  return {
    sample: () => {
      peakRss = Math.max(peakRss, rss());
    },
    report: () => {
      peakRss = Math.max(peakRss, rss());
      // getrusage's maxrss (KiB on Linux) catches peaks between samples.
      const maxRss = typeof process !== 'undefined' && process.resourceUsage ? process.resourceUsage().maxRSS * 1024 : peakRss;
      return { startRss, peakRss, maxRss };
    },
  };
}
