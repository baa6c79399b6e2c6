/**
 * The Llama/Mistral/Mixtral decoder trunk shared by the dense tiny Llama and
 * the Mixtral forward: embeddings, per layer x + attn(norm(x)) then
 * h + ffn(norm(h)), a final RMSNorm and the LM head (or the tied embedding).
 * Only the FFN differs between the dense model and the MoE, so it is a callback.
 */
import * as tf from '@tensorflow/tfjs';
import type { LlamaConfig } from './llama-config.js';
import { causalMask, gqaAttention, linear } from './attention.js';
import { ropeTables } from './rope.js';

export interface DecoderWeights {
  /** A weight tensor by its checkpoint name. */
  get(name: string): tf.Tensor;
  /** RMSNorm by the checkpoint name of its weight. */
  norm(name: string, x: tf.Tensor2D): tf.Tensor2D;
}

export interface DecoderOutput {
  /** [B, T, V] */
  logits: tf.Tensor3D;
  /** When asked: the residual stream entering each layer, [B*T, H] (mergekit's `hidden` gate input); the caller disposes them. */
  layerInputs?: tf.Tensor2D[];
}

/** Token embeddings of ids [B, T] -> [B*T, H]; one-hot matmul for small vocabularies so gradients work on wasm. */
export function embedTokens(ids: tf.Tensor2D, embed: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
    const vocab = embed.shape[0];
    // int32 one-hot cast explicitly: a mixed int32 x float32 matMul is slow on wasm.
    if (vocab <= 4096) return tf.matMul(tf.cast(tf.oneHot(flat, vocab), 'float32'), embed);
    return tf.gather(embed, flat);
  });
}

/**
 * The layers and the final RMSNorm on hidden states x [B*T, H] (no embedding,
 * no head); ProjectorMoE calls this between its projectors.
 */
export function decoderBody(
  config: LlamaConfig,
  weights: DecoderWeights,
  input: tf.Tensor2D,
  batch: number,
  length: number,
  ffn: (layer: number, x: tf.Tensor2D) => tf.Tensor2D,
  layerInputs?: tf.Tensor2D[],
): tf.Tensor2D {
  return tf.tidy(() => {
    const rope = ropeTables(length, config.head_dim, config.rope_theta);
    const mask = causalMask(length, config.num_attention_heads / config.num_key_value_heads);
    const shape = { heads: config.num_attention_heads, kvHeads: config.num_key_value_heads, headDim: config.head_dim };
    let x = input;
    for (let l = 0; l < config.num_hidden_layers; l++) {
      const p = `model.layers.${l}.`;
      if (layerInputs) layerInputs.push(tf.keep(x));
      const attn = gqaAttention(
        weights.norm(`${p}input_layernorm.weight`, x),
        batch,
        length,
        {
          q: weights.get(`${p}self_attn.q_proj.weight`) as tf.Tensor2D,
          k: weights.get(`${p}self_attn.k_proj.weight`) as tf.Tensor2D,
          v: weights.get(`${p}self_attn.v_proj.weight`) as tf.Tensor2D,
          o: weights.get(`${p}self_attn.o_proj.weight`) as tf.Tensor2D,
        },
        shape,
        rope,
        mask,
      );
      const h = tf.add(x, attn) as tf.Tensor2D;
      x = tf.add(h, ffn(l, weights.norm(`${p}post_attention_layernorm.weight`, h))) as tf.Tensor2D;
    }
    return weights.norm('model.norm.weight', x);
  });
}

export function decoderForward(
  config: LlamaConfig,
  weights: DecoderWeights,
  ids: tf.Tensor2D,
  ffn: (layer: number, x: tf.Tensor2D) => tf.Tensor2D,
  options: { layerInputs?: boolean } = {},
): DecoderOutput {
  const layerInputs: tf.Tensor2D[] | undefined = options.layerInputs ? [] : undefined;
  const logits = tf.tidy(() => {
    const [batch, length] = ids.shape;
    const x = embedTokens(ids, weights.get('model.embed_tokens.weight') as tf.Tensor2D);
    const h = decoderBody(config, weights, x, batch, length, ffn, layerInputs);
    const head = config.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
    const out = linear(h, weights.get(head) as tf.Tensor2D);
    return tf.reshape(out, [batch, length, config.vocab_size]) as tf.Tensor3D;
  });
  return layerInputs ? { logits, layerInputs } : { logits };
}
