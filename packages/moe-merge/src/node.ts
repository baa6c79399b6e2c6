/**
 * @paperkit/moe-merge/node: everything that reads or writes paths (Node only).
 * Checkpoint directories (lazy, sharded), the streaming merges that write them,
 * the YAML and tokenizer.json files, inspection, and the directory loaders of
 * the in-memory models of `@paperkit/moe-merge`.
 */
/** Lazy checkpoint directories (config.json + safetensors or sharded index). */
export { Checkpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
/** Build a Mixtral checkpoint from dense experts (streams, writes atomically). */
export { buildMoE, resolvePrompts } from './build-moe.js';
/** Dense merge baselines: every tensor merged into one Llama checkpoint. */
export { buildDense, type BuildDenseConfig } from './build-dense.js';
/** The merge YAML from a file, and the CLI's merge entry points. */
export { loadMoEConfig } from './load-moe-config.js';
export { mergeFromYamlFile, denseFromYamlFile, type MergeOverrides } from './merge-from-yaml.js';
/** Directories into the in-memory models and back; tokenizer.json by path; directory reports. */
export { loadTinyLlama, saveTinyLlama, loadMixtral, loadTokenizer, routingReport, taskVectorStats } from './node-models.js';
/** Checkpoint inspection (moe-merge inspect). */
export { inspectCheckpoint } from './inspect.js';
