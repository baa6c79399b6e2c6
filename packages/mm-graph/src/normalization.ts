/**
 * Edge weights of the aggregation operators (spec §2 GCN / SAGE / MMGCN).
 *
 * All take a directed edge list (message src→dst) and return a {@link SparseAdjacency} with
 * A[i,j] = weight of the message j→i. The models feed them the symmetrised graph without
 * self-loops, so "degree" is the plain neighbour count.
 */
import { SparseAdjacency } from './message-passing.js';

export type GCNNorm = 'pyg' | 'dgl-both';
export type AdjacencyKind = GCNNorm | 'mean';

/**
 * PyG GCNConv (default): Â = D̂^{-1/2}(A+I)D̂^{-1/2} with d̂_i = 1 + Σ_j A_ij summed on the target;
 * a zero degree would give inv-sqrt 0 (cannot happen once the self-loop is added).
 */
export function pygGcnAdjacency(numNodes: number, src: Int32Array, dst: Int32Array): SparseAdjacency {
  const m = src.length;
  const deg = new Float64Array(numNodes).fill(1);
  for (let e = 0; e < m; e++) deg[dst[e]] += 1;
  const inv = deg.map((d) => (d > 0 ? 1 / Math.sqrt(d) : 0));
  const s = new Int32Array(m + numNodes);
  const t = new Int32Array(m + numNodes);
  const w = new Float32Array(m + numNodes);
  for (let e = 0; e < m; e++) {
    s[e] = src[e];
    t[e] = dst[e];
    w[e] = inv[src[e]] * inv[dst[e]];
  }
  for (let i = 0; i < numNodes; i++) {
    s[m + i] = i;
    t[m + i] = i;
    w[m + i] = inv[i] * inv[i];
  }
  return new SparseAdjacency(numNodes, s, t, w);
}

/**
 * MM-GRAPH parity mode, DGL GraphConv norm='both' without self-loops:
 * weight of j→i is 1 / (√max(d_out(j),1) · √max(d_in(i),1)).
 */
export function dglBothAdjacency(numNodes: number, src: Int32Array, dst: Int32Array): SparseAdjacency {
  const dout = new Float64Array(numNodes);
  const din = new Float64Array(numNodes);
  for (let e = 0; e < src.length; e++) {
    dout[src[e]] += 1;
    din[dst[e]] += 1;
  }
  const w = new Float32Array(src.length);
  for (let e = 0; e < src.length; e++) w[e] = 1 / (Math.sqrt(Math.max(dout[src[e]], 1)) * Math.sqrt(Math.max(din[dst[e]], 1)));
  return new SparseAdjacency(numNodes, src, dst, w);
}

/** Mean over in-neighbours (SAGE-mean, MMGCN): weight 1/d_in(i); rows of isolated nodes are zero. */
export function meanAdjacency(numNodes: number, src: Int32Array, dst: Int32Array): SparseAdjacency {
  const din = new Float64Array(numNodes);
  for (let e = 0; e < dst.length; e++) din[dst[e]] += 1;
  const w = new Float32Array(src.length);
  for (let e = 0; e < src.length; e++) w[e] = 1 / din[dst[e]];
  return new SparseAdjacency(numNodes, src, dst, w);
}

export function buildAdjacency(kind: AdjacencyKind, numNodes: number, src: Int32Array, dst: Int32Array): SparseAdjacency {
  if (kind === 'pyg') return pygGcnAdjacency(numNodes, src, dst);
  if (kind === 'dgl-both') return dglBothAdjacency(numNodes, src, dst);
  return meanAdjacency(numNodes, src, dst);
}
