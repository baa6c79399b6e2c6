/**
 * MergeME's heterogeneous MoE (spec section 2, "Heterogeneous"): experts of
 * different widths d_i share one embedding and LM head of width
 * d_m = max_i d_i (the experts' own, zero-padded to d_m and averaged); each
 * expert sits behind a learned Proj-in_i: R^{d_m} -> R^{d_i} and
 * Proj-out_i: R^{d_i} -> R^{d_m} (random-init MLPs); a sequence router scores
 * alpha = softmax(top-K(G mean_j e_j)) and
 *   out = sum_k alpha_k Proj-out_k(Expert_k(Proj-in_k(e))).
 * The result must be fine-tuned (all variables are trainable), as in the paper.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, Dense, MLP, Module, OptionError, type Seed } from '@paperkit/tensor-core';
import { embedTokens } from './llama/decoder.js';
import type { TinyLlama } from './llama/tiny-llama.js';
import type { CausalLM } from './lm-eval.js';

export interface ProjectorMoEOptions {
  /** Trained experts (tiny Llamas of any width, same vocabulary). Their variables are trained too. */
  experts: TinyLlama[];
  /** Experts per sequence (default 1). */
  topK?: number;
  /** Seed of the projector and router initialisation (default 0). */
  seed?: Seed;
}

/** Numbers the instances so their tfjs variable names stay unique. */
let instances = 0;

/** The top-K mask of router scores, with no gradient (topk has none in tfjs). */
const topKMask = (k: number) =>
  tf.customGrad(((scores: tf.Tensor) => ({
    value: tf.tidy(() => tf.sum(tf.oneHot(tf.topk(scores, k).indices, scores.shape[1]!), 1)),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);

export class ProjectorMoE extends Module implements CausalLM {
  readonly width: number;
  readonly topK: number;
  readonly embed: tf.Variable;
  readonly head: tf.Variable;
  readonly router: Dense;
  readonly projIn: MLP[];
  readonly projOut: MLP[];
  private readonly experts: TinyLlama[];

  constructor(options: ProjectorMoEOptions) {
    super();
    const experts = options.experts;
    if (experts.length === 0) throw new OptionError('experts', 'at least one expert', 0);
    const vocab = experts[0].config.vocab_size;
    experts.forEach((e, i) => {
      if (e.config.vocab_size !== vocab) throw new OptionError(`experts[${i}].vocab_size`, `${vocab} (a shared vocabulary)`, e.config.vocab_size);
    });
    this.experts = experts;
    this.topK = options.topK ?? 1;
    if (!Number.isInteger(this.topK) || this.topK < 1 || this.topK > experts.length) throw new OptionError('topK', `an integer in [1, ${experts.length}]`, this.topK);
    const dm = Math.max(...experts.map((e) => e.config.hidden_size));
    this.width = dm;
    const padMean = (pick: (e: TinyLlama) => tf.Tensor) =>
      tf.tidy(() => tf.div(tf.addN(experts.map((e) => tf.pad(pick(e), [[0, 0], [0, dm - e.config.hidden_size]]))), experts.length));
    const headOf = (e: TinyLlama) => e.tensor(e.config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight');
    instances += 1;
    const embed = padMean((e) => e.tensor('model.embed_tokens.weight'));
    const head = padMean(headOf);
    this.embed = tf.variable(embed, true, `projector_moe_${instances}/embed`);
    this.head = tf.variable(head, true, `projector_moe_${instances}/head`);
    tf.dispose([embed, head]);
    const rng = createRng(options.seed ?? 0);
    this.router = new Dense({ inDim: dm, outDim: experts.length, bias: false, rng: rng.fork('router'), name: `projector_moe_${instances}/router` });
    this.projIn = experts.map((e, i) => new MLP({ sizes: [dm, dm, e.config.hidden_size], activation: 'gelu', rng: rng.fork(`in${i}`) }));
    this.projOut = experts.map((e, i) => new MLP({ sizes: [e.config.hidden_size, dm, dm], activation: 'gelu', rng: rng.fork(`out${i}`) }));
  }

  get variables(): tf.Variable[] {
    return [
      this.embed,
      this.head,
      ...this.router.variables,
      ...this.projIn.flatMap((m) => m.variables),
      ...this.projOut.flatMap((m) => m.variables),
      ...this.experts.flatMap((e) => e.variables),
    ];
  }

  /** Sequence routing weights [B, E]: softmax over the top-K of G * mean_j e_j. */
  routeWeights(ids: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const e = tf.reshape(embedTokens(ids, this.embed as unknown as tf.Tensor2D), [B, T, this.width]);
      const scores = this.router.apply(tf.mean(e, 1)) as tf.Tensor2D;
      if (this.topK === this.experts.length) return tf.softmax(scores);
      const mask = topKMask(this.topK)(scores);
      return tf.softmax(tf.add(scores, tf.mul(tf.sub(1, mask), -1e9))) as tf.Tensor2D;
    });
  }

  logits(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const e = embedTokens(ids, this.embed as unknown as tf.Tensor2D); // [B*T, dm]
      const alpha = this.routeWeights(ids); // [B, E]
      const mixed = this.experts.map((expert, k) => {
        const hidden = expert.body(this.projIn[k].apply(e) as tf.Tensor2D, B, T);
        const back = this.projOut[k].apply(hidden) as tf.Tensor2D;
        const a = tf.reshape(tf.tile(tf.slice(alpha, [0, k], [B, 1]), [1, T]), [B * T, 1]);
        return tf.mul(back, a);
      });
      const out = tf.matMul(tf.addN(mixed), this.head, false, true);
      return tf.reshape(out, [B, T, -1]) as tf.Tensor3D;
    });
  }
}
