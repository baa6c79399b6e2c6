/**
 * A small GPT-style causal transformer encoder: input embedding + learned
 * positional embedding, nLayers pre-LN blocks
 *   h = h + Attn(LN(h));  h = h + MLP(LN(h))   (MLP: Dense dModel->dFF, GELU, Dense dFF->dModel)
 * and a final LayerNorm. apply() returns hidden states [B, T, dModel]; heads
 * (action, logits) belong to the method packages.
 *
 * Inputs: with `vocabSize`, int32 token ids [B, T]; with `inputDim`, continuous
 * tokens [B, T, inputDim] through a Dense projection (decision-transformer style
 * (return, state, action) tokens: harmodt.md S1, compoformer.md). Method packages
 * that embed tokens themselves call `encode(h)` on [B, T, dModel] directly.
 *
 * Token embedding: default 'onehot' = oneHot(ids) @ table. Its gradient is a
 * plain matMul, so it trains on every backend with no fallback kernel (wasm has
 * no UnsortedSegmentSum, which tf.gather's gradient needs; harmodt.md notes),
 * and costs B*T*V*dModel flops: fine for the vocabularies paperkit's synthetic
 * tasks use (tens to a few thousand). 'gather' is the better choice for large
 * vocabularies on cpu/tensorflow, or on wasm once the fallback kernels are registered.
 *
 * Attention goes through tensor-core's causalAttention (src/ops/causal-attention.ts).
 * Where its fused kernel is the default (the cpu backend) that is one kernel
 * forward and one backward per layer, reading the heads straight out of the
 * q/k/v projections ([B, T, H, dHead], no transposes) and skipping future and
 * padded keys. Elsewhere (wasm, where the composition measured faster; see
 * docs/performance.md, round 3) it is the composition with a constant additive
 * mask [maxLen, maxLen] (0 on and below the diagonal, -1e9 above, built once in
 * the constructor, so no comparison op runs under the gradient tape). Dropout
 * (embeddings and both residual branches) draws its masks from the seeded Rng.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { randomNormal, toRng, type Rng, type Seed } from '../random.js';
import { causalAttention, causalAttentionFuses } from '../ops/causal-attention.js';
import { checkActivation, type Activation } from './activations.js';
import { Dense, checkDim } from './dense.js';
import { seededDropout } from './dropout.js';
import { Module, ownVariable } from './module.js';
import { LayerNorm } from './norms.js';

export interface CausalTransformerOptions {
  /** Token vocabulary (input = int32 ids [B, T]). Exactly one of vocabSize / inputDim. */
  vocabSize?: number;
  /** Continuous input width (input = float [B, T, inputDim]). */
  inputDim?: number;
  dModel: number;
  /** Must divide dModel. */
  nHeads: number;
  nLayers: number;
  /** Hidden width of the block MLP (GPT uses 4 * dModel). */
  dFF: number;
  /** Longest sequence apply() accepts (size of the positional table and the mask). */
  maxLen: number;
  /** Dropout rate for embeddings and residual branches when training. Default 0. */
  dropout?: number;
  /** Block MLP activation. Default 'gelu' (harmodt's official DT uses 'relu'). */
  activation?: Activation;
  /** 'learned' (default) adds a trainable [maxLen, dModel] table; 'none' leaves positions to the caller (e.g. DT timestep embeddings). */
  positional?: 'learned' | 'none';
  /** Token lookup for vocabSize inputs: 'onehot' (default, see above) or 'gather'. */
  embedding?: 'onehot' | 'gather';
  seed?: Seed;
  rng?: Rng;
  name?: string;
}

export interface TransformerApplyOptions {
  /** Enables dropout. Default false. */
  training?: boolean;
  /** Dropout mask generator; default the model's own stream. */
  rng?: Rng;
  /**
   * Key padding mask [B, T]: 1 = real token, 0 = padding (never attended to).
   * Build it outside the taped function; it enters as an additive (1 - m) * -1e9 term.
   */
  attentionMask?: tf.Tensor;
}

const MASKED = -1e9;

