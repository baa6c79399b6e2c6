/**
 * buildMoE: dense Llama/Mistral experts -> one Mixtral checkpoint (spec
 * sections 2 and 6). Every check runs before the output directory is created;
 * then tensors are produced one at a time (shared ones merged chunk by chunk
 * from disk, expert FFNs copied, gate rows computed up front because they
 * are tiny) and streamed into the sharded writer inside an atomic directory
 * build, so an interrupted merge leaves nothing behind (mergekit #266).
 */
import { join } from 'node:path';
import { createRng, OptionError } from '@paperkit/tensor-core';
import { saveCheckpoint } from './checkpoint.js';
import type { CheckpointDType, CheckpointTensor } from './checkpoint-types.js';
import { cheapEmbedGates, GATE_MODES, gateWarnings, hiddenGates, randomGates, type ExpertPrompts, type GateMode, type Gates } from './gates.js';
import { TinyLlama } from './llama/tiny-llama.js';
import { checkSharedMerge, gatesReadPrompts, type BuildMoEConfig, type BuildMoEOptions, type BuildMoEResult, type SharedMergeConfig } from './merge-config.js';
import { mergeSharedTensor, openMergeInputs, type MergeInputs } from './merge-inputs.js';
import { mixtralConfig, mixtralTensorPlan, type PlannedTensor } from './mixtral-layout.js';
import { expectedPeakMemory, formatMB, formatMemoryPlan, memorySampler } from './memory-plan.js';
import { formatRoutingReport, type RoutingReport } from './routing-report.js';
import { loadTokenizer, routingReport } from './node-models.js';

export { gatesReadPrompts, type BuildMoEConfig, type BuildMoEOptions, type BuildMoEResult, type ExpertConfig } from './merge-config.js';

const BYTES: Record<CheckpointDType, number> = { float32: 4, bfloat16: 2, float16: 2 };

/**
 * Token-id prompts of every expert, tokenising text prompts with the local
 * tokenizer.json. For gate modes that ignore prompts (random, uniform_random)
 * text prompts are not tokenised, so no tokenizer is needed (as in mergekit-moe).
 */
export function resolvePrompts(cfg: BuildMoEConfig): ExpertPrompts[] {
  if (!gatesReadPrompts(cfg.gateMode ?? 'hidden')) {
    return cfg.experts.map((e) => ({ positive: [...(e.positivePromptIds ?? [])], negative: [...(e.negativePromptIds ?? [])] }));
  }
  let tokenizer: ReturnType<typeof loadTokenizer> | undefined;
  const tok = (text: string) => {
    tokenizer ??= loadTokenizer(cfg.tokenizer ?? join(cfg.baseModel, 'tokenizer.json'));
    return tokenizer.encode(text);
  };
  return cfg.experts.map((e) => ({
    positive: [...(e.positivePromptIds ?? []), ...(e.positivePrompts ?? []).map(tok)],
    negative: [...(e.negativePromptIds ?? []), ...(e.negativePrompts ?? []).map(tok)],
  }));
}

function checkOptions(cfg: BuildMoEConfig): { gateMode: GateMode; k: number; dtype: CheckpointDType; shared: SharedMergeConfig } {
  const gateMode = cfg.gateMode ?? 'hidden';
  if (!GATE_MODES.includes(gateMode)) throw new OptionError('gate_mode', GATE_MODES.join('|'), gateMode);
  const E = cfg.experts?.length ?? 0;
  if (E < 1) throw new OptionError('experts', 'at least one expert', E);
  const k = cfg.expertsPerToken ?? Math.min(2, E);
  if (!Number.isInteger(k) || k < 1 || k > E) throw new OptionError('experts_per_token', `an integer in [1, ${E}] (the number of experts)`, k);
  const dtype = cfg.dtype ?? 'bfloat16';
  if (!(dtype in BYTES)) throw new OptionError('dtype', 'float32, bfloat16 or float16', dtype);
  return { gateMode, k, dtype, shared: checkSharedMerge(cfg.sharedMerge) };
}

function checkPrompts(prompts: ExpertPrompts[], gateMode: GateMode): void {
  if (!gatesReadPrompts(gateMode)) return;
  prompts.forEach((p, i) => {
    if (p.positive.length === 0) throw new OptionError(`experts[${i}].positive_prompts`, `at least one prompt for gate_mode ${gateMode}`, []);
  });
  const key = (p: ExpertPrompts) => JSON.stringify([p.positive.map((x) => x.join(',')).sort(), p.negative.map((x) => x.join(',')).sort()]);
  if (prompts.length > 1 && prompts.every((p) => key(p) === key(prompts[0]))) {
    throw new OptionError('experts[*].positive_prompts', 'different prompts per expert (identical prompts give identical gate rows, so the router cannot choose)', 'the same prompts for every expert');
  }
}

function computeGates(inputs: MergeInputs, gateMode: GateMode, prompts: ExpertPrompts[], seed: number): Gates {
  const c = inputs.config;
  if (!gatesReadPrompts(gateMode)) return randomGates(gateMode as 'random' | 'uniform_random', c.num_hidden_layers, prompts.length, c.hidden_size, seed);
  if (gateMode === 'cheap_embed') {
    return cheapEmbedGates(inputs.base.read('model.embed_tokens.weight'), c.vocab_size, c.hidden_size, prompts, c.num_hidden_layers);
  }
  const model = new TinyLlama({ config: c }, (name) => inputs.base.read(name));
  try {
    const bos = typeof c.bos_token_id === 'number' ? c.bos_token_id : null;
    return hiddenGates(model, prompts, { average: gateMode === 'hidden_avg', bos });
  } finally {
    model.dispose();
  }
}

