import { initBackend } from '@paperkit/tensor-core';
import { CONFLICT6, PlanarSuite } from '@paperkit/offline-rl';

export async function setupBackend(): Promise<string> {
  return (await initBackend({ quiet: true })).name;
}

export const suite = PlanarSuite.create({ tasks: CONFLICT6 });
export const smallData = suite.dataset({ episodesPerTask: 6, seed: 0 });
/** A small HarmoDT config for fast tests. */
export const small = { stateDim: 8, actDim: 2, numTasks: 6, maxEpisodeLength: 40, embedDim: 16, layers: 1, heads: 2, batchSize: 8 } as const;
/** The DT part of `small` (a DecisionTransformer takes no training options). */
export const smallDT = { stateDim: 8, actDim: 2, numTasks: 6, maxEpisodeLength: 40, embedDim: 16, layers: 1, heads: 2 } as const;
