/**
 * The two iteration schedulers of the simulator (spec §5) and the queueing policies.
 *
 * - `prefill-first` (vLLM v0): whenever the queue head fits (sequence slots, token budget,
 *   KV blocks), run a prefill-only iteration with as many queued prompts as fit, in policy
 *   order, stopping at the first that does not; otherwise decode every running sequence.
 *   Decodes stall for the whole prefill — the source of long TBT gaps.
 * - `chunked` (Sarathi-Serve): every iteration decodes all running sequences and fills the
 *   rest of the budget, up to `chunkSize` prompt tokens, with prefill chunks (partial
 *   prefills first, then new admissions).
 *
 * Policies order the waiting queue and pick preemption victims: `fcfs` by arrival;
 * `priority` by (class, arrival); `drop-on-miss` is fcfs plus aborting a request the moment
 * it misses its TTFT or TBT bound (handled in the simulator).
 */
import type { Replica } from './simulator.js';

export type SchedulerName = 'prefill-first' | 'chunked';

export type Policy =
  | { kind: 'fcfs' }
  | { kind: 'priority' }
  | { kind: 'drop-on-miss'; ttftMs?: number; tbtMs?: number };

/** The batch one iteration runs. */
export interface IterationPlan {
  /** Requests getting a prefill chunk and how many prompt tokens each. */
  prefill: { r: number; tokens: number }[];
  /** Requests decoding one token. */
  decode: number[];
}

export function planPrefillFirst(s: Replica): IterationPlan {
  const prefill: { r: number; tokens: number }[] = [];
  let budget = s.options.maxBatchedTokens;
  let seqs = s.running.length;
  let reservedBlocks = 0;
  for (const r of s.waiting) {
    const tokens = s.prefillRemaining(r);
    // a prompt longer than the budget runs alone (vLLM sizes the budget to the model length)
    if (prefill.length > 0 && tokens > budget) break;
    if (seqs + 1 > s.options.maxNumSeqs) break;
    const need = s.blocksToAdmit(r);
    if (reservedBlocks + need > s.freeBlocks) break;
    prefill.push({ r, tokens });
    reservedBlocks += need;
    budget -= tokens;
    seqs++;
    if (budget <= 0) break;
  }
  if (prefill.length > 0) {
    for (const p of prefill) s.admit(p.r);
    return { prefill, decode: [] };
  }
  s.reserveDecodeBlocks();
  return { prefill: [], decode: s.running.slice() };
}

export function planChunked(s: Replica): IterationPlan {
  s.reserveDecodeBlocks();
  const decode = s.running.slice();
  let budget = Math.min(s.options.chunkSize, s.options.maxBatchedTokens - decode.length);
  const prefill: { r: number; tokens: number }[] = [];
  for (const r of s.prefilling) {
    if (budget <= 0) break;
    const tokens = Math.min(budget, s.prefillRemaining(r));
    prefill.push({ r, tokens });
    budget -= tokens;
  }
  let seqs = s.running.length + s.prefilling.length;
  while (budget > 0 && s.waiting.length > 0) {
    const r = s.waiting[0];
    if (seqs + 1 > s.options.maxNumSeqs) break;
    if (s.blocksToAdmit(r) > s.freeBlocks) break;
    s.admit(r);
    seqs++;
    const tokens = Math.min(budget, s.prefillRemaining(r));
    prefill.push({ r, tokens });
    budget -= tokens;
  }
  return { prefill, decode };
}

/** Sort key of the waiting queue under a policy: smaller runs first. */
export function queueKey(policy: Policy, arrival: number, priority: number): [number, number] {
  return policy.kind === 'priority' ? [priority, arrival] : [0, arrival];
}
