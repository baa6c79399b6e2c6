/**
 * Graph-only link-prediction baselines (spec §4): common neighbours, Adamic–Adar and a seeded
 * random scorer (sanity check: its MRR ≈ H_{K+1}/(K+1) with K negatives per positive).
 * Scores use the undirected training graph only.
 */
import { createRng, OptionError, type Seed } from '@paperkit/tensor-core';
import { undirectedCSR, type CSR } from './graph-structure.js';

export type HeuristicName = 'common-neighbours' | 'adamic-adar' | 'random';
export const HEURISTICS: readonly HeuristicName[] = ['common-neighbours', 'adamic-adar', 'random'];

/** Scores pairs with a neighbourhood heuristic built once from the training edges. */
export class LinkHeuristic {
  private readonly csr: CSR;

  constructor(
    readonly name: HeuristicName,
    numNodes: number,
    trainSrc: Int32Array,
    trainDst: Int32Array,
    private readonly seed: Seed = 0,
  ) {
    if (!HEURISTICS.includes(name)) throw new OptionError('heuristic', HEURISTICS.map((h) => `'${h}'`).join(' | '), name);
    this.csr = undirectedCSR(numNodes, trainSrc, trainDst);
  }

  /** One score per pair (src[i], dst[i]). */
  score(src: Int32Array, dst: Int32Array): Float32Array {
    const out = new Float32Array(src.length);
    if (this.name === 'random') {
      const rng = createRng(this.seed);
      for (let i = 0; i < out.length; i++) out[i] = rng.next();
      return out;
    }
    const { rowPtr, col } = this.csr;
    const adamic = this.name === 'adamic-adar';
    for (let i = 0; i < src.length; i++) {
      // Merge the two sorted neighbour lists.
      let a = rowPtr[src[i]];
      const aEnd = rowPtr[src[i] + 1];
      let b = rowPtr[dst[i]];
      const bEnd = rowPtr[dst[i] + 1];
      let s = 0;
      while (a < aEnd && b < bEnd) {
        if (col[a] < col[b]) a++;
        else if (col[a] > col[b]) b++;
        else {
          const w = col[a];
          const deg = rowPtr[w + 1] - rowPtr[w];
          s += adamic ? (deg > 1 ? 1 / Math.log(deg) : 0) : 1;
          a++;
          b++;
        }
      }
      out[i] = s;
    }
    return out;
  }
}
