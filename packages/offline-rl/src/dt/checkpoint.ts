/**
 * Decision Transformer checkpoints as safetensors bytes (browser-safe; write them to disk with
 * tensor-core's writeFileAtomic). Weights under their stable names (`namedVariables`), and in
 * the metadata the model config, the normalisation (per-task state stats, RTG scale, targets)
 * and Prompt-DT's evaluation prompts, so a loaded policy acts exactly like the saved one.
 * Method packages add their own tensors/metadata (HarmoDT: masks) through `extra`.
 */
import * as tf from '@tensorflow/tfjs';
import { FormatError, readSafetensors, writeSafetensors, type SafetensorsFile, type TensorMap } from '@paperkit/tensor-core';
import { checkNormalization } from '../data/normalization.js';
import type { PromptBatch } from '../data/window-batch.js';
import { DecisionTransformer, type DecisionTransformerConfig } from './decision-transformer.js';

const FORMAT = 'paperkit-offline-rl-dt/1';

/** Serialise weights, config, normalisation and prompts (plus `extra` tensors and metadata). */
export async function saveDecisionTransformer(
  model: DecisionTransformer,
  extra: { tensors?: TensorMap; metadata?: Record<string, string> } = {},
): Promise<Uint8Array> {
  const tensors: TensorMap = {};
  for (const [name, v] of model.namedVariables()) {
    tensors[name] = { dtype: 'F32', shape: v.shape, data: (await v.data()) as Float32Array };
  }
  Object.assign(tensors, extra.tensors ?? {});
  const prompts = model.evaluationPrompts?.map((p) => ({
    length: p.length,
    states: Array.from(p.states),
    actions: Array.from(p.actions),
    returnsToGo: Array.from(p.returnsToGo),
    timesteps: Array.from(p.timesteps),
    mask: Array.from(p.mask),
  }));
  return writeSafetensors(tensors, {
    format: FORMAT,
    config: JSON.stringify(model.config),
    normalization: JSON.stringify(model.normalization),
    ...(prompts ? { prompts: JSON.stringify(prompts) } : {}),
    ...(extra.metadata ?? {}),
  });
}

/** Rebuild a model from `saveDecisionTransformer` bytes; returns the decoded file too (for extras). */
export function loadDecisionTransformer(bytes: Uint8Array, source = '<bytes>'): { model: DecisionTransformer; file: SafetensorsFile } {
  const file = readSafetensors(bytes, { source });
  if (file.metadata.format !== FORMAT) throw new FormatError(source, `not an offline-rl DT checkpoint (format ${file.metadata.format ?? 'missing'}, expected ${FORMAT})`);
  let config: DecisionTransformerConfig;
  try {
    config = JSON.parse(file.metadata.config);
  } catch {
    throw new FormatError(source, 'metadata.config is not valid JSON');
  }
  const model = new DecisionTransformer(config);
  try {
    model.normalization = checkNormalization(JSON.parse(file.metadata.normalization ?? 'null'), `${source} metadata.normalization`);
    if (file.metadata.prompts) {
      model.evaluationPrompts = (JSON.parse(file.metadata.prompts) as Array<Record<string, number[]> & { length: number }>).map(
        (p): PromptBatch => ({
          length: p.length,
          states: Float32Array.from(p.states),
          actions: Float32Array.from(p.actions),
          returnsToGo: Float32Array.from(p.returnsToGo),
          timesteps: Int32Array.from(p.timesteps),
          mask: Float32Array.from(p.mask),
        }),
      );
    }
    for (const [name, v] of model.namedVariables()) {
      const t = file.tensors[name];
      if (!t) throw new FormatError(source, `missing tensor ${name}`);
      if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        throw new FormatError(source, `tensor ${name} has shape [${t.shape}], the config implies [${v.shape}]`);
      }
      tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, v.shape, 'float32')));
    }
  } catch (error) {
    model.dispose();
    if (error instanceof SyntaxError) throw new FormatError(source, `bad JSON in metadata: ${error.message}`);
    throw error;
  }
  return { model, file };
}
