/**
 * Seeded two-facet multimodal graphs (spec §5).
 *
 * Each node has a text facet a ∈ {0..3} and an image facet b ∈ {0,1}, drawn uniformly; its class is
 * y = 2a + b. Text features are x_t = μ_t[a] + σ ε/√dt and image features x_v = μ_v[b] + σ ε/√dv
 * with unit-norm random class means. Edges: M = N·deg/2 draws, a fraction h of them joins two
 * members of one uniformly chosen class, the rest joins uniform pairs; self-loops and duplicates
 * are dropped and the graph is undirected. So text carries two bits of the class, image one, and
 * the structure adds community signal: text+image > text > image, GNN > MLP is expected.
 * LP graphs hold out 10 %/10 % of edges for validation/test, each positive with K negatives: half
 * "facet-hard" (sharing exactly one of a, b with the source), half uniform; never a true edge
 * and never the source itself.
 */
import { createRng, OptionError, type Rng, type Seed } from '@paperkit/tensor-core';
import type { EdgeSplit, MMGraph, NodeSplit, RankedPairs } from './mm-graph.js';

export interface SyntheticOptions {
  seed?: Seed;
  /** Default 1500. */
  numNodes?: number;
  /** Mean degree; M = N·deg/2 edge draws. Default 10. */
  avgDegree?: number;
  /** Feature noise σ. Default 3. */
  sigma?: number;
  /** Fraction of edge draws inside one class. Default 0.5 (NC) / 0.85 (LP). */
  homophily?: number;
  /** Default 32. */
  textDim?: number;
  /** Default 16. */
  imageDim?: number;
}

export interface SyntheticNCOptions extends SyntheticOptions {
  /** Train/valid/test fractions of the nodes. Default [0.6, 0.1, 0.3]. */
  split?: [number, number, number];
}

export interface SyntheticLPOptions extends SyntheticOptions {
  /** Train/valid/test fractions of the edges. Default [0.8, 0.1, 0.1]. */
  split?: [number, number, number];
  /** Facet-hard negatives per positive. Default 50. */
  hardNegatives?: number;
  /** Uniform negatives per positive. Default 50. */
  uniformNegatives?: number;
}

/** The generated graph plus the latent facets (for tests and analyses). */
export interface SyntheticGraph extends MMGraph {
  facets: { text: Int32Array; image: Int32Array };
  /** Every generated undirected edge (for LP: train + valid + test). */
  allEdges: { src: Int32Array; dst: Int32Array };
}

const TEXT_FACETS = 4;
const IMAGE_FACETS = 2;
const NUM_CLASSES = TEXT_FACETS * IMAGE_FACETS;

/** Spec §5 NC preset: N=1500, deg 10, σ=3, h=0.5, split 60/10/30. */
export function makeSyntheticNC(options: SyntheticNCOptions = {}): SyntheticGraph {
  const base = makeBase({ homophily: 0.5, ...options });
  const split = checkSplit(options.split ?? [0.6, 0.1, 0.3]);
  const perm = base.rng.fork('node-split').permutation(base.graph.numNodes);
  const [nTrain, nValid] = splitSizes(perm.length, split);
  const nodeSplit: NodeSplit = {
    train: perm.slice(0, nTrain).sort(),
    valid: perm.slice(nTrain, nTrain + nValid).sort(),
    test: perm.slice(nTrain + nValid).sort(),
  };
  return { ...base.graph, nodeSplit };
}

