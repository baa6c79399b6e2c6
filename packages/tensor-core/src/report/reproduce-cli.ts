/**
 * The shared half of every package's `reproduce` subcommand: parse the common
 * flags, then print the table and verdict and write the JSON and SVG outputs.
 */
import { OptionError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { resultToSvg } from './plot.js';
import type { ReproductionResult } from './reproduction-result.js';
import { formatResultTable } from './table.js';

export interface ReproduceArgs {
  quick: boolean;
  /** Number of seeds to run (seeds 0..n-1). */
  seeds: number;
  json?: string;
  plot?: string;
}

export const REPRODUCE_USAGE = 'reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE]';

/** Parse `[--quick] [--seeds N] [--json FILE] [--plot FILE]`; unknown flags throw an OptionError. */
export function parseReproduceArgs(argv: string[], defaults: { defaultSeeds: number; quickSeeds?: number }): ReproduceArgs {
  const args: ReproduceArgs = { quick: false, seeds: Number.NaN };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new OptionError(flag, 'a value', v ?? 'nothing');
      return v;
    };
    if (flag === '--quick') args.quick = true;
    else if (flag === '--seeds') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new OptionError('--seeds', 'a positive integer', n);
      args.seeds = n;
    } else if (flag === '--json') args.json = value();
    else if (flag === '--plot') args.plot = value();
    else throw new OptionError(flag, `one of the flags of "${REPRODUCE_USAGE}"`, argv[i]);
  }
  if (Number.isNaN(args.seeds)) args.seeds = args.quick ? (defaults.quickSeeds ?? 1) : defaults.defaultSeeds;
  return args;
}

/** Print the result table and verdict; write `--json` (atomically) and `--plot` (SVG) when asked. */
export async function finishReproduction(
  result: ReproductionResult,
  args: Pick<ReproduceArgs, 'json' | 'plot'>,
  opts: { log?: (line: string) => void; plotMetrics?: string[]; svg?: string } = {},
): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const seedText = `${result.seeds.length} seed${result.seeds.length === 1 ? '' : 's'}`;
  log(`\n${result.package}: ${result.claim}`);
  log(`backend ${result.backend}, ${seedText}${result.quick ? ', quick' : ''}, ${result.seconds.toFixed(1)} s\n`);
  log(formatResultTable(result));
  for (const table of result.tables ?? []) log(`\n${table.title}:\n${formatResultTable(table)}`);
  log(`\n${result.holds ? 'HOLDS' : 'DOES NOT HOLD'}: ${result.verdict}`);
  if (args.json) {
    await writeFileAtomic(args.json, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${args.json}`);
  }
  if (args.plot) {
    await writeFileAtomic(args.plot, opts.svg ?? (await resultToSvg(result, { metrics: opts.plotMetrics })));
    log(`wrote ${args.plot}`);
  }
}
