/**
 * What an encoder sees in one forward pass: the feature tensors of the chosen view and the
 * message-passing graph, with each normalised adjacency built once and cached.
 */
import * as tf from '@tensorflow/tfjs';
import { featureView, type FeatureView, type MMGraph } from './mm-graph.js';
import { symmetrize } from './graph-structure.js';
import { buildAdjacency, type AdjacencyKind } from './normalization.js';
import { DEFAULT_PATH, type MessagePassingPath, type SparseAdjacency } from './message-passing.js';

export class GraphInput {
  readonly numNodes: number;
  /** Symmetrised message-passing edges (no self-loops, no duplicates). */
  readonly src: Int32Array;
  readonly dst: Int32Array;
  private readonly adjacencies = new Map<AdjacencyKind, SparseAdjacency>();

  constructor(
    numNodes: number,
    src: Int32Array,
    dst: Int32Array,
    /** Features of the view: [N, view dim]. */
    readonly x: tf.Tensor2D,
    /** Per-modality tensors for multimodal encoders (absent when the view excludes the modality). */
    readonly text: tf.Tensor2D | null,
    readonly image: tf.Tensor2D | null,
    readonly path: MessagePassingPath = DEFAULT_PATH,
    private readonly ownsFeatures = true,
  ) {
    this.numNodes = numNodes;
    const sym = symmetrize(numNodes, src, dst);
    this.src = sym.src;
    this.dst = sym.dst;
  }

  /** The normalised adjacency of this graph (built on first use). */
  adjacency(kind: AdjacencyKind): SparseAdjacency {
    let adj = this.adjacencies.get(kind);
    if (!adj) {
      adj = buildAdjacency(kind, this.numNodes, this.src, this.dst);
      this.adjacencies.set(kind, adj);
    }
    return adj;
  }

  /** Same features, another edge set (e.g. training edges minus this step's targets). Shares the feature tensors. */
  withEdges(src: Int32Array, dst: Int32Array): GraphInput {
    return new GraphInput(this.numNodes, src, dst, this.x, this.text, this.image, this.path, false);
  }

  dispose(): void {
    for (const adj of this.adjacencies.values()) adj.dispose();
    this.adjacencies.clear();
    if (this.ownsFeatures) {
      const seen = new Set<tf.Tensor>();
      for (const t of [this.x, this.text, this.image]) if (t && !seen.has(t)) { seen.add(t); t.dispose(); }
    }
  }
}

/** Tensors for graph `g` seen through `view`, message passing over `edges` (default: g's edges). */
export function makeGraphInput(
  g: MMGraph,
  view: FeatureView,
  options: { edges?: { src: Int32Array; dst: Int32Array }; path?: MessagePassingPath } = {},
): GraphInput {
  const n = g.numNodes;
  const { data, dim } = featureView(g, view);
  const x = tf.tensor2d(data, [n, dim]);
  const text = view === 'image' ? null : view === 'text' ? x : tf.tensor2d(g.text, [n, g.dims.text]);
  const image = view === 'text' ? null : view === 'image' ? x : tf.tensor2d(g.image, [n, g.dims.image]);
  const edges = options.edges ?? { src: g.src, dst: g.dst };
  return new GraphInput(n, edges.src, edges.dst, x, text, image, options.path ?? DEFAULT_PATH);
}
