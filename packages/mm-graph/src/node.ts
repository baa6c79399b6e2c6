/** @paperkit/mm-graph/node: MM-GRAPH datasets and .pt files by path (Node only). */
export { loadMMGraph, FEATURE_ENCODERS, type LoadMMGraphOptions, type FeatureEncoder } from './load-mm-graph.js';
export { readTorchFile, openTorchFile } from './pt-reader/torch-file-node.js';
export { fileSource } from './pt-reader/file-source.js';
