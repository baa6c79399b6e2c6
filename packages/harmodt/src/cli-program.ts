/**
 * `harmodt` command line (Node only). `cli.main(argv)` returns the exit code: 0 ok,
 * 2 bad input or options (option/format/shape errors, unknown flags), 1 other failure.
 */
import { readFile } from 'node:fs/promises';
import { FormatError, OptionError, ShapeError, finishReproduction, formatTable, initBackend, parseReproduceArgs, writeFileAtomic, REPRODUCE_USAGE } from '@paperkit/tensor-core';
import { MultiTaskDataset } from '@paperkit/offline-rl';
import { loadHarmoDT, saveHarmoDT } from './checkpoint.js';
import { conflictReport } from './conflict-report.js';
import { HarmoDT } from './harmo-dt.js';
import { reproduction } from './reproduce/index.js';

const HELP = `harmodt: Harmony Multi-Task Decision Transformer (HarmoDT, ICML 2024) on tfjs

usage:
  harmodt ${REPRODUCE_USAGE}
      six planar tasks with two aliased pairs: HarmoDT vs MT-DT, per-task DT, Prompt-DT, RandMask, G-HarmoDT
  harmodt train --data FILE.json --out FILE.safetensors [--steps N] [--conditioning none|taskEmbedding|prompt]
                [--sparsity S] [--mask-interval N] [--seed S]
      train HarmoDT on D4RL-layout JSON {task: {observations, actions, rewards, terminals, timeouts}}
  harmodt conflict --data FILE.json --checkpoint FILE.safetensors
      pairwise task-gradient cosines and within-mask conflict rates of a trained model
  harmodt --help`;

function parseFlags(argv: string[], allowed: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2) as [string, string | undefined];
    if (!allowed.includes(flag)) throw new OptionError(flag, `one of ${allowed.join(', ')}`, argv[i]);
    const v = inline ?? argv[++i];
    if (v === undefined) throw new OptionError(flag, 'a value', 'nothing');
    out[flag.slice(2)] = v;
  }
  return out;
}

async function readDataset(path: string | undefined): Promise<MultiTaskDataset> {
  if (!path) throw new OptionError('--data', 'a D4RL-layout JSON file', undefined);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new FormatError(path, error instanceof SyntaxError ? `not valid JSON (${error.message})` : String(error));
  }
  return MultiTaskDataset.fromD4RL(parsed as never);
}

const num = (flag: string, v: string | undefined, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new OptionError(flag, 'a number', v);
  return n;
};

export const cli = {
  async main(argv: string[]): Promise<number> {
    const log = (line: string) => console.log(line);
    const args = argv.filter((a) => a !== '--');
    try {
      const [command, ...rest] = args;
      if (!command || command === '--help' || command === '-h' || command === 'help') {
        log(HELP);
        return command ? 0 : 2;
      }
      if (rest.includes('--help') || rest.includes('-h')) {
        log(HELP);
        return 0;
      }
      if (command === 'reproduce') {
        const parsed = parseReproduceArgs(rest, { defaultSeeds: reproduction.definition.seeds.full, quickSeeds: reproduction.definition.seeds.quick });
        const result = await reproduction.run({ quick: parsed.quick, seeds: parsed.seeds, log });
        await finishReproduction(result, parsed, { log, plotMetrics: reproduction.definition.plot?.metrics });
        return 0;
      }
      if (command === 'train') {
        const f = parseFlags(rest, ['--data', '--out', '--steps', '--conditioning', '--sparsity', '--mask-interval', '--seed']);
        if (!f.out) throw new OptionError('--out', 'a checkpoint path (.safetensors)', undefined);
        await initBackend({ quiet: true });
        const data = await readDataset(f.data);
        const model = new HarmoDT({
          stateDim: data.stateDim, actDim: data.actDim, numTasks: data.numTasks, maxEpisodeLength: data.normalization.maxEpisodeLength,
          conditioning: (f.conditioning ?? 'none') as never, sparsity: num('--sparsity', f.sparsity, 0.2),
          maskInterval: num('--mask-interval', f['mask-interval'], 25), seed: f.seed ?? 0,
        });
        try {
          await model.fit(data, { steps: num('--steps', f.steps, 1800), onLog: ({ step, loss }) => log(`step ${step + 1}: loss ${loss.toFixed(4)}`) });
          await writeFileAtomic(f.out, await saveHarmoDT(model));
          log(`wrote ${f.out}`);
        } finally {
          model.dispose();
        }
        return 0;
      }
      if (command === 'conflict') {
        const f = parseFlags(rest, ['--data', '--checkpoint']);
        if (!f.checkpoint) throw new OptionError('--checkpoint', 'a HarmoDT checkpoint', undefined);
        await initBackend({ quiet: true });
        const data = await readDataset(f.data);
        const model = loadHarmoDT(new Uint8Array(await readFile(f.checkpoint)), f.checkpoint);
        try {
          const r = await conflictReport(model, data);
          log(formatTable(['task', ...r.tasks, 'conflict rate'], r.tasks.map((t, i) => [t, ...r.cosines[i].map((c) => +c.toFixed(3)), +r.conflictRate[i].toFixed(3)])));
        } finally {
          model.dispose();
        }
        return 0;
      }
      throw new OptionError('command', "'reproduce' | 'train' | 'conflict' | '--help'", command);
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      return error instanceof OptionError || error instanceof FormatError || error instanceof ShapeError ? 2 : 1;
    }
  },
};
