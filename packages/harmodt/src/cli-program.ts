/**
 * The `harmodt` command line on tensor-core's CLI runner: `reproduce` (spec section 5), `train`
 * (HarmoDT on D4RL-layout JSON -> checkpoint) and `conflict` (gradient-conflict report of a
 * checkpoint). The bin (./cli.ts) only calls runMain(cli).
 */
import { readFile } from 'node:fs/promises';
import { FormatError, formatTable, initBackend } from '@paperkit/tensor-core';
import { defineCli, writeFileAtomic } from '@paperkit/tensor-core/node';
import { MultiTaskDataset } from '@paperkit/offline-rl';
import { loadHarmoDT, saveHarmoDT } from './checkpoint.js';
import { conflictReport } from './conflict-report.js';
import { HarmoDT } from './harmo-dt.js';
import { reproduction } from './reproduce/index.js';

async function readDataset(path: string): Promise<MultiTaskDataset> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new FormatError(path, error instanceof SyntaxError ? `not valid JSON (${error.message})` : String(error));
  }
  return MultiTaskDataset.fromD4RL(parsed as never);
}

export const cli = defineCli({
  name: 'harmodt',
  summary: 'Harmony Multi-Task Decision Transformer (HarmoDT, ICML 2024) on tfjs: per-task masks over one shared DT.',
  reproduction,
  commands: {
    train: {
      summary: 'train HarmoDT on D4RL-layout JSON {task: {observations, actions, rewards, terminals, timeouts}} and write a checkpoint',
      flags: {
        data: { type: 'string', description: 'dataset JSON', required: true },
        out: { type: 'string', description: 'checkpoint file (.safetensors)', required: true },
        steps: { type: 'integer', description: 'optimizer steps', default: 1800, min: 1 },
        conditioning: { type: 'string', description: 'task signal besides the masks', default: 'none', choices: ['none', 'taskEmbedding', 'prompt'] },
        sparsity: { type: 'number', description: 'mask sparsity s (density 1 - s)', default: 0.2 },
        maskInterval: { type: 'integer', description: 'steps between mask updates', default: 25, min: 1 },
        normalize: { type: 'string', description: 'state normalisation', default: 'per-task', choices: ['per-task', 'global', 'none'] },
        seed: { type: 'string', description: 'seed', default: '0' },
      },
      async run({ flags, log }) {
        await initBackend({ quiet: true });
        const raw = await readDataset(flags.data);
        const data = flags.normalize === 'per-task' ? raw : MultiTaskDataset.fromD4RL(JSON.parse(await readFile(flags.data, 'utf8')), { normalize: flags.normalize });
        const model = new HarmoDT({
          stateDim: data.stateDim, actDim: data.actDim, numTasks: data.numTasks, maxEpisodeLength: data.normalization.maxEpisodeLength,
          conditioning: flags.conditioning, sparsity: flags.sparsity, maskInterval: flags.maskInterval, seed: flags.seed,
        });
        try {
          await model.fit(data, { steps: flags.steps, onLog: ({ step, loss }) => log(`step ${step + 1}: loss ${loss.toFixed(4)}`) });
          await writeFileAtomic(flags.out, await saveHarmoDT(model));
          log(`wrote ${flags.out}`);
        } finally {
          model.dispose();
        }
      },
    },
    conflict: {
      summary: 'pairwise task-gradient cosines and within-mask conflict rates of a trained model',
      flags: {
        data: { type: 'string', description: 'dataset JSON', required: true },
        checkpoint: { type: 'string', description: 'HarmoDT checkpoint', required: true },
      },
      async run({ flags, log }) {
        await initBackend({ quiet: true });
        const data = await readDataset(flags.data);
        const model = loadHarmoDT(new Uint8Array(await readFile(flags.checkpoint)), flags.checkpoint);
        try {
          const r = await conflictReport(model, data);
          log(formatTable(['task', ...r.tasks, 'conflict rate'], r.tasks.map((t, i) => [t, ...r.cosines[i].map((c) => +c.toFixed(3)), +r.conflictRate[i].toFixed(3)])));
        } finally {
          model.dispose();
        }
      },
    },
  },
});
