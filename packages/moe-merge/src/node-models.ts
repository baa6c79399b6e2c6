/**
 * The file side of the in-memory models (Node only, `@paperkit/moe-merge/node`):
 * checkpoint directories into TinyLlama / MixtralModel and back, tokenizer.json
 * by path, and the statistics and reports that start from directories.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '@paperkit/tensor-core';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { SaveCheckpointOptions } from './checkpoint-types.js';
import type { ExpertPrompts } from './gates.js';
import { TinyLlama } from './llama/tiny-llama.js';
import { openMergeInputs } from './merge-inputs.js';
import { isSharedTensor } from './mixtral-layout.js';
import { MixtralModel } from './mixtral-forward.js';
import { modelRoutingReport, type RoutingReport } from './routing-report.js';
import { tensorTaskVectorStats, type TaskVectorStats } from './task-vector-stats.js';
import { LocalTokenizer } from './tokenizer.js';
import { checkSize, TOKENIZER_JSON_MAX_BYTES } from './format-limits.js';

/** Load a Llama/Mistral checkpoint directory (config.json + model.safetensors or a sharded index). */
export async function loadTinyLlama(dir: string): Promise<TinyLlama> {
  const ckpt = await loadCheckpoint(dir);
  try {
    return TinyLlama.fromTensors(ckpt.config, ckpt, join(ckpt.dir, 'config.json'));
  } finally {
    ckpt.close();
  }
}

/** Save as a Hugging Face checkpoint directory (written to a temp dir, then renamed). */
export async function saveTinyLlama(model: TinyLlama, dir: string, options: SaveCheckpointOptions = {}): Promise<void> {
  await saveCheckpoint(dir, model.checkpoint(), options);
}

/** Load a Mixtral checkpoint directory into memory (small models). */
export async function loadMixtral(dir: string, options: { trainable?: boolean } = {}): Promise<MixtralModel> {
  const ck = await loadCheckpoint(dir);
  try {
    return MixtralModel.fromTensors(ck.config, ck, join(dir, 'config.json'), options);
  } finally {
    ck.close();
  }
}

/** Read a tokenizer.json file (at most `maxBytes`, default 128 MB; nesting at most 32 levels). */
export function loadTokenizer(path: string, options: { maxBytes?: number } = {}): LocalTokenizer {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new FormatError(path, 'tokenizer.json not found (text prompts need a local tokenizer; or give positive_prompt_ids)');
  }
  checkSize(size, options.maxBytes ?? TOKENIZER_JSON_MAX_BYTES, path);
  return LocalTokenizer.fromText(readFileSync(path, 'utf8'), path, options);
}

/** Per-layer routing of each expert's own prompts through a written Mixtral directory. */
export async function routingReport(moeDir: string, prompts: ExpertPrompts[], bos?: number | null): Promise<RoutingReport> {
  const model = await loadMixtral(moeDir);
  try {
    return modelRoutingReport(model, prompts, bos);
  } finally {
    model.dispose();
  }
}

/** Shared task-vector cosine and sign conflicts of checkpoint directories (shapes checked first, streamed one tensor at a time). */
export function taskVectorStats(baseModel: string, expertModels: string[], filter: (name: string) => boolean = isSharedTensor): TaskVectorStats {
  const inputs = openMergeInputs(baseModel, expertModels);
  try {
    return tensorTaskVectorStats(inputs.base, inputs.experts, filter);
  } finally {
    inputs.close();
  }
}
