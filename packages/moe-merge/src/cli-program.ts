/**
 * The `moe-merge` command line on tensor-core's CLI runner (the bin, ./cli.ts,
 * only calls runMain(cli)):
 *   moe-merge config.yaml out/ [--shared-merge ties --density 0.8] [--gate-mode cheap_embed] [--dtype bf16] [--shard-size 5GB] [--seed 0] [--dry-run]
 *   moe-merge dense config.yaml out/
 *   moe-merge inspect FILE|DIR
 *   moe-merge reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE] [--spec-steps]
 * Exit 0 ok, 2 bad input (options, files, shapes), 1 anything else.
 */
import { initBackend, OptionError } from '@paperkit/tensor-core';
import { defineCli, type CliFlag } from '@paperkit/tensor-core/node';
import { parseDType } from './checkpoint-types.js';
import type { GateMode } from './gates.js';
import { formatBytes, formatInspect, inspectCheckpoint } from './inspect.js';
import { denseFromYamlFile, mergeFromYamlFile, type MergeOverrides } from './merge-from-yaml.js';
import type { SharedMergeMethod } from './merge-config.js';
import { reproduction } from './reproduce/index.js';

/** "5GB", "500MB", "2GiB", "1e9" -> bytes. */
export function parseSize(text: string): number {
  const m = /^\s*([\d.eE+]+)\s*([kKmMgGtT]?)(i?)[bB]?\s*$/.exec(text);
  if (!m) throw new OptionError('--shard-size', 'a size like 5GB, 500MB or 1e9', text);
  const base = m[3] ? 1024 : 1000;
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const n = Number(m[1]) * base ** power;
  if (!(n > 0)) throw new OptionError('--shard-size', 'a positive size', text);
  return n;
}

const MERGE_FLAGS: Record<string, CliFlag> = {
  sharedMerge: { type: 'string', description: 'shared (non-FFN) tensors: base | average | task_arithmetic | ties | dare_linear | dare_ties' },
  density: { type: 'number', description: 'ties/dare density' },
  lambda: { type: 'number', description: 'task-vector scale' },
  gateMode: { type: 'string', description: 'hidden | hidden_avg | cheap_embed | random | uniform_random' },
  dtype: { type: 'string', description: 'output dtype: float32 | bf16 | fp16' },
  expertsPerToken: { type: 'integer', description: 'router top-k' },
  shardSize: { type: 'number', description: 'largest output shard, e.g. 5GB', parse: parseSize },
  seed: { type: 'number', description: 'seed of DARE drops, random gates and noise' },
  overwrite: { type: 'boolean', description: 'replace a non-empty output directory' },
};

function overrides(f: Record<string, any>): MergeOverrides {
  const shared: MergeOverrides['sharedMerge'] = {};
  if (f.sharedMerge) shared.method = f.sharedMerge as SharedMergeMethod;
  if (f.density !== undefined) shared.density = f.density;
  if (f.lambda !== undefined) shared.lambda = f.lambda;
  return {
    sharedMerge: shared,
    gateMode: f.gateMode as GateMode | undefined,
    dtype: f.dtype ? parseDType(f.dtype, '--dtype') : undefined,
    expertsPerToken: f.expertsPerToken,
    seed: f.seed,
  };
}

export const cli = defineCli({
  name: 'moe-merge',
  summary: 'Merge dense Llama/Mistral experts into a Mixtral MoE with TIES/DARE shared layers (MergeME, NAACL 2025)',
  reproduction,
  defaultCommand: 'merge',
  commands: {
    merge: {
      summary: 'build a Mixtral checkpoint from a mergekit-moe YAML (+ shared_merge)',
      positionals: [
        { name: 'config', description: 'mergekit-moe YAML' },
        { name: 'out', description: 'output directory (appears only when complete)', required: false },
      ],
      flags: { ...MERGE_FLAGS, dryRun: { type: 'boolean', description: 'check everything, print the plan and the expected peak memory; write nothing' } },
      async run({ flags, args, log, error }) {
        if (!flags.dryRun && !args.out) throw new OptionError('out', 'an output directory (or --dry-run)', args.out);
        // hidden gates and the routing report run tfjs: pick the wasm backend, never tfjs's cpu default by accident.
        await initBackend({ quiet: true });
        const res = await mergeFromYamlFile(args.config, args.out, {
          dryRun: flags.dryRun, maxShardBytes: flags.shardSize, overwrite: flags.overwrite, overrides: overrides(flags), log: error,
        });
        for (const line of res.plan) log(line);
        for (const w of res.warnings) error(`warning: ${w}`);
        log(flags.dryRun ? 'dry run: nothing written' : `wrote ${res.out} (${res.tensorCount} tensors, ${formatBytes(res.totalBytes)})`);
        return 0;
      },
    },
    dense: {
      summary: "merge every tensor (FFNs too) into one dense model with the YAML's shared_merge method",
      positionals: [
        { name: 'config', description: 'mergekit-moe YAML with shared_merge' },
        { name: 'out', description: 'output directory' },
      ],
      flags: MERGE_FLAGS,
      async run({ flags, args, log }) {
        await initBackend({ quiet: true });
        const res = await denseFromYamlFile(args.config, args.out, { maxShardBytes: flags.shardSize, overwrite: flags.overwrite, overrides: overrides(flags) });
        log(`wrote ${res.out} (${res.tensorCount} tensors)`);
        return 0;
      },
    },
    inspect: {
      summary: "print a checkpoint's tensors, dtypes, shapes and sizes (a .safetensors file or a checkpoint directory)",
      positionals: [{ name: 'path', description: 'a .safetensors file or a checkpoint directory' }],
      run({ args, log }) {
        log(formatInspect(inspectCheckpoint(args.path)));
        return 0;
      },
    },
  },
});
