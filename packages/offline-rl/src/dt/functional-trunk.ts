/**
 * A *functional* Decision-Transformer trunk (harmodt.md "Shared substrate" S1): the forward is
 * a pure function of a record of weight tensors, so the same trunk can run under many weight
 * views and stay differentiable through each: a weight-masked view W * M (PackNet, CompoFormer's
 * Prune variant: gradients reach W through the product), an adapter view W + s·B·A (LoRA), or
 * the raw variables. DecisionTransformer (./decision-transformer.ts) is the class form with its
 * own variables; use this one when weights are shared out between tasks or modules.
 *
 * Tokens per step (R_t, s_t, a_t), each Linear-embedded plus a frozen timestep table, then
 * LayerNorm; 3K tokens under a causal mask with left padding masked; pre-LN GPT blocks
 * (ReLU MLP); final LayerNorm; the output is the state-token features [B, K, D] (the action at
 * step t is read from the s_t token, so a_t and later tokens cannot influence it).
 *
 * Speed (the loop runs every training step of every task): LayerNorm is tensor-core's fused
 * kernel (one kernel forward, one backward) and each Linear is one fused matMul + bias, so a
 * forward is about half the kernels of the plain composition.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, defineOptions, glorotUniform, layerNorm, opt, ownVariable, randomNormal, toRng, type Rng, type Seed } from '@paperkit/tensor-core';
import type { WindowBatch } from '../data/window-batch.js';
import { DT_SIZE_RULES } from './size-rules.js';

export interface FunctionalTrunkOptions {
  stateDim: number;
  actDim: number;
  /** Embedding width D. CPU default 32 (paper 256). */
  embedDim?: number;
  /** Transformer blocks L. CPU default 2 (paper 6). */
  layers?: number;
  /** Attention heads H. CPU default 2 (paper 8). */
  heads?: number;
  /** Context length K in steps. CPU default 5 (paper 20). */
  context?: number;
  /** Block MLP width. Default 4 * embedDim. */
  ffDim?: number;
  /** Size of the timestep table (longest episode). Default 64. */
  maxEpisodeLength?: number;
  seed?: Seed;
  rng?: Rng;
}

export interface FunctionalTrunkConfig {
  stateDim: number;
  actDim: number;
  embedDim: number;
  layers: number;
  heads: number;
  context: number;
  ffDim: number;
  maxEpisodeLength: number;
}

/** One trunk weight: its name, shape and whether a weight-masking method may mask it. */
export interface TrunkWeightSpec {
  name: string;
  shape: number[];
  /** Linear kernels/biases and LayerNorm gains/biases (compoformer.md section 2 step 4 "prunable"); the timestep table is not. */
  prunable: boolean;
  init: 'glorot' | 'zeros' | 'ones' | 'normal';
}

/** A batch of context windows as tensors (all [B, K, ...]); `mask` is 1 for real steps, 0 for left padding. */
export interface WindowTensors {
  states: tf.Tensor3D;
  actions: tf.Tensor3D;
  returns: tf.Tensor3D;
  /** int32 [B, K]. */
  timesteps: tf.Tensor2D;
  mask: tf.Tensor2D;
}

export type TrunkWeights = Record<string, tf.Tensor>;

const MASKED = -1e9;

/**
 * The rules of the trunk's size options, with the CPU defaults (harmodt.md section 5). A learner built on
 * the trunk spreads the ones it exposes into its own `defineOptions` spec, so both check them alike.
 */
export const FUNCTIONAL_TRUNK_RULES = {
  ...DT_SIZE_RULES,
  ffDim: opt.optional(opt.integer({ min: 1 })),
  maxEpisodeLength: opt.integer({ min: 1, default: 64 }),
};
const TRUNK_CONFIG = defineOptions('functionalTrunk', FUNCTIONAL_TRUNK_RULES);

/** The trunk's configuration from `options` (its size fields; anything else, e.g. a learner's other options, is ignored). */
export function resolveFunctionalTrunkConfig(options: FunctionalTrunkOptions): FunctionalTrunkConfig {
  if (options === null || typeof options !== 'object') throw new OptionError('functionalTrunk options', 'an object', options);
  const given = options as unknown as Record<string, unknown>;
  const sizes = Object.fromEntries(Object.keys(FUNCTIONAL_TRUNK_RULES).filter((k) => given[k] !== undefined).map((k) => [k, given[k]]));
  const o = TRUNK_CONFIG.parse(sizes as Parameters<typeof TRUNK_CONFIG.parse>[0]);
  if (o.embedDim % o.heads !== 0) throw new OptionError('functionalTrunk.heads', `a divisor of embedDim = ${o.embedDim}`, o.heads);
  return { ...o, ffDim: o.ffDim ?? 4 * o.embedDim };
}

