/**
 * `lorkd` command line: argument parsing and printing only (the work is in
 * reproduce/run.ts and the public API).
 */
import { Command } from 'commander';
import { finishReproduction, formatResultTable, parseReproduceArgs } from '@paperkit/tensor-core';
import { runReproduction } from './reproduce/run.js';

const program = new Command();
program
  .name('lorkd')
  .description('Low-Rank Knowledge Decomposition (LoRKD, CVPR 2024): per-task low-rank experts distilled from a teacher, merged into plain tfjs networks.');

program
  .command('reproduce')
  .description('Run LoRKD and its baselines on the seeded four-region world (spec section 5) and print the table.')
  .option('--quick', 'smoke-size run (<= 30 s)')
  .option('--seeds <n>', 'number of seeds (default 3, quick 1)')
  .option('--json <file>', 'write the ReproductionResult JSON here')
  .option('--plot <file>', 'write an SVG bar chart here')
  .option('--no-images', 'skip the 16x16 image table (always skipped with --quick)')
  .allowUnknownOption(false)
  .action(async (opts: { quick?: boolean; seeds?: string; json?: string; plot?: string; images: boolean }) => {
    const argv = [
      ...(opts.quick ? ['--quick'] : []),
      ...(opts.seeds ? ['--seeds', opts.seeds] : []),
      ...(opts.json ? ['--json', opts.json] : []),
      ...(opts.plot ? ['--plot', opts.plot] : []),
    ];
    const args = parseReproduceArgs(argv, { defaultSeeds: 3, quickSeeds: 1 });
    const log = (line: string) => console.log(line);
    const result = await runReproduction({ quick: args.quick, seeds: args.seeds, images: opts.images === false ? false : undefined, log });
    const image = result.details?.imageTable as { rows: Parameters<typeof formatResultTable>[0]['rows'] } | undefined;
    if (image) log(`\n16x16 image world, conv experts (smaller table):\n${formatResultTable(image)}`);
    await finishReproduction(result, args, { log, plotMetrics: ['mean region acc'] });
  });

// `pnpm cli -- reproduce` forwards the `--` separator; drop it.
const argv = process.argv.filter((arg, i) => !(i === 2 && arg === '--'));
program.parseAsync(argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
