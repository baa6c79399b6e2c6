/**
 * The Mixtral checkpoint layout that transformers loads (spec section 2,
 * "Mixtral output"; mergekit/moe/mixtral.py names): shared tensors keep their
 * Llama names, each layer gets `block_sparse_moe.gate.weight` [E, H] and
 * `block_sparse_moe.experts.e.w1|w2|w3` copied from the expert's
 * `mlp.gate_proj|down_proj|up_proj`. 3 + L * (7 + 3E) tensors (one fewer when tied).
 */
import type { LlamaConfig } from './llama/llama-config.js';

export type ExpertProjection = 'w1' | 'w2' | 'w3';

/** Which Llama MLP tensor becomes which Mixtral expert tensor. */
export const EXPERT_SOURCE: Record<ExpertProjection, string> = { w1: 'gate_proj', w2: 'down_proj', w3: 'up_proj' };

export type PlannedTensor =
  | { kind: 'shared'; name: string; shape: number[] }
  | { kind: 'gate'; name: string; shape: number[]; layer: number }
  | { kind: 'expert'; name: string; shape: number[]; layer: number; expert: number; projection: ExpertProjection; sourceName: string };

export function expertTensorName(layer: number, expert: number, projection: ExpertProjection): string {
  return `model.layers.${layer}.block_sparse_moe.experts.${expert}.${projection}.weight`;
}

export function gateTensorName(layer: number): string {
  return `model.layers.${layer}.block_sparse_moe.gate.weight`;
}

/** Shared tensors are every tensor that is not `mlp.*` (spec section 2, notation). */
export function isSharedTensor(name: string): boolean {
  return !/\.mlp\./.test(name);
}

/** Output tensors in file order: embeddings, then per layer norms/attention/gate/experts, then norm and head. */
export function mixtralTensorPlan(c: LlamaConfig, numExperts: number): PlannedTensor[] {
  const H = c.hidden_size;
  const I = c.intermediate_size;
  const q = c.num_attention_heads * c.head_dim;
  const kv = c.num_key_value_heads * c.head_dim;
  const plan: PlannedTensor[] = [{ kind: 'shared', name: 'model.embed_tokens.weight', shape: [c.vocab_size, H] }];
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    plan.push(
      { kind: 'shared', name: `${p}input_layernorm.weight`, shape: [H] },
      { kind: 'shared', name: `${p}self_attn.q_proj.weight`, shape: [q, H] },
      { kind: 'shared', name: `${p}self_attn.k_proj.weight`, shape: [kv, H] },
      { kind: 'shared', name: `${p}self_attn.v_proj.weight`, shape: [kv, H] },
      { kind: 'shared', name: `${p}self_attn.o_proj.weight`, shape: [H, q] },
      { kind: 'shared', name: `${p}post_attention_layernorm.weight`, shape: [H] },
      { kind: 'gate', name: gateTensorName(l), shape: [numExperts, H], layer: l },
    );
    for (let e = 0; e < numExperts; e++) {
      for (const projection of ['w1', 'w2', 'w3'] as const) {
        plan.push({
          kind: 'expert',
          name: expertTensorName(l, e, projection),
          shape: projection === 'w2' ? [H, I] : [I, H],
          layer: l,
          expert: e,
          projection,
          sourceName: `${p}mlp.${EXPERT_SOURCE[projection]}.weight`,
        });
      }
    }
  }
  plan.push({ kind: 'shared', name: 'model.norm.weight', shape: [H] });
  if (!c.tie_word_embeddings) plan.push({ kind: 'shared', name: 'lm_head.weight', shape: [c.vocab_size, H] });
  return plan;
}

/**
 * The Mixtral config.json: sizes, heads, norms and token ids copied from the
 * base, rope_theta written explicitly (Mixtral's default is 1e6, Llama-2's 1e4).
 */
export function mixtralConfig(c: LlamaConfig, numExperts: number, expertsPerToken: number, dtype: string): Record<string, unknown> {
  return {
    architectures: ['MixtralForCausalLM'],
    model_type: 'mixtral',
    vocab_size: c.vocab_size,
    hidden_size: c.hidden_size,
    intermediate_size: c.intermediate_size,
    num_hidden_layers: c.num_hidden_layers,
    num_attention_heads: c.num_attention_heads,
    num_key_value_heads: c.num_key_value_heads,
    head_dim: c.head_dim,
    hidden_act: c.hidden_act ?? 'silu',
    max_position_embeddings: c.max_position_embeddings,
    rms_norm_eps: c.rms_norm_eps,
    rope_theta: c.rope_theta,
    ...(c.rope_scaling ? { rope_scaling: c.rope_scaling } : {}),
    tie_word_embeddings: c.tie_word_embeddings,
    bos_token_id: c.bos_token_id ?? null,
    eos_token_id: c.eos_token_id ?? null,
    num_local_experts: numExperts,
    num_experts_per_tok: expertsPerToken,
    router_aux_loss_coef: 0.001,
    output_router_logits: false,
    sliding_window: null,
    attention_dropout: 0,
    initializer_range: c.initializer_range ?? 0.02,
    use_cache: true,
    torch_dtype: dtype,
  };
}
