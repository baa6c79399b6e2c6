/**
 * Return-to-go (Decision Transformer, harmodt.md §S1): R̂_t = Σ_{t' >= t} r_t'.
 * [1, 2, 3] -> [6, 5, 3]. Accumulated in double precision, stored float32.
 */
export function returnToGo(rewards: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rewards.length);
  let acc = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    acc += rewards[t];
    out[t] = acc;
  }
  return out;
}

/**
 * Inference-time conditioning (§S1 "Eval"): R̂_0 = target, R̂_{t+1} = R̂_t - r_t, each divided by
 * `scale`. With target 10 and rewards [1, 2] the conditioning is [10, 9, 7] / scale: the value
 * fed at step t has already subtracted every reward received before t (never the current one,
 * the off-by-one users hit in d3rlpy#401).
 */
export function conditioningReturns(target: number, rewardsSoFar: ArrayLike<number>, scale = 1): Float32Array {
  const out = new Float32Array(rewardsSoFar.length + 1);
  let r = target;
  out[0] = r / scale;
  for (let t = 0; t < rewardsSoFar.length; t++) {
    r -= rewardsSoFar[t];
    out[t + 1] = r / scale;
  }
  return out;
}