/** Causal self-attention, optionally hiding padded keys (keyMask [B, T], float: 1 = token, 0 = padding). */
export interface CausalMask {
  keyMask?: tf.Tensor;
}

/** Multi-head causal self-attention with separate q/k/v/output projections. */
export class CausalSelfAttention extends Module {
  readonly query: Dense;
  readonly key: Dense;
  readonly value: Dense;
  readonly output: Dense;

  constructor(
    readonly dModel: number,
    readonly nHeads: number,
    rng: Rng,
    name: string,
  ) {
    super();
    this.query = new Dense({ inDim: dModel, outDim: dModel, rng, name: `${name}/query` });
    this.key = new Dense({ inDim: dModel, outDim: dModel, rng, name: `${name}/key` });
    this.value = new Dense({ inDim: dModel, outDim: dModel, rng, name: `${name}/value` });
    this.output = new Dense({ inDim: dModel, outDim: dModel, rng, name: `${name}/output` });
  }

  get variables(): tf.Variable[] {
    return [...this.query.variables, ...this.key.variables, ...this.value.variables, ...this.output.variables];
  }

  /**
   * x [B, T, d]. `mask` is either a CausalMask (causal attention, optionally
   * with a key padding mask: the fused kernel) or, as before, any additive
   * mask broadcastable to [B, H, T, T] (the unfused composition).
   */
  apply(x: tf.Tensor3D, mask: tf.Tensor | CausalMask): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = x.shape;
      const dHead = this.dModel / this.nHeads;
      const split = (h: tf.Tensor) => tf.reshape(h, [b, t, this.nHeads, dHead]) as tf.Tensor4D;
      const q = split(this.query.apply(x));
      const k = split(this.key.apply(x));
      const v = split(this.value.apply(x));
      let context: tf.Tensor;
      if (mask instanceof tf.Tensor) {
        const heads = (h: tf.Tensor4D) => tf.transpose(h, [0, 2, 1, 3]) as tf.Tensor4D;
        const scores = tf.add(tf.mul(tf.matMul(heads(q), heads(k), false, true), 1 / Math.sqrt(dHead)), mask);
        context = tf.transpose(tf.matMul(tf.softmax(scores, -1) as tf.Tensor4D, heads(v)), [0, 2, 1, 3]);
      } else {
        context = causalAttention(q, k, v, { layout: 'bthd', keyMask: mask.keyMask });
      }
      return this.output.apply(tf.reshape(context, [b, t, this.dModel])) as tf.Tensor3D;
    });
  }
}

/** Pre-LN transformer block. */
export class TransformerBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attention: CausalSelfAttention;
  readonly norm2: LayerNorm;
  readonly fc1: Dense;
  readonly fc2: Dense;

  constructor(dModel: number, nHeads: number, dFF: number, activation: Activation, rng: Rng, name: string) {
    super();
    this.norm1 = new LayerNorm({ dim: dModel, name: `${name}/norm1` });
    this.attention = new CausalSelfAttention(dModel, nHeads, rng, `${name}/attention`);
    this.norm2 = new LayerNorm({ dim: dModel, name: `${name}/norm2` });
    this.fc1 = new Dense({ inDim: dModel, outDim: dFF, activation, rng, name: `${name}/fc1` });
    this.fc2 = new Dense({ inDim: dFF, outDim: dModel, rng, name: `${name}/fc2` });
  }

  get variables(): tf.Variable[] {
    return [
      ...this.norm1.variables,
      ...this.attention.variables,
      ...this.norm2.variables,
      ...this.fc1.variables,
      ...this.fc2.variables,
    ];
  }

  /** `mask`: see CausalSelfAttention.apply. */
  apply(h: tf.Tensor3D, mask: tf.Tensor | CausalMask, dropout: number, rng: Rng | null): tf.Tensor3D {
    return tf.tidy(() => {
      const drop = (y: tf.Tensor) => (rng && dropout > 0 ? seededDropout(y, dropout, rng) : y);
      const attended = drop(this.attention.apply(this.norm1.apply(h) as tf.Tensor3D, mask));
      const h1 = tf.add(h, attended);
      const mlpOut = drop(this.fc2.apply(this.fc1.apply(this.norm2.apply(h1))));
      return tf.add(h1, mlpOut) as tf.Tensor3D;
    });
  }
}