/** The trunk's weights in a fixed order. */
export function trunkParamSpecs(c: FunctionalTrunkConfig): TrunkWeightSpec[] {
  const D = c.embedDim;
  const lin = (name: string, i: number, o: number): TrunkWeightSpec[] => [
    { name: `${name}/kernel`, shape: [i, o], prunable: true, init: 'glorot' },
    { name: `${name}/bias`, shape: [o], prunable: true, init: 'zeros' },
  ];
  const ln = (name: string): TrunkWeightSpec[] => [
    { name: `${name}/gamma`, shape: [D], prunable: true, init: 'ones' },
    { name: `${name}/beta`, shape: [D], prunable: true, init: 'zeros' },
  ];
  const specs: TrunkWeightSpec[] = [
    ...lin('embed_state', c.stateDim, D),
    ...lin('embed_action', c.actDim, D),
    ...lin('embed_return', 1, D),
    { name: 'embed_timestep', shape: [c.maxEpisodeLength, D], prunable: false, init: 'normal' },
    ...ln('embed_ln'),
  ];
  for (let l = 0; l < c.layers; l++) {
    specs.push(...ln(`block${l}/ln1`), ...lin(`block${l}/query`, D, D), ...lin(`block${l}/key`, D, D), ...lin(`block${l}/value`, D, D));
    specs.push(...lin(`block${l}/output`, D, D), ...ln(`block${l}/ln2`), ...lin(`block${l}/fc1`, D, c.ffDim), ...lin(`block${l}/fc2`, c.ffDim, D));
  }
  specs.push(...ln('final_ln'));
  return specs;
}

/** Fresh trunk weights as variables (the timestep table is not trainable, as CompoFormer freezes it). */
export function initTrunkWeights(c: FunctionalTrunkConfig, seedOrRng: Seed | Rng | undefined, prefix = 'trunk'): Record<string, tf.Variable> {
  const rng = toRng(seedOrRng ?? 0);
  const out: Record<string, tf.Variable> = {};
  for (const spec of trunkParamSpecs(c)) {
    const t =
      spec.init === 'glorot' ? glorotUniform(rng, spec.shape)
      : spec.init === 'normal' ? randomNormal(rng, spec.shape, 0, 0.02)
      : spec.init === 'ones' ? tf.ones(spec.shape)
      : tf.zeros(spec.shape);
    out[spec.name] = ownVariable(t, `${prefix}/${spec.name}`, spec.name !== 'embed_timestep');
  }
  return out;
}

function linear(x2d: tf.Tensor, p: TrunkWeights, name: string): tf.Tensor2D {
  return tf.fused.matMul({ a: x2d as tf.Tensor2D, b: p[`${name}/kernel`] as tf.Tensor2D, bias: p[`${name}/bias`] }) as tf.Tensor2D;
}

/** Causal [3K, 3K] additive mask (0 on/below the diagonal). Cached per length. */
const causalCache = new Map<number, tf.Tensor2D>();
function causalMask(n: number): tf.Tensor2D {
  let m = causalCache.get(n);
  if (!m || m.isDisposed) {
    const data = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) data[i * n + j] = MASKED;
    m = tf.keep(tf.tensor2d(data, [n, n]));
    causalCache.set(n, m);
  }
  return m;
}

/** Check a window batch against the trunk's dimensions (shape errors name the tensor). */
export function checkWindowBatch(c: FunctionalTrunkConfig, batch: WindowTensors): void {
  const [b, k] = batch.states.shape;
  const want = (name: string, t: tf.Tensor, shape: number[]) => {
    if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new ShapeError(`window ${name}`, `[${shape.join(', ')}]`, t.shape);
  };
  if (k > c.context) throw new ShapeError('window states', `[B, K <= ${c.context}, ${c.stateDim}]`, batch.states.shape);
  want('states', batch.states, [b, k, c.stateDim]);
  want('actions', batch.actions, [b, k, c.actDim]);
  want('returns', batch.returns, [b, k, 1]);
  want('timesteps', batch.timesteps, [b, k]);
  want('mask', batch.mask, [b, k]);
}

/**
 * State-token features [B, K, D] of the trunk under the weights `p` (any view).
 * Pure function of its inputs: call it inside a tidy or a gradient tape.
 */
