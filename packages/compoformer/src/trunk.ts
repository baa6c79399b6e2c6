/**
 * The shared Decision-Transformer trunk (harmodt.md "Shared substrate" S1,
 * model sizes of compoformer.md section 5), written as a *functional* forward
 * over a record of weight tensors. CompoFormer runs the same trunk under many
 * weight views: the Prune variant multiplies weights by a task's cumulative
 * mask, the Grow variant adds a task's LoRA delta to the attention QKV kernels,
 * and baselines use the raw weights. A functional forward lets each view stay
 * differentiable (gradients reach W through W * M, or A/B through W + sAB)
 * without copying or re-assigning variables.
 *
 * Tokens per step (R_t, s_t, a_t), each Linear-embedded plus a frozen timestep
 * table, then LayerNorm; 3K tokens under a causal mask with left padding
 * masked; pre-LN GPT blocks; final LayerNorm; the output is the state-token
 * features [B, K, D] (the action at step t is read from the s_t token).
 *
 * Belongs in offline-rl: offline-rl's DecisionTransformer is a class with its
 * own variables; this functional form is what weight-masked / adapter views need.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, glorotUniform, ownVariable, randomNormal, toRng, type Rng, type Seed } from '@paperkit/tensor-core';

export interface TrunkOptions {
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

export interface TrunkConfig {
  stateDim: number;
  actDim: number;
  embedDim: number;
  layers: number;
  heads: number;
  context: number;
  ffDim: number;
  maxEpisodeLength: number;
}

/** One trunk weight: its name, shape and whether the Prune variant may mask it. */
export interface ParamSpec {
  name: string;
  shape: number[];
  /** Linear kernels/biases and LayerNorm gains/biases (spec step 4 "prunable"); the timestep table is not. */
  prunable: boolean;
  init: 'glorot' | 'zeros' | 'ones' | 'normal';
}

/** A batch of context windows (all [B, K, ...]); `mask` is 1 for real steps, 0 for left padding. */
export interface WindowBatch {
  states: tf.Tensor3D;
  actions: tf.Tensor3D;
  returns: tf.Tensor3D;
  /** int32 [B, K]. */
  timesteps: tf.Tensor2D;
  mask: tf.Tensor2D;
}

export type TrunkParams = Record<string, tf.Tensor>;

const MASKED = -1e9;

export function resolveTrunkConfig(options: TrunkOptions): TrunkConfig {
  const dim = (name: string, v: unknown, dflt: number) => {
    const x = v ?? dflt;
    if (!Number.isInteger(x) || (x as number) < 1) throw new OptionError(name, 'a positive integer', v);
    return x as number;
  };
  const embedDim = dim('embedDim', options.embedDim, 32);
  const heads = dim('heads', options.heads, 2);
  if (embedDim % heads !== 0) throw new OptionError('heads', `a divisor of embedDim = ${embedDim}`, heads);
  return {
    stateDim: dim('stateDim', options.stateDim, Number.NaN),
    actDim: dim('actDim', options.actDim, Number.NaN),
    embedDim,
    layers: dim('layers', options.layers, 2),
    heads,
    context: dim('context', options.context, 5),
    ffDim: dim('ffDim', options.ffDim, 4 * embedDim),
    maxEpisodeLength: dim('maxEpisodeLength', options.maxEpisodeLength, 64),
  };
}

/** The trunk's weights in a fixed order. */
export function trunkParamSpecs(c: TrunkConfig): ParamSpec[] {
  const D = c.embedDim;
  const lin = (name: string, i: number, o: number): ParamSpec[] => [
    { name: `${name}/kernel`, shape: [i, o], prunable: true, init: 'glorot' },
    { name: `${name}/bias`, shape: [o], prunable: true, init: 'zeros' },
  ];
  const ln = (name: string): ParamSpec[] => [
    { name: `${name}/gamma`, shape: [D], prunable: true, init: 'ones' },
    { name: `${name}/beta`, shape: [D], prunable: true, init: 'zeros' },
  ];
  const specs: ParamSpec[] = [
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

/** Fresh trunk weights as variables (timestep table non-trainable: spec step 4 "timestep table frozen"). */
export function initTrunkParams(c: TrunkConfig, seedOrRng: Seed | Rng | undefined, prefix = 'trunk'): Record<string, tf.Variable> {
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

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta);
}

function linear(x2d: tf.Tensor, p: TrunkParams, name: string): tf.Tensor2D {
  return tf.add(tf.matMul(x2d as tf.Tensor2D, p[`${name}/kernel`] as tf.Tensor2D), p[`${name}/bias`]) as tf.Tensor2D;
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
export function checkWindowBatch(c: TrunkConfig, batch: WindowBatch): void {
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
export function trunkFeatures(c: TrunkConfig, p: TrunkParams, batch: WindowBatch): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, K] = batch.states.shape;
    const D = c.embedDim;
    const rows = B * K;
    const time = tf.reshape(tf.gather(p.embed_timestep, tf.reshape(batch.timesteps, [rows])), [rows, D]);
    const r = tf.add(linear(tf.reshape(batch.returns, [rows, 1]), p, 'embed_return'), time);
    const s = tf.add(linear(tf.reshape(batch.states, [rows, c.stateDim]), p, 'embed_state'), time);
    const a = tf.add(linear(tf.reshape(batch.actions, [rows, c.actDim]), p, 'embed_action'), time);
    const T = 3 * K;
    // (R_1, s_1, a_1, R_2, ...): stack on a new axis after the step axis.
    let h = tf.reshape(tf.stack([tf.reshape(r, [B, K, D]), tf.reshape(s, [B, K, D]), tf.reshape(a, [B, K, D])], 2), [B * T, D]);
    h = layerNorm(h, p['embed_ln/gamma'], p['embed_ln/beta']);
    const padding = tf.mul(tf.sub(1, tf.reshape(tf.tile(tf.reshape(batch.mask, [B, K, 1]), [1, 1, 3]), [B, 1, 1, T])), MASKED);
    const additive = tf.add(causalMask(T), padding); // [B, 1, T, T]
    const H = c.heads;
    const dh = D / H;
    const heads = (x: tf.Tensor) => tf.transpose(tf.reshape(x, [B, T, H, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
    for (let l = 0; l < c.layers; l++) {
      const n1 = layerNorm(h, p[`block${l}/ln1/gamma`], p[`block${l}/ln1/beta`]);
      const q = heads(linear(n1, p, `block${l}/query`));
      const k = heads(linear(n1, p, `block${l}/key`));
      const v = heads(linear(n1, p, `block${l}/value`));
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), additive);
      const ctx = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores, -1) as tf.Tensor4D, v), [0, 2, 1, 3]), [B * T, D]);
      h = tf.add(h, linear(ctx, p, `block${l}/output`));
      const n2 = layerNorm(h, p[`block${l}/ln2/gamma`], p[`block${l}/ln2/beta`]);
      h = tf.add(h, linear(tf.relu(linear(n2, p, `block${l}/fc1`)), p, `block${l}/fc2`));
    }
    h = layerNorm(h, p['final_ln/gamma'], p['final_ln/beta']);
    // State tokens sit at positions 1, 4, 7, ... of each window.
    return tf.reshape(tf.slice(tf.reshape(h, [B, K, 3, D]), [0, 0, 1, 0], [B, K, 1, D]), [B, K, D]) as tf.Tensor3D;
  });
}