export class CausalTransformer extends Module {
  readonly vocabSize: number | null;
  readonly inputDim: number | null;
  readonly dModel: number;
  readonly nHeads: number;
  readonly nLayers: number;
  readonly dFF: number;
  readonly maxLen: number;
  readonly dropout: number;
  readonly embedding: 'onehot' | 'gather';
  /** [vocabSize, dModel] table (token inputs), else null. */
  readonly tokenEmbedding: tf.Variable | null;
  /** Dense inputDim -> dModel (continuous inputs), else null. */
  readonly inputProjection: Dense | null;
  /** [maxLen, dModel] learned positions, or null with positional 'none'. */
  readonly positionEmbedding: tf.Variable | null;
  readonly blocks: TransformerBlock[];
  readonly finalNorm: LayerNorm;
  private readonly causalMask: tf.Tensor2D;
  private readonly dropoutRng: Rng;

  constructor(options: CausalTransformerOptions) {
    super();
    const hasVocab = options.vocabSize !== undefined;
    if (hasVocab === (options.inputDim !== undefined)) {
      throw new OptionError('vocabSize | inputDim', 'exactly one of them', { vocabSize: options.vocabSize, inputDim: options.inputDim });
    }
    this.vocabSize = hasVocab ? checkDim('vocabSize', options.vocabSize) : null;
    this.inputDim = hasVocab ? null : checkDim('inputDim', options.inputDim);
    this.dModel = checkDim('dModel', options.dModel);
    this.nHeads = checkDim('nHeads', options.nHeads);
    if (this.dModel % this.nHeads !== 0) throw new OptionError('nHeads', `a divisor of dModel = ${this.dModel}`, options.nHeads);
    this.nLayers = checkDim('nLayers', options.nLayers);
    this.dFF = checkDim('dFF', options.dFF);
    this.maxLen = checkDim('maxLen', options.maxLen);
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new OptionError('dropout', 'a rate in [0, 1)', options.dropout);
    const activation = checkActivation('activation', options.activation ?? 'gelu');
    this.embedding = options.embedding ?? 'onehot';
    if (this.embedding !== 'onehot' && this.embedding !== 'gather') {
      throw new OptionError('embedding', "'onehot' | 'gather'", options.embedding);
    }
    const positional = options.positional ?? 'learned';
    if (positional !== 'learned' && positional !== 'none') throw new OptionError('positional', "'learned' | 'none'", positional);

    const rng = options.rng ?? toRng(options.seed ?? 0);
    const name = options.name ?? 'causal_transformer';
    // GPT-2 style N(0, 0.02) embedding tables.
    this.tokenEmbedding = this.vocabSize
      ? ownVariable(randomNormal(rng, [this.vocabSize, this.dModel], 0, 0.02), `${name}/token_embedding`)
      : null;
    this.inputProjection = this.inputDim
      ? new Dense({ inDim: this.inputDim, outDim: this.dModel, rng, name: `${name}/input_projection` })
      : null;
    this.positionEmbedding =
      positional === 'learned' ? ownVariable(randomNormal(rng, [this.maxLen, this.dModel], 0, 0.02), `${name}/position_embedding`) : null;
    this.blocks = [];
    for (let i = 0; i < this.nLayers; i++) {
      this.blocks.push(new TransformerBlock(this.dModel, this.nHeads, this.dFF, activation, rng, `${name}/block${i}`));
    }
    this.finalNorm = new LayerNorm({ dim: this.dModel, name: `${name}/final_norm` });

    const mask = new Float32Array(this.maxLen * this.maxLen);
    for (let i = 0; i < this.maxLen; i++) for (let j = i + 1; j < this.maxLen; j++) mask[i * this.maxLen + j] = MASKED;
    this.causalMask = tf.tensor2d(mask, [this.maxLen, this.maxLen]);
    this.dropoutRng = rng.fork('dropout');
  }

