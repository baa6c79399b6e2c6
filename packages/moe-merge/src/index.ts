/**
 * @paperkit/moe-merge: merge dense Llama/Mistral experts into a Mixtral MoE
 * with TIES/DARE shared layers (MergeME, NAACL 2025), streaming safetensors;
 * perplexity-routed and projector MoE runtimes in tfjs.
 */

/** Tensor merge rules (linear, task arithmetic, TIES, DARE) with mergekit defaults and MergeME's preset. */
export {
  mergeTensors, mergeTensorSources, MERGE_METHODS, MERGEKIT_DEFAULTS, MERGEME_PRESET,
  type MergeMethod, type MergeOptions, type ExpertTensor, type ExpertSource,
} from './merge-tensors.js';
/** A tensor read in element ranges (what the streaming merge consumes). */
export { arraySource, type TensorSource } from './merge-methods/tensor-source.js';
/** Build a Mixtral checkpoint from dense experts (streams, writes atomically). */
export { buildMoE, resolvePrompts, gatesReadPrompts, type BuildMoEConfig, type BuildMoEOptions, type BuildMoEResult, type ExpertConfig } from './build-moe.js';
/** Per-layer routing of each expert's prompts through a written Mixtral file. */
export { routingReport, formatRoutingReport, type RoutingReport } from './routing-report.js';
/** Dense merge baselines: every tensor merged into one Llama checkpoint. */
export { buildDense, type BuildDenseConfig } from './build-dense.js';
/** Shared-layer merge rules of buildMoE. */
export { SHARED_MERGE_METHODS, type SharedMergeConfig, type SharedMergeMethod } from './merge-inputs.js';
/** mergekit-moe YAML (+ shared_merge) parsing, and the CLI's merge entry points. */
export { loadMoEConfig, parseMoEConfig } from './config-yaml.js';
export { mergeFromYamlFile, denseFromYamlFile, type MergeOverrides } from './merge-from-yaml.js';
/** Lazy checkpoint directories (config.json + safetensors or sharded index). */
export { Checkpoint, loadCheckpoint, saveCheckpoint, parseDType, type CheckpointDType, type CheckpointTensor, type SaveCheckpointOptions, type TensorInfo } from './checkpoint.js';
/** Router rows from prompts (hidden, cheap_embed, random) and their conditioning check. */
export { cheapEmbedGates, hiddenGates, randomGates, conditionNumber, gateWarnings, GATE_MODES, type GateMode, type Gates, type ExpertPrompts } from './gates.js';
/** Mixtral tensor names and config. */
export { mixtralTensorPlan, mixtralConfig, expertTensorName, gateTensorName, isSharedTensor, type PlannedTensor } from './mixtral-layout.js';
/** Minimal local tokenizer.json reader (WordLevel, BPE). */
export { LocalTokenizer } from './tokenizer.js';
/** Tiny Llama in tfjs with real transformers tensor names. */
export { TinyLlama, type TinyLlamaOptions } from './llama/tiny-llama.js';
export { TINY_LLAMA_CONFIG, readLlamaConfig, llamaTensorShapes, type LlamaConfig } from './llama/llama-config.js';
/** tfjs forward of a Mixtral checkpoint. */
export { MixtralModel, type MixtralOutput } from './mixtral-forward.js';
/** MergeME's no-fine-tune MoE: whole sequences routed by prompt perplexity, experts keep their attention. */
export { PerplexityRoutedMoE, type PerplexityRoutedMoEOptions, type Routing } from './perplexity-routed-moe.js';
/** MergeME's heterogeneous MoE: experts of different widths behind learned projectors. */
export { ProjectorMoE, type ProjectorMoEOptions } from './projector-moe.js';
/** Next-token log-probabilities of any causal LM. */
export { tokenLogProbs, tokenHits, type CausalLM } from './lm-eval.js';
/** Shared task-vector cosine and sign-conflict rate. */
export { taskVectorStats, type TaskVectorStats } from './task-vector-stats.js';
/** Checkpoint inspection (moe-merge inspect). */
export { inspectCheckpoint, formatInspect, type InspectResult, type InspectRow } from './inspect.js';
/** Mixtral's top-k router with a gradient through the softmax weights (mask from the top-k indices). */
export { topKRouting, topKMask } from './top-k-routing.js';
/** Expected peak memory of a merge (what --dry-run prints). */
export { expectedPeakMemory, formatMemoryPlan, type MemoryPlan } from './memory-plan.js';
/** The seeded synthetic domains of the reproduction (the reproduction itself is @paperkit/moe-merge/reproduce). */
export { generateDomain, DOMAINS, type Domain } from './reproduce/data.js';
