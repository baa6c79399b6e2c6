/**
 * A tfjs forward pass of a Mixtral checkpoint (the file buildMoE wrote), so
 * the reproduction evaluates exactly what the CLI produced. Router (spec
 * section 2): p = softmax(G_l h), keep the top-k, renormalise them to sum 1,
 * y = sum_e p_e FFN_e(h). For small models every expert runs densely and the
 * renormalised top-k weights mask the sum (same result, simpler kernels).
 * With `trainable: true` the weights are tfjs variables, so the MoE can be
 * fine-tuned (router only: `routerVariables`; everything: `variables`); the
 * top-k selection passes no gradient, the softmax weights do (top-k-routing.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { FormatError, RMSNorm } from '@paperkit/tensor-core';
import type { TensorReader } from './checkpoint-types.js';
import { decoderForward, type DecoderWeights } from './llama/decoder.js';
import { readLlamaConfig, type LlamaConfig } from './llama/llama-config.js';
import { swiglu } from './llama/swiglu.js';
import { expertTensorName, gateTensorName } from './mixtral-layout.js';
import { safetensorsReader } from './safetensors-reader.js';
import { topKRouting } from './top-k-routing.js';

export interface MixtralOutput {
  logits: tf.Tensor3D;
  /** [L, B*T] int32 top-1 expert per token and layer (when asked). */
  top1?: tf.Tensor2D;
}

export class MixtralModel {
  readonly config: LlamaConfig;
  readonly numExperts: number;
  readonly expertsPerToken: number;
  private readonly weights = new Map<string, tf.Tensor>();
  private readonly norms = new Map<string, RMSNorm>();

  constructor(
    rawConfig: Record<string, unknown>,
    tensors: Map<string, { shape: number[]; data: Float32Array }>,
    source = 'config.json',
    options: { trainable?: boolean } = {},
  ) {
    const trainable = options.trainable ?? false;
    if (rawConfig.model_type !== 'mixtral') throw new FormatError(source, `expected model_type "mixtral", got ${JSON.stringify(rawConfig.model_type)}`);
    this.config = readLlamaConfig({ ...rawConfig, model_type: 'mistral' }, source);
    this.numExperts = Number(rawConfig.num_local_experts);
    this.expertsPerToken = Number(rawConfig.num_experts_per_tok);
    for (const [name, t] of tensors) {
      if (name.endsWith('layernorm.weight') || name === 'model.norm.weight') {
        const norm = new RMSNorm({ dim: t.shape[0], eps: this.config.rms_norm_eps, name, trainable });
        tf.tidy(() => norm.gamma.assign(tf.tensor1d(t.data)));
        this.norms.set(name, norm);
      } else if (trainable) {
        const value = tf.tensor(t.data, t.shape);
        this.weights.set(name, tf.variable(value, true, `${name}#moe${uniqueSuffix()}`));
        value.dispose();
      } else {
        this.weights.set(name, tf.tensor(t.data, t.shape));
      }
    }
  }

  /**
   * A Mixtral checkpoint in memory: config.json's object and a reader of every
   * tensor (a directory in Node: `loadMixtral(dir)` from `@paperkit/moe-merge/node`).
   */
  static fromTensors(config: Record<string, unknown>, tensors: TensorReader, source = 'config.json', options: { trainable?: boolean } = {}): MixtralModel {
    const map = new Map(tensors.names.map((n) => [n, { shape: [...tensors.info(n).shape], data: tensors.read(n) }]));
    return new MixtralModel(config, map, source, options);
  }

  /** config.json's object plus the bytes of one model.safetensors file (e.g. fetched in a page). */
  static fromSafetensors(config: Record<string, unknown>, bytes: Uint8Array, options: { trainable?: boolean; source?: string } = {}): MixtralModel {
    const reader = safetensorsReader(bytes, options.source ?? '<model.safetensors>');
    return MixtralModel.fromTensors(config, reader, 'config.json', options);
  }

  private view(): DecoderWeights {
    return {
      get: (name) => {
        const w = this.weights.get(name);
        if (!w) throw new FormatError('mixtral checkpoint', `missing tensor ${name}`);
        return w;
      },
      norm: (name, x) => this.norms.get(name)!.apply(x) as tf.Tensor2D,
    };
  }

  /** The trainable variables (all weights and norms; empty unless built with `trainable: true`). */
  get variables(): tf.Variable[] {
    return [...this.weights.values(), ...[...this.norms.values()].map((n) => n.gamma)].filter((v): v is tf.Variable => v instanceof tf.Variable && v.trainable);
  }

  /** The router rows G_l only (router-only fine-tuning). */
  get routerVariables(): tf.Variable[] {
    return Array.from({ length: this.config.num_hidden_layers }, (_, l) => this.weights.get(gateTensorName(l))).filter((v): v is tf.Variable => v instanceof tf.Variable);
  }

  /** Renormalised top-k router weights [N, E] of x [N, H] for layer l (zeros outside the top-k). */
  routerWeights(layer: number, x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => topKRouting(tf.matMul(x, this.weights.get(gateTensorName(layer)) as tf.Tensor2D, false, true), this.expertsPerToken));
  }

  forward(ids: tf.Tensor2D, options: { routing?: boolean } = {}): MixtralOutput {
    const w = this.view();
    const tops: tf.Tensor1D[] = [];
    const { logits } = decoderForward(this.config, w, ids, (l, x) => {
      const gate = this.routerWeights(l, x);
      if (options.routing) tops.push(tf.keep(tf.cast(tf.argMax(gate, -1), 'int32') as tf.Tensor1D));
      const outs: tf.Tensor2D[] = [];
      for (let e = 0; e < this.numExperts; e++) {
        outs.push(
          swiglu(
            x,
            w.get(expertTensorName(l, e, 'w1')) as tf.Tensor2D,
            w.get(expertTensorName(l, e, 'w3')) as tf.Tensor2D,
            w.get(expertTensorName(l, e, 'w2')) as tf.Tensor2D,
          ),
        );
      }
      const stacked = tf.stack(outs, 1); // [N, E, H]
      return tf.sum(tf.mul(stacked, tf.expandDims(gate, -1)), 1) as tf.Tensor2D;
    });
    if (!options.routing) return { logits };
    const top1 = tf.stack(tops) as tf.Tensor2D;
    tf.dispose(tops);
    return { logits, top1 };
  }

  logits(ids: tf.Tensor2D): tf.Tensor3D {
    return this.forward(ids).logits;
  }

  dispose(): void {
    for (const t of this.weights.values()) t.dispose();
    for (const n of this.norms.values()) n.dispose();
    this.weights.clear();
    this.norms.clear();
  }
}

let counter = 0;
function uniqueSuffix(): number {
  counter += 1;
  return counter;
}
