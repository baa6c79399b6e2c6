/**
 * The `reprogramming-distill` command line (Node only): `reproduce` (spec section 5) and
 * `cka` (CKA between two saved feature matrices, to choose which teacher layer to tap).
 * `cli.main(argv)` returns the exit code: 0 ok, 2 bad input, 1 other failure.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { FormatError, OptionError, PaperkitError, ShapeError, finishReproduction, formatTable, initBackend, readNpy } from '@paperkit/tensor-core';
import { ckaReport } from './cka-report.js';
import { REPRODUCE_FLAGS, reproduction } from './reproduce/index.js';

type FlagType = 'boolean' | 'string' | 'integer';
interface Command {
  summary: string;
  usage: string;
  flags: Record<string, { type: FlagType; description: string }>;
  positionals: string[];
  run(flags: Record<string, unknown>, args: string[], log: (line: string) => void): Promise<number>;
}

async function loadMatrix(path: string): Promise<tf.Tensor2D> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new FormatError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const array = readNpy(bytes, { source: path });
  if (array.shape.length !== 2) throw new ShapeError(path, '[n, p] (a 2-D .npy feature matrix)', array.shape);
  return tf.tensor2d(Float32Array.from(array.data as ArrayLike<number>, Number), array.shape as [number, number]);
}

const commands: Record<string, Command> = {
  reproduce: {
    summary: 'run spec section 5 (RD vs student only, Hinton KD, FitNets, FM probe/adapter/LoRA; 5 seeds) and judge the claim',
    usage: 'reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE] [--n N] [--restarts R]',
    flags: {
      quick: { type: 'boolean', description: 'smoke-size run (1 seed, fewer steps)' },
      seeds: { type: 'integer', description: 'number of seeds 0..N-1 (default 5, quick 1)' },
      json: { type: 'string', description: 'write the ReproductionResult JSON here (atomically)' },
      plot: { type: 'string', description: 'write an SVG bar chart here' },
      n: { type: 'integer', description: REPRODUCE_FLAGS.n.description + ' (default 200)' },
      restarts: { type: 'integer', description: REPRODUCE_FLAGS.restarts.description + ' (default 3)' },
    },
    positionals: [],
    async run(flags, _args, log) {
      const result = await reproduction.run({
        quick: flags.quick === true, seeds: flags.seeds as number | undefined,
        flags: { n: flags.n as number | undefined, restarts: flags.restarts as number | undefined }, log,
      });
      await finishReproduction(result, { json: flags.json as string | undefined, plot: flags.plot as string | undefined }, { log, plotMetrics: ['test acc'] });
      for (const table of result.tables ?? []) {
        log(`\n${table.title} (mean over ${result.seeds.length} seed${result.seeds.length > 1 ? 's' : ''}):`);
        log(formatTable(['method', 'mean acc over restarts', 'sd over restarts'], table.rows.map((r) => [r.method, r.metrics['mean acc over restarts'].mean, r.metrics['sd over restarts'].mean])));
      }
      return 0;
    },
  },
  cka: {
    summary: 'CKA (linear, unbiased, RBF, minibatch) between two .npy feature matrices with paired rows',
    usage: 'cka <a.npy> <b.npy> [--batch N]',
    flags: { batch: { type: 'integer', description: 'minibatch size for minibatch CKA (default 256)' } },
    positionals: ['a.npy', 'b.npy'],
    async run(flags, args, log) {
      await initBackend({ quiet: true });
      const a = await loadMatrix(args[0]);
      const b = await loadMatrix(args[1]);
      try {
        const r = ckaReport(a, b, (flags.batch as number | undefined) ?? 256);
        log(formatTable(['estimate', 'value'], [
          ['rows', r.rows], ['linear CKA (biased)', r.linear], ['linear CKA (unbiased)', r.linearUnbiased ?? '-'],
          ['RBF CKA (median bandwidth)', r.rbf], ['minibatch CKA', r.minibatch ?? '-'],
        ]));
      } finally {
        tf.dispose([a, b]);
      }
      return 0;
    },
  },
};

function help(): string {
  const lines = ['reprogramming-distill: Reprogramming Distillation (MICCAI 2024) from a frozen foundation model into a small tfjs student', '', 'commands:'];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push('', 'reprogramming-distill <command> --help for its flags');
  return lines.join('\n');
}

function commandHelp(name: string, c: Command): string {
  const lines = [`usage: reprogramming-distill ${c.usage}`, '', c.summary, ''];
  for (const [flag, spec] of Object.entries(c.flags)) lines.push(`  --${flag.padEnd(10)} ${spec.description}`);
  return `${lines.join('\n')}${name === 'reproduce' ? `\n\nclaim: ${reproduction.definition.claim}` : ''}`;
}

function parse(c: Command, tokens: string[]): { flags: Record<string, unknown>; args: string[] } {
  const flags: Record<string, unknown> = {};
  const args: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token.startsWith('--')) {
      args.push(token);
      continue;
    }
    const [key, inline] = token.slice(2).split('=', 2) as [string, string | undefined];
    const spec = c.flags[key];
    if (!spec) throw new OptionError(`--${key}`, `one of ${Object.keys(c.flags).map((f) => `--${f}`).join(', ')}`, token);
    if (spec.type === 'boolean') {
      flags[key] = true;
      continue;
    }
    const text = inline ?? tokens[++i];
    if (text === undefined || text.startsWith('--')) throw new OptionError(`--${key}`, `a value (${spec.description})`, text ?? 'nothing');
    if (spec.type === 'integer') {
      const v = Number(text);
      if (!Number.isInteger(v) || v < 1) throw new OptionError(`--${key}`, 'a positive integer', text);
      flags[key] = v;
    } else flags[key] = text;
  }
  if (args.length !== c.positionals.length) throw new OptionError('arguments', `${c.positionals.length ? c.positionals.join(' ') : 'none'} (usage: ${c.usage})`, args);
  return { flags, args };
}

export const cli = {
  name: 'reprogramming-distill',
  commands,
  /** Run with argv (without node and the script); resolves to the exit code. */
  async main(argv: readonly string[], io: { stdout?: (line: string) => void; stderr?: (line: string) => void } = {}): Promise<number> {
    const log = io.stdout ?? ((line: string) => console.log(line));
    const error = io.stderr ?? ((line: string) => console.error(line));
    const tokens = argv.filter((a) => a !== '--');
    try {
      const [name, ...rest] = tokens;
      if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
        log(help());
        return name === undefined ? 2 : 0;
      }
      const c = commands[name];
      if (!c) throw new OptionError('command', `one of ${Object.keys(commands).join(', ')}`, name);
      if (rest.includes('--help') || rest.includes('-h')) {
        log(commandHelp(name, c));
        return 0;
      }
      const { flags, args } = parse(c, rest);
      return await c.run(flags, args, log);
    } catch (e) {
      const input = e instanceof OptionError || e instanceof ShapeError || e instanceof FormatError;
      error(input || e instanceof PaperkitError ? (e as Error).message : (e as Error)?.stack ?? String(e));
      return input ? 2 : 1;
    }
  },
};
