/**
 * The `divil` command line (bin entry: cli.ts): argument parsing and printing only; the work is
 * in the public API and reproduce/. Exit codes: 0 ok, 2 bad input or options, 1 anything else.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import {
  Dense, FormatError, MLP, OptionError, PaperkitError, ShapeError, createRng, finishReproduction, formatTable, initBackend,
  parseReproduceArgs, writeFileAtomic,
} from '@paperkit/tensor-core';
import { readTrainingJsonl } from './node.js';
import { createDivil } from './create-divil.js';
import { accuracyOn } from './diagnostics.js';
import { formatDivilTables, reproduction } from './reproduce/index.js';
import type { Objective } from './options.js';

const numberArg = (name: string, min = -Infinity) => (v: string): number => {
  const x = Number(v);
  if (!Number.isFinite(x) || x < min) throw new InvalidArgumentError(`${name} must be a number >= ${min}, got "${v}"`);
  return x;
};
const intArg = (name: string, min: number) => (v: string): number => {
  const x = Number(v);
  if (!Number.isInteger(x) || x < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got "${v}"`);
  return x;
};

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('divil')
    .description('Diverse Invariant Learning (DivIL, TMLR 2025) on tfjs models: ERM, IRMv1, V-REx, GroupDRO and the DivIL contrastive add-on.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('reproduce')
    .description('ERM, IRM, VREx, IRM+DivIL, VREx+DivIL on the seeded Colored digits and weak-details datasets (spec section 5), settings chosen on validation environments')
    .option('--quick', 'smoke-size run (1 seed, small data, tiny grid)')
    .option('--seeds <n>', 'evaluation seeds 0..n-1 (default 5, quick 1)')
    .option('--json <file>', 'write the ReproductionResult JSON here')
    .option('--plot <file>', 'write an SVG bar chart here')
    .option('--dataset <name>', 'digits, details or both', 'both')
    .option('--grid <kind>', "validation sweep: 'coordinate' (lambda, then DivIL's knobs) or 'full' (the spec's whole grid, about 5x slower)", 'coordinate')
    .action(async (opts: { quick?: boolean; seeds?: string; json?: string; plot?: string; dataset: string; grid: string }) => {
      if (!['digits', 'details', 'both'].includes(opts.dataset)) throw new OptionError('--dataset', 'digits, details or both', opts.dataset);
      if (!['coordinate', 'full'].includes(opts.grid)) throw new OptionError('--grid', 'coordinate or full', opts.grid);
      const args = parseReproduceArgs(
        [...(opts.quick ? ['--quick'] : []), ...(opts.seeds ? ['--seeds', opts.seeds] : []), ...(opts.json ? ['--json', opts.json] : []), ...(opts.plot ? ['--plot', opts.plot] : [])],
        { defaultSeeds: reproduction.seeds.full, quickSeeds: reproduction.seeds.quick },
      );
      const log = (line: string) => console.log(line);
      const result = await reproduction.run({ quick: args.quick, seeds: args.seeds, flags: { dataset: opts.dataset, grid: opts.grid }, log });
      log(formatDivilTables(result));
      await finishReproduction(result, args, { log, plotMetrics: reproduction.plot?.metrics });
    });

  program
    .command('train')
    .description('train an MLP with an IL objective (+ DivIL) on a JSONL file of {"x": number[], "y": 0|1, "env": id} rows and report per-environment accuracy')
    .argument('<data>', 'training data, JSONL')
    .option('--test <file>', 'a JSONL file to report accuracy on (env ids ignored)')
    .option('--objective <name>', 'erm, irm, vrex or groupdro', 'irm')
    .option('--lambda <x>', 'penalty weight after annealing', numberArg('--lambda', 0), 1e4)
    .option('--anneal <steps>', 'steps with penalty weight 1', intArg('--anneal', 0), 100)
    .option('--beta <x>', 'DivIL contrastive weight (0 = off)', numberArg('--beta', 0), 0.01)
    .option('--keep <p>', 'input entries kept by the masked view', numberArg('--keep', 0), 0.2)
    .option('--rho <r>', 'share of projection coordinates masked', numberArg('--rho', 0), 0.5)
    .option('--steps <n>', 'optimizer steps', intArg('--steps', 1), 300)
    .option('--hidden <n>', 'MLP hidden width', intArg('--hidden', 1), 64)
    .option('--lr <x>', 'Adam learning rate', numberArg('--lr', 0), 1e-3)
    .option('--batch <n>', 'rows per environment per step (0 = full batch)', intArg('--batch', 0), 256)
    .option('--seed <n>', 'seed', intArg('--seed', 0), 0)
    .option('--json <file>', 'write the accuracies as JSON here')
    .action(async (path: string, f: { test?: string; objective: string; lambda: number; anneal: number; beta: number; keep: number; rho: number; steps: number; hidden: number; lr: number; batch: number; seed: number; json?: string }) => {
      if (!['erm', 'irm', 'vrex', 'groupdro'].includes(f.objective)) throw new OptionError('--objective', 'erm, irm, vrex or groupdro', f.objective);
      await initBackend({ quiet: true });
      const train = await readTrainingJsonl(path);
      const test = f.test ? await readTrainingJsonl(f.test) : null;
      const rng = createRng(f.seed);
      const featurizer = new MLP({ sizes: [train.inputDim, f.hidden, f.hidden], outputActivation: 'relu', rng: rng.fork('featurizer') });
      const head = new Dense({ inDim: f.hidden, outDim: 1, rng: rng.fork('head') });
      const learner = createDivil({ featurizer, head }, {
        objective: f.objective as Objective, penaltyWeight: f.lambda, annealSteps: f.anneal, contrastWeight: f.beta,
        inputKeepProb: f.keep, featureMaskRatio: f.rho, seed: f.seed, featureDim: f.hidden,
      });
      try {
        await learner.fit(train.envs, { steps: f.steps, batchSize: f.batch, optimizer: { name: 'adam', lr: f.lr }, progress: 'divil train' });
        const rows: Array<[string, number, number]> = [];
        for (let i = 0; i < train.envs.length; i++) rows.push([`train env ${train.envIds[i]}`, train.envs[i].x.shape[0], await accuracyOn(learner, train.envs[i])]);
        if (test) for (let i = 0; i < test.envs.length; i++) rows.push([`test ${test.envIds[i]}`, test.envs[i].x.shape[0], await accuracyOn(learner, test.envs[i])]);
        console.log(formatTable(['set', 'rows', 'accuracy'], rows.map(([a, n, acc]) => [a, n, acc.toFixed(4)])));
        if (f.json) {
          await writeFileAtomic(f.json, `${JSON.stringify({ options: learner.options.objective, accuracy: Object.fromEntries(rows.map(([a, , acc]) => [a, acc])) }, null, 2)}\n`);
          console.log(`wrote ${f.json}`);
        }
      } finally {
        learner.dispose();
        featurizer.dispose();
        head.dispose();
        train.dispose();
        test?.dispose();
      }
    });
  return program;
}

/** Run the CLI on argv (node-style: argv[0] node, argv[1] script); resolves to the exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  // `pnpm cli -- reproduce` forwards a bare `--`; drop it.
  const args = argv.filter((a, i) => !(i >= 2 && a === '--'));
  try {
    await program.parseAsync(args);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' || err.exitCode === 0) return 0;
      return 2;
    }
    if (err instanceof FormatError || err instanceof OptionError || err instanceof ShapeError) {
      console.error(`divil: ${err.message}`);
      return 2;
    }
    if (err instanceof PaperkitError) {
      console.error(`divil: ${err.message}`);
      return 1;
    }
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      console.error(`divil: ${(err as Error).message}`);
      return 2;
    }
    console.error(err);
    return 1;
  }
}
