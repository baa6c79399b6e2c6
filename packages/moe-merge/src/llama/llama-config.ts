/**
 * The subset of a Hugging Face Llama/Mistral `config.json` that the merge and
 * the tfjs forward need (transformers' LlamaConfig field names, snake_case on
 * disk). `readLlamaConfig` refuses what a Mixtral file cannot represent
 * (spec section 2, "Mixtral output": attention_bias / mlp_bias).
 */
import { FormatError, OptionError } from '@paperkit/tensor-core';

export interface LlamaConfig {
  model_type: 'llama' | 'mistral';
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  rms_norm_eps: number;
  rope_theta: number;
  max_position_embeddings: number;
  tie_word_embeddings: boolean;
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
  /** Anything else the file carried (kept so the output config can copy it). */
  [key: string]: unknown;
}

/** The spec's tiny Llama (section 5): 2 layers, H = 32, 4 heads / 2 KV heads, SwiGLU 64, RoPE 1e4, V = 32. */
export const TINY_LLAMA_CONFIG: LlamaConfig = {
  model_type: 'llama',
  architectures: ['LlamaForCausalLM'],
  vocab_size: 32,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 8,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  max_position_embeddings: 64,
  tie_word_embeddings: false,
  bos_token_id: 0,
  eos_token_id: 1,
  hidden_act: 'silu',
  torch_dtype: 'float32',
};

const SUPPORTED = ['llama', 'mistral'];

function positiveInt(raw: Record<string, unknown>, key: string, source: string): number {
  const v = raw[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new FormatError(source, `expected ${key} to be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Validate a parsed config.json. `source` names the file in errors. */
export function readLlamaConfig(raw: unknown, source: string): LlamaConfig {
  if (typeof raw !== 'object' || raw === null) throw new FormatError(source, 'config.json is not a JSON object');
  const r = raw as Record<string, unknown>;
  const type = r.model_type;
  if (typeof type !== 'string' || !SUPPORTED.includes(type)) {
    throw new OptionError(
      `${source} model_type`,
      `one of ${SUPPORTED.join(', ')} (Mixtral experts must be Llama/Mistral; for other families use the heterogeneous ProjectorMoE path)`,
      type,
    );
  }
  for (const key of ['attention_bias', 'mlp_bias'] as const) {
    if (r[key] === true) throw new OptionError(`${source} ${key}`, 'false (Mixtral has no attention or MLP biases)', true);
  }
  const hidden = positiveInt(r, 'hidden_size', source);
  const heads = positiveInt(r, 'num_attention_heads', source);
  const headDim = typeof r.head_dim === 'number' ? r.head_dim : hidden / heads;
  if (!Number.isInteger(headDim)) throw new FormatError(source, `hidden_size ${hidden} is not divisible by num_attention_heads ${heads}`);
  return {
    ...r,
    model_type: type as 'llama' | 'mistral',
    vocab_size: positiveInt(r, 'vocab_size', source),
    hidden_size: hidden,
    intermediate_size: positiveInt(r, 'intermediate_size', source),
    num_hidden_layers: positiveInt(r, 'num_hidden_layers', source),
    num_attention_heads: heads,
    num_key_value_heads: typeof r.num_key_value_heads === 'number' ? r.num_key_value_heads : heads,
    head_dim: headDim,
    rms_norm_eps: typeof r.rms_norm_eps === 'number' ? r.rms_norm_eps : 1e-6,
    // transformers' LlamaConfig default; Mixtral's is 1e6, so the output config always writes it (spec section 2).
    rope_theta: typeof r.rope_theta === 'number' ? r.rope_theta : 10000,
    max_position_embeddings: typeof r.max_position_embeddings === 'number' ? r.max_position_embeddings : 2048,
    tie_word_embeddings: r.tie_word_embeddings === true,
  };
}

/** The tensor names of a Llama checkpoint, in the order transformers lists them. */
export function llamaTensorShapes(c: LlamaConfig): Map<string, number[]> {
  const H = c.hidden_size;
  const q = c.num_attention_heads * c.head_dim;
  const kv = c.num_key_value_heads * c.head_dim;
  const shapes = new Map<string, number[]>();
  shapes.set('model.embed_tokens.weight', [c.vocab_size, H]);
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    shapes.set(`${p}input_layernorm.weight`, [H]);
    shapes.set(`${p}self_attn.q_proj.weight`, [q, H]);
    shapes.set(`${p}self_attn.k_proj.weight`, [kv, H]);
    shapes.set(`${p}self_attn.v_proj.weight`, [kv, H]);
    shapes.set(`${p}self_attn.o_proj.weight`, [H, q]);
    shapes.set(`${p}post_attention_layernorm.weight`, [H]);
    shapes.set(`${p}mlp.gate_proj.weight`, [c.intermediate_size, H]);
    shapes.set(`${p}mlp.up_proj.weight`, [c.intermediate_size, H]);
    shapes.set(`${p}mlp.down_proj.weight`, [H, c.intermediate_size]);
  }
  shapes.set('model.norm.weight', [H]);
  if (!c.tie_word_embeddings) shapes.set('lm_head.weight', [c.vocab_size, H]);
  return shapes;
}
