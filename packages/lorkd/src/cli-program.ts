/**
 * The `lorkd` command line: `reproduce` (spec section 5) on tensor-core's CLI
 * runner. The bin (./cli.ts) only calls runMain(cli).
 */
import { defineCli } from '@paperkit/tensor-core/node';
import { reproduction } from './reproduce/run.js';

export const cli = defineCli({
  name: 'lorkd',
  summary: 'Low-Rank Knowledge Decomposition (LoRKD, CVPR 2024): per-task low-rank experts distilled from a teacher, merged into plain tfjs networks.',
  reproduction,
});
