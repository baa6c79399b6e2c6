/**
 * A Llama causal LM in tfjs whose variables carry the real transformers tensor
 * names (`model.layers.0.self_attn.q_proj.weight`, ...), so it saves to and
 * loads from Hugging Face checkpoint directories (config.json +
 * model.safetensors). The spec's reproduction (section 5) trains the base and
 * the experts with it; any small Llama/Mistral checkpoint loads into it.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, Module, RMSNorm, type Seed } from '@paperkit/tensor-core';
import type { CheckpointContent, TensorReader } from '../checkpoint-types.js';
import { safetensorsReader } from '../safetensors-reader.js';
import { decoderBody, decoderForward, type DecoderOutput, type DecoderWeights } from './decoder.js';
import { llamaTensorShapes, readLlamaConfig, TINY_LLAMA_CONFIG, type LlamaConfig } from './llama-config.js';
import { swiglu } from './swiglu.js';

export interface TinyLlamaOptions {
  /** Default: the spec's tiny Llama (TINY_LLAMA_CONFIG). */
  config?: LlamaConfig;
  /** Seed of the initial weights (default 0). */
  seed?: Seed;
}

const isNorm = (name: string) => name.endsWith('layernorm.weight') || name === 'model.norm.weight';

export class TinyLlama extends Module {
  readonly config: LlamaConfig;
  private readonly weights = new Map<string, tf.Variable>();
  private readonly norms = new Map<string, RMSNorm>();
  private readonly view: DecoderWeights;

  /** Random init: N(0, 1/fan_in) projections, N(0, 1) embeddings, unit norms. */
  constructor(options: TinyLlamaOptions = {}, initial?: (name: string, shape: number[]) => Float32Array) {
    super();
    this.config = options.config ?? TINY_LLAMA_CONFIG;
    const rng = createRng(options.seed ?? 0);
    for (const [name, shape] of llamaTensorShapes(this.config)) {
      const numel = shape.reduce((a, b) => a * b, 1);
      if (isNorm(name)) {
        const norm = new RMSNorm({ dim: shape[0], eps: this.config.rms_norm_eps, name });
        if (initial) tf.tidy(() => norm.gamma.assign(tf.tensor1d(initial(name, shape))));
        this.norms.set(name, norm);
        continue;
      }
      const std = name === 'model.embed_tokens.weight' ? 1 : 1 / Math.sqrt(shape[1]);
      const data = initial ? initial(name, shape) : rng.normalArray(numel, 0, std);
      const value = tf.tensor(data, shape);
      this.weights.set(name, tf.variable(value, true, `${name}#${uniqueSuffix()}`));
      value.dispose();
    }
    const { weights, norms } = this;
    this.view = {
      get: (name) => weights.get(name)!,
      norm: (name, x) => norms.get(name)!.apply(x) as tf.Tensor2D,
    };
  }

  /**
   * A Llama/Mistral checkpoint already in memory: config.json's object and a
   * reader of its tensors (in a page: fetched bytes through `fromSafetensors`;
   * in Node, a directory: `loadTinyLlama(dir)` from `@paperkit/moe-merge/node`).
   */
  static fromTensors(config: Record<string, unknown>, tensors: Pick<TensorReader, 'read'>, source = 'config.json'): TinyLlama {
    return new TinyLlama({ config: readLlamaConfig(config, source) }, (name) => tensors.read(name));
  }

  /** config.json's object plus the bytes of one model.safetensors file (F32/BF16/F16). */
  static fromSafetensors(config: Record<string, unknown>, bytes: Uint8Array, source = '<model.safetensors>'): TinyLlama {
    return TinyLlama.fromTensors(config, safetensorsReader(bytes, source));
  }

  get variables(): tf.Variable[] {
    return [...this.weights.values(), ...[...this.norms.values()].map((n) => n.gamma)];
  }

  /** Tensor names in checkpoint order. */
  get tensorNames(): string[] {
    return [...llamaTensorShapes(this.config).keys()];
  }

  /** The tensor of a checkpoint name (a variable; do not dispose). */
  tensor(name: string): tf.Tensor {
    return this.weights.get(name) ?? this.norms.get(name)!.gamma;
  }

  /** Logits [B, T, V] of ids [B, T] (int32). */
  logits(ids: tf.Tensor2D): tf.Tensor3D {
    return this.forward(ids).logits;
  }

  /** Logits and, when asked, the residual stream entering each layer. */
  forward(ids: tf.Tensor2D, options: { layerInputs?: boolean } = {}): DecoderOutput {
    return decoderForward(this.config, this.view, ids, this.ffn, options);
  }

  /** Layers + final norm on hidden states [B*T, H] (no embedding, no head). */
  body(x: tf.Tensor2D, batch: number, length: number): tf.Tensor2D {
    return decoderBody(this.config, this.view, x, batch, length, this.ffn);
  }

  private readonly ffn = (l: number, x: tf.Tensor2D): tf.Tensor2D => {
    const p = `model.layers.${l}.mlp.`;
    const w = this.view;
    return swiglu(x, w.get(`${p}gate_proj.weight`) as tf.Tensor2D, w.get(`${p}up_proj.weight`) as tf.Tensor2D, w.get(`${p}down_proj.weight`) as tf.Tensor2D);
  };

  /**
   * config.json's object and the tensors (read one at a time), as `saveCheckpoint`
   * from `@paperkit/moe-merge/node` writes them (`saveTinyLlama(model, dir)` does both).
   */
  checkpoint(): CheckpointContent {
    const names = this.tensorNames;
    const self = this;
    return {
      config: { ...this.config, architectures: ['LlamaForCausalLM'] },
      tensors: (function* () {
        for (const name of names) {
          const t = self.tensor(name);
          yield { name, shape: t.shape, data: t.dataSync() as Float32Array };
        }
      })(),
    };
  }

  override dispose(): void {
    for (const v of this.weights.values()) v.dispose();
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