function* expertTensors(inputs: MergeInputs, plan: PlannedTensor[], cfg: BuildMoEConfig, shared: SharedMergeConfig, gates: Gates, seed: number, log?: (l: string) => void, sample?: () => void): Generator<CheckpointTensor> {
  for (const t of plan) {
    sample?.();
    if (t.kind === 'shared') {
      log?.(`merge ${t.name} (${shared.method})`);
      yield { name: t.name, shape: t.shape, data: mergeSharedTensor(inputs, t.name, shared, seed) };
    } else if (t.kind === 'gate') {
      yield { name: t.name, shape: t.shape, data: gates.rows[t.layer] };
    } else {
      const ex = cfg.experts[t.expert];
      const data = inputs.experts[t.expert].read(t.sourceName);
      if (t.projection === 'w2' && ex.residualScale !== undefined && ex.residualScale !== 1) for (let j = 0; j < data.length; j++) data[j] *= ex.residualScale;
      if (ex.noiseScale) {
        const rng = createRng(`${seed}/noise/${t.name}`);
        for (let j = 0; j < data.length; j++) data[j] += rng.normal(0, ex.noiseScale);
      }
      yield { name: t.name, shape: t.shape, data };
    }
  }
}

/** Build (or plan, with dryRun) the Mixtral MoE. Throws before writing anything when an input is wrong. */
export async function buildMoE(cfg: BuildMoEConfig, options: BuildMoEOptions = {}): Promise<BuildMoEResult> {
  const { gateMode, k, dtype, shared } = checkOptions(cfg);
  if (!options.dryRun && !options.out) throw new OptionError('out', 'an output directory (or dryRun: true)', options.out);
  const seed = cfg.seed ?? 0;
  const inputs = openMergeInputs(cfg.baseModel, cfg.experts.map((e) => e.sourceModel));
  try {
    const prompts = resolvePrompts(cfg);
    checkPrompts(prompts, gateMode);
    const c = inputs.config;
    const E = cfg.experts.length;
    const plan = mixtralTensorPlan(c, E);
    const config = mixtralConfig(c, E, k, dtype);
    const totalBytes = plan.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1) * BYTES[dtype], 0);
    const warnings: string[] = [];
    if (c.rope_scaling) warnings.push('base config has rope_scaling; it is copied unchanged, check that the Mixtral loader honours it');
    if ((E & (E - 1)) !== 0) warnings.push(`${E} experts is not a power of two; some runtimes (llama.cpp) prefer 2, 4, 8`);
    const lines = [
      `base ${inputs.base.dir} (${c.model_type}, ${c.num_hidden_layers} layers, hidden ${c.hidden_size}, ffn ${c.intermediate_size}, rope_theta ${c.rope_theta})`,
      ...cfg.experts.map((e, i) => `expert ${i}: ${inputs.experts[i].dir} (${gatesReadPrompts(gateMode) ? `${prompts[i].positive.length} positive / ${prompts[i].negative.length} negative prompts` : `prompts unused by gate_mode ${gateMode}`})`),
      `shared tensors: ${shared.method}${shared.density !== undefined ? ` density ${shared.density}` : ''}${shared.lambda !== undefined ? ` lambda ${shared.lambda}` : ''}`,
      `router: gate_mode ${gateMode}, ${E} experts, top-${k}`,
      `output: ${plan.length} tensors, ${(totalBytes / 1e6).toFixed(2)} MB ${dtype}, model_type mixtral`,
    ];
    const promptGates = gatesReadPrompts(gateMode);
    const wantReport = options.routingReport ?? (promptGates && totalBytes < 256e6);
    const memory = expectedPeakMemory({ config: c, plan, gateMode, outputBytes: totalBytes, maxShardBytes: options.maxShardBytes ?? 5e9, routingReport: wantReport });
    lines.push(formatMemoryPlan(memory));
    if (options.dryRun) {
      // Gates are still computed so a dry run catches bad prompts, but after the plan is known.
      const gates = computeGates(inputs, gateMode, prompts, seed);
      if (promptGates) warnings.push(...gateWarnings(gates));
      return { config, plan: lines, warnings, tensorCount: plan.length, totalBytes, memory };
    }
    const meter = memorySampler();
    const gates = computeGates(inputs, gateMode, prompts, seed);
    meter.sample();
    if (promptGates) warnings.push(...gateWarnings(gates));
    await saveCheckpoint(
      options.out!,
      { config, tensors: expertTensors(inputs, plan, cfg, shared, gates, seed, options.log, meter.sample) },
      { dtype, maxShardBytes: options.maxShardBytes, overwrite: options.overwrite },
    );
    meter.sample();
    let routing: RoutingReport | undefined;
    if (wantReport) {
      routing = await routingReport(options.out!, prompts, typeof c.bos_token_id === 'number' ? c.bos_token_id : null);
      lines.push(...formatRoutingReport(routing));
    }
    const measured = meter.report();
    lines.push(`measured peak memory: RSS ${formatMB(measured.maxRss)} (process peak), ${formatMB(Math.max(0, measured.peakRss - measured.startRss))} above the ${formatMB(measured.startRss)} at the start; expected ${formatMB(memory.peakBytes)} of tensor data`);
    return { out: options.out, config, plan: lines, warnings, tensorCount: plan.length, totalBytes, routing, memory, measured };
  } finally {
    inputs.close();
  }
}
