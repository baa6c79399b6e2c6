/**
 * A batch of K-step trajectory windows in plain typed arrays, the one input format of the
 * Decision Transformer family (training windows and the evaluator's live histories alike).
 * Windows are LEFT-padded (padding first, the newest step last), as at inference (§S1).
 */
export interface WindowBatch {
  /** Rows B. */
  size: number;
  /** Steps per window K. */
  context: number;
  stateDim: number;
  actDim: number;
  /** [B*K*stateDim], already normalised. */
  states: Float32Array;
  /** [B*K*actDim]. */
  actions: Float32Array;
  /** [B*K], already divided by the RTG scale. */
  returnsToGo: Float32Array;
  /** [B*K] episode timestep of each step (0 on padding). */
  timesteps: Int32Array;
  /** [B*K] 1 = real step, 0 = padding. */
  mask: Float32Array;
  /** [B] task id of each row. */
  taskIds: Int32Array;
  /** Optional Prompt-DT prompt segments (§S2), one per row. */
  prompt?: PromptBatch;
}

/** Prompt-DT prompt segments: k* steps of (R̂, s, a) per row, with their own timesteps. */
export interface PromptBatch {
  length: number;
  states: Float32Array;
  actions: Float32Array;
  returnsToGo: Float32Array;
  timesteps: Int32Array;
  mask: Float32Array;
}

/** An all-padding batch of `size` rows. */
export function emptyWindowBatch(size: number, context: number, stateDim: number, actDim: number): WindowBatch {
  return {
    size,
    context,
    stateDim,
    actDim,
    states: new Float32Array(size * context * stateDim),
    actions: new Float32Array(size * context * actDim),
    returnsToGo: new Float32Array(size * context),
    timesteps: new Int32Array(size * context),
    mask: new Float32Array(size * context),
    taskIds: new Int32Array(size),
  };
}

/** An all-padding prompt batch. */
export function emptyPromptBatch(size: number, length: number, stateDim: number, actDim: number): PromptBatch {
  return {
    length,
    states: new Float32Array(size * length * stateDim),
    actions: new Float32Array(size * length * actDim),
    returnsToGo: new Float32Array(size * length),
    timesteps: new Int32Array(size * length),
    mask: new Float32Array(size * length),
  };
}
