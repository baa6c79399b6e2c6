/**
 * The `moe-merge` command: argument parsing and printing only.
 *   moe-merge config.yaml out/ [--shared-merge ties --density 0.8] [--gate-mode cheap_embed] [--dtype bf16] [--shard-size 5GB] [--seed 0] [--dry-run]
 *   moe-merge dense config.yaml out/
 *   moe-merge inspect FILE|DIR
 *   moe-merge reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE] [--spec-steps]
 */
import { Command, InvalidArgumentError } from 'commander';
import { OptionError, PaperkitError } from '@paperkit/tensor-core';
import { finishReproduction, parseReproduceArgs, REPRODUCE_USAGE } from '@paperkit/tensor-core/node';
import { parseDType } from './checkpoint.js';
import type { GateMode } from './gates.js';
import { formatBytes, formatInspect, inspectCheckpoint } from './inspect.js';
import { denseFromYamlFile, mergeFromYamlFile, type MergeOverrides } from './merge-from-yaml.js';
import type { SharedMergeMethod } from './merge-inputs.js';
import { runReproduction, SPEC_SIZES } from './reproduce/run.js';

/** "5GB", "500MB", "2GiB", "1e9" -> bytes. */
export function parseSize(text: string): number {
  const m = /^\s*([\d.eE+]+)\s*([kKmMgGtT]?)(i?)[bB]?\s*$/.exec(text);
  if (!m) throw new InvalidArgumentError(`expected a size like 5GB, 500MB or 1e9, got ${text}`);
  const base = m[3] ? 1024 : 1000;
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const n = Number(m[1]) * base ** power;
  if (!(n > 0)) throw new InvalidArgumentError(`expected a positive size, got ${text}`);
  return n;
}

const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got ${v}`);
  return n;
};

interface MergeFlags {
  sharedMerge?: string;
  density?: number;
  lambda?: number;
  gateMode?: string;
  dtype?: string;
  expertsPerToken?: number;
  shardSize?: number;
  seed?: number;
  dryRun?: boolean;
  overwrite?: boolean;
}

function overrides(f: MergeFlags): MergeOverrides {
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

function mergeOptions(cmd: Command): Command {
  return cmd
    .option('--shared-merge <method>', 'shared (non-FFN) tensors: base | average | task_arithmetic | ties | dare_linear | dare_ties')
    .option('--density <d>', 'ties/dare density', num)
    .option('--lambda <l>', 'task-vector scale', num)
    .option('--gate-mode <mode>', 'hidden | hidden_avg | cheap_embed | random | uniform_random')
    .option('--dtype <dtype>', 'output dtype: float32 | bf16 | fp16')
    .option('--experts-per-token <k>', 'router top-k', num)
    .option('--shard-size <size>', 'largest output shard, e.g. 5GB', parseSize)
    .option('--seed <n>', 'seed of DARE drops, random gates and noise', num)
    .option('--overwrite', 'replace a non-empty output directory');
}

export function buildProgram(): Command {
  const program = new Command('moe-merge')
    .description('Merge dense Llama/Mistral experts into a Mixtral MoE with TIES/DARE shared layers (MergeME, NAACL 2025)')
    .showHelpAfterError();

  mergeOptions(
    program
      .command('merge', { isDefault: true })
      .description('build a Mixtral checkpoint from a mergekit-moe YAML (+ shared_merge)')
      .argument('<config>', 'mergekit-moe YAML')
      .argument('[out]', 'output directory (appears only when complete)')
      .option('--dry-run', 'check everything and print the plan; write nothing'),
  ).action(async (config: string, out: string | undefined, flags: MergeFlags) => {
    if (!flags.dryRun && !out) throw new OptionError('out', 'an output directory (or --dry-run)', out);
    const res = await mergeFromYamlFile(config, out, { dryRun: flags.dryRun, maxShardBytes: flags.shardSize, overwrite: flags.overwrite, overrides: overrides(flags), log: (l) => process.stderr.write(`${l}\n`) });
    for (const line of res.plan) console.log(line);
    for (const w of res.warnings) console.warn(`warning: ${w}`);
    console.log(flags.dryRun ? 'dry run: nothing written' : `wrote ${res.out} (${res.tensorCount} tensors, ${formatBytes(res.totalBytes)})`);
  });

  mergeOptions(
    program
      .command('dense')
      .description("merge every tensor (FFNs too) into one dense model with the YAML's shared_merge method")
      .argument('<config>', 'mergekit-moe YAML with shared_merge')
      .argument('<out>', 'output directory'),
  ).action(async (config: string, out: string, flags: MergeFlags) => {
    const res = await denseFromYamlFile(config, out, { maxShardBytes: flags.shardSize, overwrite: flags.overwrite, overrides: overrides(flags) });
    console.log(`wrote ${res.out} (${res.tensorCount} tensors)`);
  });

  program
    .command('inspect')
    .description("print a checkpoint's tensors, dtypes, shapes and sizes (a .safetensors file or a checkpoint directory)")
    .argument('<path>')
    .action((path: string) => console.log(formatInspect(inspectCheckpoint(path))));

  program
    .command('reproduce')
    .description(`${REPRODUCE_USAGE} [--spec-steps]: the CPU reproduction of the spec (section 5)`)
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (argv: string[]) => {
      if (argv.includes('--help') || argv.includes('-h')) {
        console.log(`Usage: moe-merge ${REPRODUCE_USAGE} [--spec-steps]\n  --spec-steps  the spec's full step counts (base 1500, experts 600) instead of the default 500 / 200`);
        return;
      }
      const specSteps = argv.includes('--spec-steps');
      const args = parseReproduceArgs(argv.filter((a) => a !== '--spec-steps'), { defaultSeeds: 3, quickSeeds: 1 });
      const result = await runReproduction({
        quick: args.quick,
        seeds: args.seeds,
        sizes: specSteps ? { baseSteps: SPEC_SIZES.baseSteps, expertSteps: SPEC_SIZES.expertSteps } : undefined,
        log: (l) => console.log(l),
      });
      await finishReproduction(result, args, { plotMetrics: ['nll'] });
    });
  return program;
}

const isMain = (() => {
  const entry = process.argv[1] ?? '';
  return /cli\.(ts|js|mjs|cjs)$/.test(entry) || /moe-merge$/.test(entry);
})();

if (isMain) {
  // `pnpm cli -- reproduce` passes the `--` through; drop it.
  const argv = process.argv.slice(2);
  if (argv[0] === '--') argv.shift();
  buildProgram()
    .parseAsync(argv, { from: 'user' })
    .catch((err: unknown) => {
      if (err instanceof PaperkitError) {
        console.error(`moe-merge: ${err.message}`);
        process.exit(2);
      }
      throw err;
    });
}
