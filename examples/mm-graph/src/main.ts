/**
 * Benchmark GNNs on your own multimodal graph: you bring per-node text and image embeddings
 * (e.g. from CLIP), an edge list and labels; mm-graph trains MLP / GCN / SAGE / MMGCN on text,
 * image and text+image and prints the table. Here "your data" is a small co-purchase-like graph
 * built inline; replace the arrays with your own (or use loadMMGraph on an MM-GRAPH directory).
 */
import { initBackend, formatTable } from '@paperkit/tensor-core';
import { runBenchmark, validateMMGraph, type MMGraph } from '@paperkit/mm-graph';

await initBackend();

// --- your data: 400 products in 4 categories, 24-d text and 12-d image embeddings ------------
const numNodes = 400;
const textDim = 24;
const imageDim = 12;
let state = 12345;
const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
const category = Int32Array.from({ length: numNodes }, () => Math.floor(rand() * 4));
const text = new Float32Array(numNodes * textDim).map((_, i) => (i % textDim === category[Math.floor(i / textDim)] ? 1 : 0) + 1.5 * (rand() - 0.5));
const image = new Float32Array(numNodes * imageDim).map((_, i) => (i % imageDim === category[Math.floor(i / imageDim)] % 2 ? 1 : 0) + 1.5 * (rand() - 0.5));
const src: number[] = [];
const dst: number[] = [];
for (let e = 0; e < numNodes * 3; e++) {
  const u = Math.floor(rand() * numNodes);
  let v = Math.floor(rand() * numNodes);
  if (rand() < 0.7) while (category[v] !== category[u]) v = Math.floor(rand() * numNodes); // bought together
  if (u !== v) { src.push(u); dst.push(v); }
}
const order = Int32Array.from({ length: numNodes }, (_, i) => i).sort((a, b) => ((a * 7919) % 401) - ((b * 7919) % 401));

const graph: MMGraph = {
  numNodes,
  src: Int32Array.from(src),
  dst: Int32Array.from(dst),
  text,
  image,
  dims: { text: textDim, image: imageDim },
  labels: category,
  numClasses: 4,
  nodeSplit: { train: order.slice(0, 240), valid: order.slice(240, 280), test: order.slice(280) },
};
validateMMGraph(graph); // throws a typed error naming the bad field

// --- benchmark: 3 models x 3 feature views, best-validation epoch, test accuracy --------------
const rows = await runBenchmark({ task: 'nc', graph, models: ['MLP', 'GCN', 'SAGE'], seeds: [0] });
console.log(formatTable(['model', 'features', 'test acc', 'val acc'], rows.map((r) => [r.model, r.features, r.metrics.acc, r.metrics.valAcc])));