/** Spec §5 LP preset: as NC but h=0.85, edges split 80/10/10, 50 facet-hard + 50 uniform negatives. */
export function makeSyntheticLP(options: SyntheticLPOptions = {}): SyntheticGraph {
  const base = makeBase({ homophily: 0.85, ...options });
  const g = base.graph;
  const split = checkSplit(options.split ?? [0.8, 0.1, 0.1]);
  const hard = options.hardNegatives ?? 50;
  const uniform = options.uniformNegatives ?? 50;
  if (!Number.isInteger(hard) || hard < 0 || !Number.isInteger(uniform) || uniform < 0 || hard + uniform < 1) {
    throw new OptionError('hardNegatives/uniformNegatives', 'non-negative integers with a positive sum', [hard, uniform]);
  }
  const m = g.allEdges.src.length;
  const perm = base.rng.fork('edge-split').permutation(m);
  const [nTrain, nValid] = splitSizes(m, split);
  const pick = (from: number, to: number) => ({
    src: Int32Array.from(perm.subarray(from, to), (e) => g.allEdges.src[e]),
    dst: Int32Array.from(perm.subarray(from, to), (e) => g.allEdges.dst[e]),
  });
  const train = pick(0, nTrain);
  const validPos = pick(nTrain, nTrain + nValid);
  const testPos = pick(nTrain + nValid, m);
  const n = g.numNodes;
  const edgeKeys = new Set<number>();
  for (let e = 0; e < m; e++) {
    edgeKeys.add(g.allEdges.src[e] * n + g.allEdges.dst[e]);
    edgeKeys.add(g.allEdges.dst[e] * n + g.allEdges.src[e]);
  }
  const groups: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  for (let i = 0; i < n; i++) groups[g.labels![i]].push(i);
  const negRng = base.rng.fork('negatives');
  const withNegatives = (pos: { src: Int32Array; dst: Int32Array }): RankedPairs => ({
    ...pos,
    k: hard + uniform,
    neg: sampleNegatives(pos.src, g.facets, groups, edgeKeys, n, hard, uniform, negRng),
  });
  const edgeSplit: EdgeSplit = { train, valid: withNegatives(validPos), test: withNegatives(testPos) };
  return { ...g, src: train.src, dst: train.dst, edgeSplit };
}

function sampleNegatives(
  sources: Int32Array,
  facets: SyntheticGraph['facets'],
  groups: number[][],
  edgeKeys: Set<number>,
  n: number,
  hard: number,
  uniform: number,
  rng: Rng,
): Int32Array {
  const k = hard + uniform;
  const out = new Int32Array(sources.length * k);
  for (let i = 0; i < sources.length; i++) {
    const u = sources[i];
    const a = facets.text[u];
    const b = facets.image[u];
    // Classes sharing exactly one facet with u: same a / other b, or other a / same b.
    const hardGroups = [groups[2 * a + (1 - b)]];
    for (let a2 = 0; a2 < TEXT_FACETS; a2++) if (a2 !== a) hardGroups.push(groups[2 * a2 + b]);
    const hardTotal = hardGroups.reduce((s, grp) => s + grp.length, 0);
    const taken = new Set<number>();
    const accept = (v: number): boolean => v !== u && !edgeKeys.has(u * n + v) && !taken.has(v);
    let o = i * k;
    for (let j = 0; j < hard; j++) {
      let v = -1;
      for (let attempt = 0; attempt < 1000 && v < 0; attempt++) {
        let r = rng.int(hardTotal);
        let grp = 0;
        while (r >= hardGroups[grp].length) r -= hardGroups[grp++].length;
        const c = hardGroups[grp][r];
        if (accept(c)) v = c;
      }
      if (v < 0) throw new OptionError('numNodes', `enough facet-hard candidates for node ${u}`, n);
      taken.add(v);
      out[o++] = v;
    }
    for (let j = 0; j < uniform; j++) {
      let v = -1;
      for (let attempt = 0; attempt < 1000 && v < 0; attempt++) {
        const c = rng.int(n);
        if (accept(c)) v = c;
      }
      if (v < 0) throw new OptionError('numNodes', `enough non-neighbours of node ${u}`, n);
      taken.add(v);
      out[o++] = v;
    }
  }
  return out;
}