export function trunkFeatures(c: FunctionalTrunkConfig, p: TrunkWeights, batch: WindowTensors): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, K] = batch.states.shape;
    const D = c.embedDim;
    const rows = B * K;
    const time = tf.reshape(tf.gather(p.embed_timestep, tf.reshape(batch.timesteps, [rows])), [rows, D]);
    const r = tf.add(linear(tf.reshape(batch.returns, [rows, 1]), p, 'embed_return'), time);
    const s = tf.add(linear(tf.reshape(batch.states, [rows, c.stateDim]), p, 'embed_state'), time);
    const a = tf.add(linear(tf.reshape(batch.actions, [rows, c.actDim]), p, 'embed_action'), time);
    const T = 3 * K;
    // Token count padded to a multiple of 4 with zero tokens at the end: wasm's batched matMul has a SIMD
    // kernel only for output widths divisible by 4, and T = 15 (K = 5) made the score matmuls ~4x slower.
    // The causal mask keeps every real token from seeing the extra ones, so the outputs are unchanged.
    const Tp = Math.ceil(T / 4) * 4;
    // (R_1, s_1, a_1, R_2, ...): stack on a new axis after the step axis.
    let h = tf.reshape(tf.stack([tf.reshape(r, [B, K, D]), tf.reshape(s, [B, K, D]), tf.reshape(a, [B, K, D])], 2), [B * T, D]);
    h = layerNorm(h, p['embed_ln/gamma'], p['embed_ln/beta']);
    let keys = tf.reshape(tf.tile(tf.reshape(batch.mask, [B, K, 1]), [1, 1, 3]), [B, T]);
    if (Tp > T) {
      h = tf.reshape(tf.pad(tf.reshape(h, [B, T, D]), [[0, 0], [0, Tp - T], [0, 0]]), [B * Tp, D]);
      keys = tf.pad(keys, [[0, 0], [0, Tp - T]], 1);
    }
    const padding = tf.mul(tf.sub(1, tf.reshape(keys, [B, 1, 1, Tp])), MASKED);
    const additive = tf.add(causalMask(Tp), padding); // [B, 1, Tp, Tp]
    const H = c.heads;
    const dh = D / H;
    const heads = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [B, Tp, H, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
    for (let l = 0; l < c.layers; l++) {
      const n1 = layerNorm(h, p[`block${l}/ln1/gamma`], p[`block${l}/ln1/beta`]);
      const q = heads(linear(n1, p, `block${l}/query`));
      const k = heads(linear(n1, p, `block${l}/key`));
      const v = heads(linear(n1, p, `block${l}/value`));
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), additive);
      const ctx = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores, -1) as tf.Tensor4D, v), [0, 2, 1, 3]), [B * Tp, D]);
      h = tf.add(h, linear(ctx, p, `block${l}/output`));
      const n2 = layerNorm(h, p[`block${l}/ln2/gamma`], p[`block${l}/ln2/beta`]);
      const hidden = tf.fused.matMul({ a: n2 as tf.Tensor2D, b: p[`block${l}/fc1/kernel`] as tf.Tensor2D, bias: p[`block${l}/fc1/bias`], activation: 'relu' }) as tf.Tensor2D;
      h = tf.add(h, linear(hidden, p, `block${l}/fc2`));
    }
    // State tokens sit at positions 1, 4, 7, ... of each window; the final LayerNorm is per token, so only they need it.
    const real = Tp > T ? tf.slice(tf.reshape(h, [B, Tp, D]), [0, 0, 0], [B, T, D]) : h;
    const states = tf.reshape(tf.slice(tf.reshape(real, [B, K, 3, D]), [0, 0, 1, 0], [B, K, 1, D]), [B * K, D]);
    return tf.reshape(layerNorm(states, p['final_ln/gamma'], p['final_ln/beta']), [B, K, D]) as tf.Tensor3D;
  });
}

/** A typed-array WindowBatch (./data/window-batch.ts) as tensors (caller disposes). */
export function windowTensors(w: WindowBatch): WindowTensors {
  const shape = [w.size, w.context];
  return {
    states: tf.tensor3d(w.states, [w.size, w.context, w.stateDim]),
    actions: tf.tensor3d(w.actions, [w.size, w.context, w.actDim]),
    returns: tf.tensor3d(w.returnsToGo, [w.size, w.context, 1]),
    timesteps: tf.tensor2d(w.timesteps, shape as [number, number], 'int32'),
    mask: tf.tensor2d(w.mask, shape as [number, number]),
  };
}

/** Rows `idx` of every window tensor (inside the caller's tidy or tape). */
export function takeWindowRows(batch: WindowTensors, idx: tf.Tensor1D): WindowTensors {
  return {
    states: tf.gather(batch.states, idx) as tf.Tensor3D,
    actions: tf.gather(batch.actions, idx) as tf.Tensor3D,
    returns: tf.gather(batch.returns, idx) as tf.Tensor3D,
    timesteps: tf.gather(batch.timesteps, idx) as tf.Tensor2D,
    mask: tf.gather(batch.mask, idx) as tf.Tensor2D,
  };
}

export function disposeWindowTensors(batch: WindowTensors): void {
  tf.dispose([batch.states, batch.actions, batch.returns, batch.timesteps, batch.mask]);
}
