/**
 * @paperkit/moe-merge: merge dense Llama/Mistral experts into a Mixtral MoE
 * with TIES/DARE shared layers (MergeME, NAACL 2025), streaming safetensors;
 * perplexity-routed and projector MoE runtimes in tfjs.
 *
 * This entry is browser-safe (no Node built-in anywhere under it): tensors,
 * bytes and parsed text in, tensors and objects out. Everything that reads or
 * writes paths (checkpoint directories, buildMoE/buildDense, YAML and
 * tokenizer files, inspect) is `@paperkit/moe-merge/node`.
 */

/** Tensor merge rules (linear, task arithmetic, TIES, DARE) with mergekit defaults and MergeME's preset. */
export {
  mergeTensors, mergeTensorSources, MERGE_METHODS, MERGEKIT_DEFAULTS, MERGEME_PRESET,
  type MergeMethod, type MergeOptions, type ExpertTensor, type ExpertSource,
} from './merge-tensors.js';
/** A tensor read in element ranges (what the streaming merge consumes). */
export { arraySource, type TensorSource } from './merge-methods/tensor-source.js';
/** What a merge is asked to do (buildMoE itself is in ./node): config, options, result, shared-layer rule. */
export {
  SHARED_MERGE_METHODS, checkSharedMerge, gatesReadPrompts,
  type BuildMoEConfig, type BuildMoEOptions, type BuildMoEResult, type ExpertConfig, type SharedMergeConfig, type SharedMergeMethod,
} from './merge-config.js';
/** Per-layer routing of each expert's prompts through a Mixtral model in memory. */
export { modelRoutingReport, formatRoutingReport, type RoutingReport } from './routing-report.js';
/** mergekit-moe YAML (+ shared_merge) from text (a file: loadMoEConfig in ./node). */
export { parseMoEConfig, joinPath } from './config-yaml.js';
/** Checkpoint dtypes and tensor shapes (directories: Checkpoint, loadCheckpoint, saveCheckpoint in ./node). */
export {
  parseDType, DTYPE_TO_SAFETENSORS,
  type CheckpointDType, type CheckpointTensor, type CheckpointContent, type SaveCheckpointOptions, type TensorInfo, type TensorReader,
} from './checkpoint-types.js';
/** The tensors of one safetensors file's bytes, as a TensorReader (e.g. fetched in a page). */
export { safetensorsReader } from './safetensors-reader.js';
/** Router rows from prompts (hidden, cheap_embed, random) and their conditioning check. */
export { cheapEmbedGates, hiddenGates, randomGates, conditionNumber, gateWarnings, GATE_MODES, type GateMode, type Gates, type ExpertPrompts } from './gates.js';
/** Mixtral tensor names and config. */
export { mixtralTensorPlan, mixtralConfig, expertTensorName, gateTensorName, isSharedTensor, type PlannedTensor } from './mixtral-layout.js';
/** Minimal tokenizer.json reader (WordLevel, BPE) from text or a parsed object (a file: loadTokenizer in ./node). */
export { LocalTokenizer } from './tokenizer.js';
/** Explicit limits of the text readers. */
export { TOKENIZER_JSON_MAX_BYTES, TOKENIZER_JSON_MAX_DEPTH, CONFIG_YAML_MAX_BYTES, CONFIG_YAML_MAX_DEPTH } from './format-limits.js';
/** Tiny Llama in tfjs with real transformers tensor names (directories: loadTinyLlama / saveTinyLlama in ./node). */
export { TinyLlama, type TinyLlamaOptions } from './llama/tiny-llama.js';
export { TINY_LLAMA_CONFIG, readLlamaConfig, llamaTensorShapes, type LlamaConfig } from './llama/llama-config.js';
/** tfjs forward of a Mixtral checkpoint (a directory: loadMixtral in ./node). */
export { MixtralModel, type MixtralOutput } from './mixtral-forward.js';
/** MergeME's no-fine-tune MoE: whole sequences routed by prompt perplexity, experts keep their attention. */
export { PerplexityRoutedMoE, type PerplexityRoutedMoEOptions, type Routing } from './perplexity-routed-moe.js';
/** MergeME's heterogeneous MoE: experts of different widths behind learned projectors. */
export { ProjectorMoE, type ProjectorMoEOptions } from './projector-moe.js';
/** Next-token log-probabilities of any causal LM. */
export { tokenLogProbs, tokenHits, type CausalLM } from './lm-eval.js';
/** Shared task-vector cosine and sign-conflict rate of tensors in memory (directories: taskVectorStats in ./node). */
export { tensorTaskVectorStats, type TaskVectorStats } from './task-vector-stats.js';
/** Formatting of a checkpoint inspection (reading one: inspectCheckpoint in ./node). */
export { formatInspect, formatBytes, type InspectResult, type InspectRow } from './inspect-format.js';
/** Mixtral's top-k router with a gradient through the softmax weights (mask from the top-k indices). */
export { topKRouting, topKMask } from './top-k-routing.js';
/** Expected peak memory of a merge (what --dry-run prints). */
export { expectedPeakMemory, formatMemoryPlan, type MemoryPlan } from './memory-plan.js';
/** The seeded synthetic domains of the reproduction (the reproduction itself is @paperkit/moe-merge/reproduce). */
export { generateDomain, DOMAINS, type Domain } from './reproduce/data.js';
