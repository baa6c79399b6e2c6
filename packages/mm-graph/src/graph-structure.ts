/**
 * Edge-list housekeeping shared by the models, the heuristics and the generator: symmetrise,
 * drop self-loops and duplicates, and build sorted neighbour lists (CSR).
 */

/** Undirected edge set as both directions, without self-loops or duplicates, sorted by (src, dst). */
export function symmetrize(numNodes: number, src: Int32Array, dst: Int32Array): { src: Int32Array; dst: Int32Array } {
  const keys = new Float64Array(src.length * 2);
  let m = 0;
  for (let e = 0; e < src.length; e++) {
    const u = src[e];
    const v = dst[e];
    if (u === v) continue;
    keys[m++] = u * numNodes + v;
    keys[m++] = v * numNodes + u;
  }
  const sorted = keys.subarray(0, m).sort();
  const outSrc: number[] = [];
  const outDst: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    outSrc.push(Math.floor(sorted[i] / numNodes));
    outDst.push(sorted[i] % numNodes);
  }
  return { src: Int32Array.from(outSrc), dst: Int32Array.from(outDst) };
}

/** Compressed sparse rows: neighbours of i are col[rowPtr[i] .. rowPtr[i+1]), sorted ascending. */
export interface CSR {
  numNodes: number;
  rowPtr: Int32Array;
  col: Int32Array;
}

/** CSR of the directed pairs (row = src). Columns come out sorted when the pairs are sorted, else sorted here. */
export function toCSR(numNodes: number, src: Int32Array, dst: Int32Array): CSR {
  const rowPtr = new Int32Array(numNodes + 1);
  for (let e = 0; e < src.length; e++) rowPtr[src[e] + 1]++;
  for (let i = 0; i < numNodes; i++) rowPtr[i + 1] += rowPtr[i];
  const fill = rowPtr.slice(0, numNodes);
  const col = new Int32Array(src.length);
  for (let e = 0; e < src.length; e++) col[fill[src[e]]++] = dst[e];
  for (let i = 0; i < numNodes; i++) col.subarray(rowPtr[i], rowPtr[i + 1]).sort();
  return { numNodes, rowPtr, col };
}

/** Neighbour lists of the undirected graph (symmetrised, no self-loops). */
export function undirectedCSR(numNodes: number, src: Int32Array, dst: Int32Array): CSR {
  const sym = symmetrize(numNodes, src, dst);
  return toCSR(numNodes, sym.src, sym.dst);
}
