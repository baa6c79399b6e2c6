/**
 * The `divil` command line on tensor-core's CLI runner (bin: cli.ts calls runMain(cli)):
 *   divil reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE] [--dataset ..] [--grid ..]
 *   divil train data.jsonl [--test FILE] [--objective irm] [--lambda ..] [--beta ..] ...
 * Argument parsing and printing only; the work is in the public API and reproduce/.
 */
import { Dense, MLP, createRng, formatTable, initBackend } from '@paperkit/tensor-core';
import { defineCli, writeFileAtomic } from '@paperkit/tensor-core/node';
import { createDivil } from './create-divil.js';
import { accuracyOn } from './diagnostics.js';
import { readTrainingJsonl } from './node.js';
import type { Objective } from './options.js';
import { reproduction } from './reproduce/index.js';

export const cli = defineCli({
  name: 'divil',
  summary: 'Diverse Invariant Learning (DivIL, TMLR 2025) on tfjs models: ERM, IRMv1, V-REx, GroupDRO and the DivIL contrastive add-on',
  reproduction,
  commands: {
    train: {
      summary: 'train an MLP with an IL objective (+ DivIL) on a JSONL file of {"x": number[], "y": 0|1, "env": id} rows; print per-environment accuracy',
      positionals: [{ name: 'data', description: 'training data, JSONL' }],
      flags: {
        test: { type: 'string', description: 'a JSONL file to report accuracy on (grouped by its env ids)' },
        objective: { type: 'string', choices: ['erm', 'irm', 'vrex', 'groupdro'], default: 'irm', description: 'erm | irm | vrex | groupdro' },
        lambda: { type: 'number', min: 0, default: 1e4, description: 'penalty weight after annealing' },
        anneal: { type: 'integer', min: 0, default: 100, description: 'steps with penalty weight 1' },
        beta: { type: 'number', min: 0, default: 0.01, description: 'DivIL contrastive weight (0 = off)' },
        keep: { type: 'number', min: 0, max: 1, default: 0.2, description: 'input entries kept by the masked view' },
        rho: { type: 'number', min: 0, max: 1, default: 0.5, description: 'share of projection coordinates masked, [0, 1)' },
        steps: { type: 'integer', min: 1, default: 300, description: 'optimizer steps' },
        hidden: { type: 'integer', min: 1, default: 64, description: 'MLP hidden width' },
        lr: { type: 'number', min: 0, default: 1e-3, description: 'Adam learning rate' },
        batch: { type: 'integer', min: 0, default: 256, description: 'rows per environment per step (0 = full batch)' },
        seed: { type: 'integer', min: 0, default: 0, description: 'seed' },
        json: { type: 'string', description: 'write the accuracies as JSON here (atomically)' },
      },
      async run({ flags, args, log }) {
        await initBackend({ quiet: true });
        const train = await readTrainingJsonl(args.data);
        const test = flags.test ? await readTrainingJsonl(flags.test) : null;
        const rng = createRng(flags.seed);
        const featurizer = new MLP({ sizes: [train.inputDim, flags.hidden, flags.hidden], outputActivation: 'relu', rng: rng.fork('featurizer') });
        const head = new Dense({ inDim: flags.hidden, outDim: 1, rng: rng.fork('head') });
        try {
          const learner = createDivil({ featurizer, head }, {
            objective: flags.objective as Objective, penaltyWeight: flags.lambda, annealSteps: flags.anneal, contrastWeight: flags.beta,
            inputKeepProb: flags.keep, featureMaskRatio: flags.rho, seed: flags.seed, featureDim: flags.hidden,
          });
          try {
            await learner.fit(train.envs, { steps: flags.steps, batchSize: flags.batch, optimizer: { name: 'adam', lr: flags.lr }, progress: 'divil train' });
            const rows: Array<[string, number, number]> = [];
            for (let i = 0; i < train.envs.length; i++) rows.push([`train env ${train.envIds[i]}`, train.envs[i].x.shape[0], await accuracyOn(learner, train.envs[i])]);
            if (test) for (let i = 0; i < test.envs.length; i++) rows.push([`test env ${test.envIds[i]}`, test.envs[i].x.shape[0], await accuracyOn(learner, test.envs[i])]);
            log(formatTable(['set', 'rows', 'accuracy'], rows.map(([a, n, acc]) => [a, n, acc.toFixed(4)])));
            if (flags.json) {
              await writeFileAtomic(flags.json, `${JSON.stringify({ objective: flags.objective, accuracy: Object.fromEntries(rows.map(([a, , acc]) => [a, acc])) }, null, 2)}\n`);
              log(`wrote ${flags.json}`);
            }
          } finally {
            learner.dispose();
          }
        } finally {
          featurizer.dispose();
          head.dispose();
          train.dispose();
          test?.dispose();
        }
      },
    },
  },
});
