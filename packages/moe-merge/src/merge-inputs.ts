/**
 * Opening and checking the base and expert checkpoints of a merge, before any
 * output exists (spec section 7, "Caught before writing"): missing paths,
 * unsupported architectures, and experts whose shapes differ from the base
 * (those need the heterogeneous ProjectorMoE path, not a Mixtral file).
 */
import { OptionError, ShapeError } from '@paperkit/tensor-core';
import { Checkpoint } from './checkpoint.js';
import { llamaTensorShapes, type LlamaConfig } from './llama/llama-config.js';
import { mergeTensorSources } from './merge-tensors.js';
import type { SharedMergeConfig } from './merge-config.js';

export { checkSharedMerge, SHARED_MERGE_METHODS, type SharedMergeConfig, type SharedMergeMethod } from './merge-config.js';

export interface MergeInputs {
  base: Checkpoint;
  experts: Checkpoint[];
  config: LlamaConfig;
  close(): void;
}

const SIZE_KEYS = [
  'vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'head_dim', 'tie_word_embeddings',
] as const;

/** Open everything and check it; closes what it opened when a check fails. */
export function openMergeInputs(baseModel: string, expertModels: string[]): MergeInputs {
  const opened: Checkpoint[] = [];
  try {
    if (expertModels.length === 0) throw new OptionError('experts', 'at least one expert', 0);
    const base = Checkpoint.open(baseModel);
    opened.push(base);
    const config = base.llamaConfig();
    const experts = expertModels.map((path, i) => {
      const ck = Checkpoint.open(path);
      opened.push(ck);
      const c = ck.llamaConfig();
      for (const key of SIZE_KEYS) {
        if (c[key] !== config[key]) {
          throw new ShapeError(
            `experts[${i}] (${path}) config ${key}`,
            `${JSON.stringify(config[key])} like the base model; experts of different sizes cannot share one Mixtral file (use the heterogeneous ProjectorMoE path)`,
            JSON.stringify(c[key]),
          );
        }
      }
      return ck;
    });
    for (const [name, shape] of llamaTensorShapes(config)) {
      for (const [label, ck] of [['base', base], ...experts.map((e, i) => [`experts[${i}]`, e] as const)] as const) {
        if (!ck.has(name)) throw new ShapeError(`${label} (${ck.dir}) tensor ${name}`, `[${shape.join(', ')}]`, 'missing');
        const actual = ck.info(name).shape;
        if (actual.join(',') !== shape.join(',')) {
          throw new ShapeError(`${label} (${ck.dir}) tensor ${name}`, `[${shape.join(', ')}] (for experts of other shapes use the heterogeneous ProjectorMoE path)`, actual);
        }
      }
    }
    return { base, experts, config, close: () => opened.forEach((c) => c.close()) };
  } catch (err) {
    opened.forEach((c) => c.close());
    throw err;
  }
}

/** Merge one tensor across the experts by the shared-merge rule; reads it chunk by chunk from disk. */
export function mergeSharedTensor(inputs: MergeInputs, name: string, shared: SharedMergeConfig, seed: number): Float32Array {
  if (shared.method === 'base') return inputs.base.read(name);
  const experts = inputs.experts.map((e) => ({ source: e.source(name) }));
  if (shared.method === 'average') return mergeTensorSources('linear', null, experts, { normalize: true });
  return mergeTensorSources(shared.method, inputs.base.source(name), experts, {
    density: shared.density,
    lambda: shared.lambda,
    normalize: shared.normalize,
    consensus: shared.consensus,
    seed,
    key: name,
  });
}
