/**
 * The `offline-rl` command line on tensor-core's CLI runner: `reproduce` (the DT sanity table)
 * and `dataset` (write a seeded planar-suite dataset as D4RL-layout JSON). The bin (./cli.ts)
 * only calls runMain(cli).
 */
import { OptionError } from '@paperkit/tensor-core';
import { defineCli, writeFileAtomic } from '@paperkit/tensor-core/node';
import { QUALITY_NOISE, type DataQuality } from './planar/experts.js';
import { PlanarSuite } from './planar/planar-suite.js';
import { PLANAR_TASKS, type PlanarTaskName } from './planar/tasks.js';
import { reproduction } from './reproduce/index.js';

export const cli = defineCli({
  name: 'offline-rl',
  summary: 'Offline RL substrate: planar-suite, trajectory datasets, Decision Transformer / Prompt-DT, batched evaluation.',
  reproduction,
  commands: {
    dataset: {
      summary: 'write a seeded planar-suite dataset as D4RL-layout JSON {task: {observations, actions, rewards, terminals, timeouts}}',
      flags: {
        out: { type: 'string', description: 'output JSON file', required: true },
        tasks: { type: 'string', description: `comma-separated tasks (${PLANAR_TASKS.join(', ')})`, default: PLANAR_TASKS.join(',') },
        episodes: { type: 'integer', description: 'episodes per task', default: 100, min: 1 },
        quality: { type: 'string', description: 'behaviour quality', default: 'near-optimal', choices: Object.keys(QUALITY_NOISE) },
        seed: { type: 'string', description: 'dataset seed', default: '0' },
      },
      async run({ flags, log }) {
        const tasks = String(flags.tasks).split(',').map((t) => t.trim()) as PlanarTaskName[];
        if (tasks.length === 0) throw new OptionError('--tasks', 'at least one task', flags.tasks);
        const suite = PlanarSuite.create({ tasks });
        const data = suite.dataset({ episodesPerTask: flags.episodes, quality: flags.quality as DataQuality, seed: flags.seed });
        const rows = (a: Float32Array, w: number) => Array.from({ length: a.length / w }, (_, i) => Array.from(a.subarray(i * w, (i + 1) * w)));
        const out: Record<string, unknown> = {};
        data.taskNames.forEach((name, t) => {
          const eps = data.episodes[t];
          out[name] = {
            observations: eps.flatMap((ep) => rows(ep.observations, data.stateDim)),
            actions: eps.flatMap((ep) => rows(ep.actions, data.actDim)),
            rewards: eps.flatMap((ep) => Array.from(ep.rewards)),
            terminals: eps.flatMap((ep) => new Array(ep.length).fill(0)),
            timeouts: eps.flatMap((ep) => Array.from({ length: ep.length }, (_, k) => (k === ep.length - 1 ? 1 : 0))),
          };
        });
        await writeFileAtomic(flags.out, JSON.stringify(out));
        log(`wrote ${flags.out}: ${data.numTasks} tasks x ${flags.episodes} episodes (${flags.quality})`);
      },
    },
  },
});