function makeBase(options: SyntheticOptions & { homophily: number }): { graph: SyntheticGraph; rng: Rng } {
  const n = options.numNodes ?? 1500;
  const deg = options.avgDegree ?? 10;
  const sigma = options.sigma ?? 3;
  const h = options.homophily;
  const dt = options.textDim ?? 32;
  const dv = options.imageDim ?? 16;
  if (!Number.isInteger(n) || n < 16) throw new OptionError('numNodes', 'an integer >= 16', n);
  if (!(deg > 0)) throw new OptionError('avgDegree', 'a positive number', deg);
  if (!(sigma >= 0)) throw new OptionError('sigma', 'a non-negative number', sigma);
  if (!(h >= 0 && h <= 1)) throw new OptionError('homophily', 'a fraction in [0, 1]', h);
  if (!Number.isInteger(dt) || dt < 1) throw new OptionError('textDim', 'a positive integer', dt);
  if (!Number.isInteger(dv) || dv < 1) throw new OptionError('imageDim', 'a positive integer', dv);
  const rng = createRng(options.seed ?? 0);

  const facetRng = rng.fork('facets');
  const textFacet = new Int32Array(n);
  const imageFacet = new Int32Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    textFacet[i] = facetRng.int(TEXT_FACETS);
    imageFacet[i] = facetRng.int(IMAGE_FACETS);
    labels[i] = 2 * textFacet[i] + imageFacet[i];
  }

  const meanRng = rng.fork('means');
  const muText = Array.from({ length: TEXT_FACETS }, () => unit(meanRng.normalArray(dt)));
  const muImage = Array.from({ length: IMAGE_FACETS }, () => unit(meanRng.normalArray(dv)));
  const featRng = rng.fork('features');
  const text = new Float32Array(n * dt);
  const image = new Float32Array(n * dv);
  const st = sigma / Math.sqrt(dt);
  const sv = sigma / Math.sqrt(dv);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dt; d++) text[i * dt + d] = muText[textFacet[i]][d] + st * featRng.normal();
    for (let d = 0; d < dv; d++) image[i * dv + d] = muImage[imageFacet[i]][d] + sv * featRng.normal();
  }

  const members: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
  for (let i = 0; i < n; i++) members[labels[i]].push(i);
  const usable = members.map((_, c) => c).filter((c) => members[c].length >= 2);
  const edgeRng = rng.fork('edges');
  const draws = Math.round((n * deg) / 2);
  const seen = new Set<number>();
  const src: number[] = [];
  const dst: number[] = [];
  for (let e = 0; e < draws; e++) {
    let u: number;
    let v: number;
    if (edgeRng.next() < h && usable.length > 0) {
      const cls = members[usable[edgeRng.int(usable.length)]];
      u = cls[edgeRng.int(cls.length)];
      v = cls[edgeRng.int(cls.length)];
    } else {
      u = edgeRng.int(n);
      v = edgeRng.int(n);
    }
    if (u === v) continue;
    const key = Math.min(u, v) * n + Math.max(u, v);
    if (seen.has(key)) continue;
    seen.add(key);
    src.push(u);
    dst.push(v);
  }
  const allEdges = { src: Int32Array.from(src), dst: Int32Array.from(dst) };
  const graph: SyntheticGraph = {
    numNodes: n,
    src: allEdges.src,
    dst: allEdges.dst,
    text,
    image,
    dims: { text: dt, image: dv },
    labels,
    numClasses: NUM_CLASSES,
    facets: { text: textFacet, image: imageFacet },
    allEdges,
  };
  return { graph, rng };
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const norm = Math.sqrt(s) || 1;
  return v.map((x) => x / norm);
}

function checkSplit(split: [number, number, number]): [number, number, number] {
  const ok = Array.isArray(split) && split.length === 3 && split.every((f) => f >= 0) && Math.abs(split[0] + split[1] + split[2] - 1) < 1e-6;
  if (!ok) throw new OptionError('split', 'three non-negative fractions summing to 1', split);
  return split;
}

function splitSizes(total: number, split: [number, number, number]): [number, number] {
  const nTrain = Math.round(total * split[0]);
  const nValid = Math.round(total * split[1]);
  return [nTrain, Math.min(nValid, total - nTrain)];
}

/** Fraction of edges whose endpoints share a class (spec §5 "measured edge homophily"). */
export function edgeHomophily(g: Pick<MMGraph, 'src' | 'dst' | 'labels'>): number {
  if (!g.labels || g.src.length === 0) return Number.NaN;
  let same = 0;
  for (let e = 0; e < g.src.length; e++) if (g.labels[g.src[e]] === g.labels[g.dst[e]]) same++;
  return same / g.src.length;
}
