/**
 * Iteration cost model of the simulator (spec §5), in milliseconds. Coefficients are the
 * DistServe OPT-13B TP1 A100-80GB profile
 * (`simdistserve/estimators/profile_data/profiler-a100-80g.distserve.json`):
 *
 *   prefill = 16.46 + 0.09265·ΣL + 6.475e-6·ΣL²         over the prefill chunk lengths L
 *   decode  = 19.93 + 6.269e-4·C + 0.03851·B   if B < 95  (B running, C = Σ context)
 *           =  7.166 + 5.798e-4·C + 0.1583·B   otherwise
 *   mixed   = prefill + decode without the decode intercept
 *
 * so a lone 100-token prompt costs 25.79 ms.
 */

export interface CostModel {
  prefill: { intercept: number; perToken: number; perTokenSquared: number };
  decode: {
    /** B below this uses `small`, otherwise `large`. */
    threshold: number;
    small: { intercept: number; perContextToken: number; perSeq: number };
    large: { intercept: number; perContextToken: number; perSeq: number };
  };
}

export const DISTSERVE_OPT13B_A100: CostModel = {
  prefill: { intercept: 16.46, perToken: 0.09265, perTokenSquared: 6.475e-6 },
  decode: {
    threshold: 95,
    small: { intercept: 19.93, perContextToken: 6.269e-4, perSeq: 0.03851 },
    large: { intercept: 7.166, perContextToken: 5.798e-4, perSeq: 0.1583 },
  },
};

/** What one scheduler iteration runs. */
export interface IterationShape {
  /** ΣL over prefill chunks. */
  prefillTokens: number;
  /** ΣL² over prefill chunks. */
  prefillSquares: number;
  /** B: decoding sequences. */
  decodeSeqs: number;
  /** C: total context (prompt + generated) of the decoding sequences. */
  decodeContext: number;
}

/** Milliseconds one iteration takes (0 for an empty one). */
export function iterationMs(shape: IterationShape, cost: CostModel = DISTSERVE_OPT13B_A100): number {
  const hasPrefill = shape.prefillTokens > 0;
  const hasDecode = shape.decodeSeqs > 0;
  let ms = 0;
  if (hasPrefill) {
    const p = cost.prefill;
    ms += p.intercept + p.perToken * shape.prefillTokens + p.perTokenSquared * shape.prefillSquares;
  }
  if (hasDecode) {
    const d = shape.decodeSeqs < cost.decode.threshold ? cost.decode.small : cost.decode.large;
    ms += (hasPrefill ? 0 : d.intercept) + d.perContextToken * shape.decodeContext + d.perSeq * shape.decodeSeqs;
  }
  return ms;
}
