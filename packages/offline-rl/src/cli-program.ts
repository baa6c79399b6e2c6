/**
 * `offline-rl` command line (Node only). `cli.main(argv)` returns the exit code: 0 ok,
 * 2 bad input or options (a PaperkitError of the option/format/shape kind), 1 other failure.
 */
import { FormatError, OptionError, ShapeError, finishReproduction, parseReproduceArgs, writeFileAtomic, REPRODUCE_USAGE } from '@paperkit/tensor-core';
import { QUALITY_NOISE, type DataQuality } from './planar/experts.js';
import { PlanarSuite } from './planar/planar-suite.js';
import { PLANAR_TASKS, type PlanarTaskName } from './planar/tasks.js';
import { reproduction } from './reproduce/index.js';

const HELP = `offline-rl: offline RL substrate (planar-suite, trajectory datasets, Decision Transformer)

usage:
  offline-rl ${REPRODUCE_USAGE}
      DT sanity table: a single-task DT reaches the scripted expert on each planar task
  offline-rl dataset --out FILE [--tasks a,b] [--episodes N] [--quality Q] [--seed S]
      write a seeded planar-suite dataset as D4RL-layout JSON {task: {observations, actions, rewards, terminals, timeouts}}
      tasks: ${PLANAR_TASKS.join(', ')}; quality: ${Object.keys(QUALITY_NOISE).join(', ')}
  offline-rl --help`;

export interface Cli {
  main(argv: string[]): Promise<number>;
}

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

async function datasetCommand(argv: string[], log: (l: string) => void): Promise<number> {
  const f = parseFlags(argv, ['--out', '--tasks', '--episodes', '--quality', '--seed']);
  if (!f.out) throw new OptionError('--out', 'an output file', undefined);
  const tasks = (f.tasks ?? PLANAR_TASKS.join(',')).split(',').map((t) => t.trim()) as PlanarTaskName[];
  const episodes = Number(f.episodes ?? 100);
  const quality = (f.quality ?? 'near-optimal') as DataQuality;
  const suite = PlanarSuite.create({ tasks });
  const data = suite.dataset({ episodesPerTask: episodes, quality, seed: f.seed ?? 0 });
  const out: Record<string, unknown> = {};
  data.taskNames.forEach((name, t) => {
    const eps = data.episodes[t];
    out[name] = {
      observations: eps.flatMap((ep) => Array.from({ length: ep.length }, (_, k) => Array.from(ep.observations.subarray(k * data.stateDim, (k + 1) * data.stateDim)))),
      actions: eps.flatMap((ep) => Array.from({ length: ep.length }, (_, k) => Array.from(ep.actions.subarray(k * data.actDim, (k + 1) * data.actDim)))),
      rewards: eps.flatMap((ep) => Array.from(ep.rewards)),
      terminals: eps.flatMap((ep) => new Array(ep.length).fill(0)),
      timeouts: eps.flatMap((ep) => Array.from({ length: ep.length }, (_, k) => (k === ep.length - 1 ? 1 : 0))),
    };
  });
  await writeFileAtomic(f.out, JSON.stringify(out));
  log(`wrote ${f.out}: ${data.numTasks} tasks x ${episodes} episodes (${quality})`);
  return 0;
}

export const cli: Cli = {
  async main(argv) {
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
      if (command === 'dataset') return await datasetCommand(rest, log);
      throw new OptionError('command', "'reproduce' | 'dataset' | '--help'", command);
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      return error instanceof OptionError || error instanceof FormatError || error instanceof ShapeError ? 2 : 1;
    }
  },
};
