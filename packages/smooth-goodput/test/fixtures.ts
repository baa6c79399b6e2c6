import type { Trace } from '../src/index.js';

/** Spec §3 Fig. 1 trace A: tokens 1–10 at 0.1…1.0 s, token 11 at 2.0 s, 12–20 every 0.1 s. */
export const FIG1_A: Trace = {
  id: 'A',
  arrival: 0,
  tokenTimes: [...Array.from({ length: 10 }, (_, i) => (i + 1) / 10), 2.0, ...Array.from({ length: 9 }, (_, i) => 2 + (i + 1) / 10)],
};

/** Spec §3 Fig. 1 trace B: 0.1, 0.2, token 3 at 1.2 s, then every 0.05 s. */
export const FIG1_B: Trace = {
  id: 'B',
  arrival: 0,
  tokenTimes: [0.1, 0.2, 1.2, ...Array.from({ length: 17 }, (_, i) => 1.2 + (i + 1) * 0.05)],
};

/** Spec §7: r1 10 tokens at 0.1…1.0 s, r2 tokens at 1.2/1.3/1.4 s, both committed at 0. */
export const HAND_PAIR: Trace[] = [
  { id: 'r1', arrival: 0, tokenTimes: Array.from({ length: 10 }, (_, i) => (i + 1) / 10) },
  { id: 'r2', arrival: 0, tokenTimes: [1.2, 1.3, 1.4] },
];

/** Hand-computed vLLM fixture (values worked out in vllm-metrics.test.ts). */
export const VLLM_FIXTURE: Trace[] = [
  { id: 'r0', arrival: 0, tokenTimes: [0.1, 0.3, 0.4], promptTokens: 10 },
  { id: 'r1', arrival: 1, tokenTimes: [1.2, 1.5], tokensPerEvent: [1, 3], promptTokens: 20 },
  { id: 'r2', arrival: 2, tokenTimes: [2.05], promptTokens: 5 },
  { id: 'r3', arrival: 2.5, tokenTimes: [], status: 'failed', droppedAt: 2.6 },
];
