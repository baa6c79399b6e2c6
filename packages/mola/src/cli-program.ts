/**
 * The `mola` command line: `reproduce` (spec section 5 and the sharper
 * conflict) on tensor-core's CLI runner. The bin (./cli.ts) only calls runMain(cli).
 */
import { defineCli } from '@paperkit/tensor-core/node';
import { reproduction } from './reproduce/index.js';

export const cli = defineCli({
  name: 'mola',
  summary: 'Mixture of Low-rank Adapters (MoLA, ICML 2024): per-task low-rank adapters on a shared tfjs backbone, by task id (MoLA-Grad) or by a router trained with Task-wise Decorrelation (MoLA-Router).',
  reproduction,
});