  get variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    if (this.tokenEmbedding) out.push(this.tokenEmbedding);
    if (this.inputProjection) out.push(...this.inputProjection.variables);
    if (this.positionEmbedding) out.push(this.positionEmbedding);
    for (const block of this.blocks) out.push(...block.variables);
    out.push(...this.finalNorm.variables);
    return out;
  }

  /** Input (ids [B, T] or features [B, T, inputDim]) -> embeddings + positions [B, T, dModel] (no dropout). */
  embed(input: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      let h: tf.Tensor3D;
      if (this.tokenEmbedding) {
        if (input.rank !== 2) throw new ShapeError('CausalTransformer input tokens', '[B, T] int32 token ids', input.shape);
        const [b, t] = input.shape;
        this.checkLength(t);
        const ids = input.dtype === 'int32' ? input : tf.cast(input, 'int32');
        if (this.embedding === 'gather') {
          h = tf.gather(this.tokenEmbedding, ids) as tf.Tensor3D;
        } else {
          const oneHot = tf.oneHot(tf.reshape(ids, [b * t]), this.vocabSize!, 1, 0, 'float32') as tf.Tensor2D;
          h = tf.reshape(tf.matMul(oneHot, this.tokenEmbedding as tf.Tensor2D), [b, t, this.dModel]);
        }
      } else {
        if (input.rank !== 3 || input.shape[2] !== this.inputDim) {
          throw new ShapeError('CausalTransformer input x', `[B, T, ${this.inputDim}]`, input.shape);
        }
        this.checkLength(input.shape[1] as number);
        h = this.inputProjection!.apply(input) as tf.Tensor3D;
      }
      if (this.positionEmbedding) {
        const t = h.shape[1];
        h = tf.add(h, tf.slice(this.positionEmbedding as tf.Tensor2D, [0, 0], [t, this.dModel]));
      }
      return h;
    });
  }

  /** Already embedded h [B, T, dModel] -> blocks -> final LayerNorm -> [B, T, dModel]. */
  encode(h: tf.Tensor, options: TransformerApplyOptions = {}): tf.Tensor3D {
    if (h.rank !== 3 || h.shape[2] !== this.dModel) throw new ShapeError('CausalTransformer hidden h', `[B, T, ${this.dModel}]`, h.shape);
    const [b, t] = h.shape;
    this.checkLength(t);
    const mask = options.attentionMask;
    if (mask && (mask.rank !== 2 || mask.shape[0] !== b || mask.shape[1] !== t)) {
      throw new ShapeError('attentionMask', `[${b}, ${t}] (1 = token, 0 = padding)`, mask.shape);
    }
    const rng = options.training && this.dropout > 0 ? (options.rng ?? this.dropoutRng) : null;
    return tf.tidy(() => {
      let attention: tf.Tensor | CausalMask;
      if (causalAttentionFuses(mask !== undefined)) {
        attention = { keyMask: mask ? tf.cast(mask, 'float32') : undefined };
      } else {
        attention = tf.slice(this.causalMask, [0, 0], [t, t]);
        if (mask) {
          const padding = tf.mul(tf.sub(1, tf.cast(mask, 'float32')), MASKED);
          attention = tf.add(attention, tf.reshape(padding, [b, 1, 1, t]));
        }
      }
      let x = h as tf.Tensor3D;
      if (rng) x = seededDropout(x, this.dropout, rng) as tf.Tensor3D;
      for (const block of this.blocks) x = block.apply(x, attention, this.dropout, rng);
      return this.finalNorm.apply(x) as tf.Tensor3D;
    });
  }

  /** ids [B, T] or x [B, T, inputDim] -> hidden states [B, T, dModel]. */
  apply(input: tf.Tensor, options: TransformerApplyOptions = {}): tf.Tensor3D {
    return tf.tidy(() => this.encode(this.embed(input), options));
  }

  override dispose(): void {
    super.dispose();
    if (!this.causalMask.isDisposed) this.causalMask.dispose();
  }

  private checkLength(t: number): void {
    if (t < 1 || t > this.maxLen) throw new ShapeError('CausalTransformer sequence', `length T in [1, maxLen = ${this.maxLen}]`, `T = ${t}`);
  }
}
