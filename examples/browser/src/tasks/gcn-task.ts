/**
 * The graph task of the page: mm-graph's seeded synthetic two-facet graph
 * (text and image features), and a 2-layer GCN trained for node
 * classification on both views. Dropout and weights are seeded.
 */
import { GCN, edgeHomophily, featureView, makeSyntheticNC, trainNodeClassification } from '@paperkit/mm-graph';

export interface GCNTaskResult {
  nodes: number;
  edges: number;
  homophily: number;
  bestEpoch: number;
  val: number;
  test: number;
  losses: number[];
}

export async function runGCNTask(options: { seed?: number; epochs?: number } = {}): Promise<GCNTaskResult> {
  const seed = options.seed ?? 0;
  const graph = makeSyntheticNC({ seed, numNodes: 300, avgDegree: 6 });
  const { dim } = featureView(graph, 'both');
  const model = new GCN({ inDim: dim, outDim: graph.numClasses ?? 8, hidden: 16, seed });
  try {
    const r = await trainNodeClassification(model, graph, { epochs: options.epochs ?? 30, features: 'both', seed, lr: 0.02 });
    return {
      nodes: graph.numNodes, edges: graph.src.length, homophily: edgeHomophily(graph),
      bestEpoch: r.bestEpoch, val: r.val, test: r.test, losses: r.history.loss,
    };
  } finally {
    model.dispose();
  }
}
