/**
 * Load an official MM-GRAPH dataset directory (spec §2 "Files") into an {@link MMGraph}.
 *
 * Features: `<encoder>_feat.pt`, one float tensor [N, D] with the text block first and the image
 * block second (split at D/2, as the official MMGCN code does); `<encoder>_feat.npy` is accepted
 * for user exports. LP: `lp-edge-split.pt` (train/valid/test source/target nodes, valid/test
 * negatives [n, K]; K is read from the shape). NC: `nc_edges-nodeid.pt`, `split.pt`,
 * `labels-w-missing.pt` (Python lists or int64 tensors). `rows: [start, end)` reads only those
 * feature rows (positioned reads) and keeps the edges, pairs and nodes inside the range,
 * renumbered from 0 — the way to work with files larger than memory.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError, OptionError, readNpy } from '@paperkit/tensor-core';
import { TorchTensor } from './pt-reader/torch-file.js';
import { openTorchFile } from './pt-reader/torch-file-node.js';
import type { PickleValue } from './pt-reader/pickle.js';
import type { EdgeSplit, MMGraph, NodeSplit, Pairs, RankedPairs } from './mm-graph.js';

export type FeatureEncoder = 'clip' | 'imagebind' | 't5vit' | 't5dino';
export const FEATURE_ENCODERS: readonly FeatureEncoder[] = ['clip', 'imagebind', 't5vit', 't5dino'];

export interface LoadMMGraphOptions {
  /** Which `<encoder>_feat.pt` to read. Default 'clip'. */
  features?: FeatureEncoder;
  task: 'nc' | 'lp';
  /** Node rows [start, end) to load; default all. */
  rows?: [number, number];
}

export async function loadMMGraph(dir: string, options: LoadMMGraphOptions): Promise<MMGraph> {
  const encoder = options.features ?? 'clip';
  if (!FEATURE_ENCODERS.includes(encoder)) throw new OptionError('features', FEATURE_ENCODERS.join(' | '), encoder);
  if (options.task !== 'nc' && options.task !== 'lp') throw new OptionError('task', "'nc' | 'lp'", options.task);
  const feats = await readFeatures(dir, encoder, options.rows);
  const { start, end, total } = feats;
  const n = end - start;
  const inRange = (v: number) => v >= start && v < end;
  const graph: MMGraph = {
    numNodes: n,
    src: new Int32Array(0),
    dst: new Int32Array(0),
    text: feats.text,
    image: feats.image,
    dims: { text: feats.half, image: feats.half },
  };

  if (options.task === 'lp') {
    const file = join(dir, 'lp-edge-split.pt');
    const root = await readPt(file);
    const part = (key: string) => field(root, key, file, key);
    const pairs = async (key: string): Promise<{ src: Int32Array; dst: Int32Array; neg?: Int32Array; k?: number }> => {
      const obj = part(key);
      const src = await toInt32(field(obj, 'source_node', file, `${key}.source_node`), file, `${key}.source_node`, total);
      const dst = await toInt32(field(obj, 'target_node', file, `${key}.target_node`), file, `${key}.target_node`, total);
      if (src.values.length !== dst.values.length) throw new FormatError(file, `source_node has ${src.values.length} entries but target_node ${dst.values.length}`, key);
      if (key === 'train') return { src: src.values, dst: dst.values };
      const negEntry = `${key}.target_node_neg`;
      const neg = await toInt32(field(obj, 'target_node_neg', file, negEntry), file, negEntry, total);
      const k = neg.shape.length === 2 ? neg.shape[1] : neg.values.length / Math.max(src.values.length, 1);
      if (!Number.isInteger(k) || neg.values.length !== k * src.values.length) {
        throw new FormatError(file, `expected [${src.values.length}, K] negatives, got shape [${neg.shape}]`, negEntry);
      }
      return { src: src.values, dst: dst.values, neg: neg.values, k };
    };
    const train = await pairs('train');
    const valid = await pairs('valid');
    const test = await pairs('test');
    const keepPairs = (p: { src: Int32Array; dst: Int32Array }): Pairs => {
      const keep: number[] = [];
      for (let i = 0; i < p.src.length; i++) if (inRange(p.src[i]) && inRange(p.dst[i])) keep.push(i);
      return { src: Int32Array.from(keep, (i) => p.src[i] - start), dst: Int32Array.from(keep, (i) => p.dst[i] - start) };
    };
    const keepRanked = (p: { src: Int32Array; dst: Int32Array; neg?: Int32Array; k?: number }): RankedPairs => {
      const k = p.k!;
      const keep: number[] = [];
      for (let i = 0; i < p.src.length; i++) {
        let ok = inRange(p.src[i]) && inRange(p.dst[i]);
        for (let j = i * k; ok && j < (i + 1) * k; j++) ok = inRange(p.neg![j]);
        if (ok) keep.push(i);
      }
      const neg = new Int32Array(keep.length * k);
      keep.forEach((i, r) => {
        for (let j = 0; j < k; j++) neg[r * k + j] = p.neg![i * k + j] - start;
      });
      return { src: Int32Array.from(keep, (i) => p.src[i] - start), dst: Int32Array.from(keep, (i) => p.dst[i] - start), neg, k };
    };
    const edgeSplit: EdgeSplit = { train: keepPairs(train), valid: keepRanked(valid), test: keepRanked(test) };
    graph.edgeSplit = edgeSplit;
    graph.src = edgeSplit.train.src;
    graph.dst = edgeSplit.train.dst;
    return graph;
  }

  // Node classification.
  const edgeFile = join(dir, 'nc_edges-nodeid.pt');
  const edges = await readEdgeList(await readPt(edgeFile), edgeFile, total);
  const keep: number[] = [];
  for (let e = 0; e < edges.src.length; e++) if (inRange(edges.src[e]) && inRange(edges.dst[e])) keep.push(e);
  graph.src = Int32Array.from(keep, (e) => edges.src[e] - start);
  graph.dst = Int32Array.from(keep, (e) => edges.dst[e] - start);

  const labelFile = join(dir, 'labels-w-missing.pt');
  const labels = await toLabels(await readPt(labelFile), labelFile);
  if (labels.length !== total) throw new FormatError(labelFile, `has ${labels.length} labels but the features have ${total} rows`, 'labels');
  graph.labels = labels.slice(start, end);
  let max = -1;
  for (const v of labels) if (v > max) max = v;
  graph.numClasses = max + 1;

  const splitFile = join(dir, 'split.pt');
  const split = await readPt(splitFile);
  const idx = async (key: string) => {
    const { values } = await toInt32(field(split, key, splitFile, key), splitFile, key, total);
    return Int32Array.from(values.filter(inRange), (v) => v - start);
  };
  const nodeSplit: NodeSplit = { train: await idx('train_idx'), valid: await idx('val_idx'), test: await idx('test_idx') };
  graph.nodeSplit = nodeSplit;
  return graph;
}

async function readPt(file: string): Promise<PickleValue> {
  if (!existsSync(file)) throw new FormatError(file, 'file not found');
  const f = await openTorchFile(file);
  return f.value;
}

async function readFeatures(dir: string, encoder: FeatureEncoder, rows: [number, number] | undefined) {
  const pt = join(dir, `${encoder}_feat.pt`);
  const npy = join(dir, `${encoder}_feat.npy`);
  let shape: number[];
  let read: (start: number, end: number) => Promise<Float32Array>;
  let file: string;
  const entry = 'features';
  if (existsSync(pt)) {
    file = pt;
    const value = (await openTorchFile(pt)).value;
    if (!(value instanceof TorchTensor)) throw new FormatError(pt, 'expected one tensor [N, D] at the top level', 'data.pkl');
    shape = value.shape;
    if (!value.dtype.startsWith('float') && value.dtype !== 'bfloat16') throw new FormatError(pt, `features must be floating point, got ${value.dtype}`, value.entry);
    read = (s, e) => value.readFloat32([s, e]);
  } else if (existsSync(npy)) {
    file = npy;
    const arr = readNpy(new Uint8Array(await readFile(npy)));
    shape = arr.shape;
    const data = arr.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) throw new FormatError(npy, 'features must be floating point');
    read = async (s, e) => Float32Array.from(data.subarray(s * shape[1], e * shape[1]));
  } else {
    throw new FormatError(pt, `file not found (nor ${encoder}_feat.npy)`);
  }
  if (shape.length !== 2) throw new FormatError(file, `features must be 2-D [N, D], got shape [${shape}]`, entry);
  const [total, width] = shape;
  if (width % 2 !== 0) throw new FormatError(file, `odd feature width ${width}: cannot split into text and image halves`, entry);
  const [start, end] = rows ?? [0, total];
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > total || start >= end) {
    throw new OptionError('rows', `[start, end) with 0 <= start < end <= ${total}`, rows);
  }
  const data = await read(start, end);
  const half = width / 2;
  const n = end - start;
  const text = new Float32Array(n * half);
  const image = new Float32Array(n * half);
  for (let i = 0; i < n; i++) {
    text.set(data.subarray(i * width, i * width + half), i * half);
    image.set(data.subarray(i * width + half, (i + 1) * width), i * half);
  }
  return { text, image, half, start, end, total };
}

function field(obj: PickleValue, key: string, file: string, where: string): PickleValue {
  if (obj instanceof Map) {
    if (!obj.has(key)) throw new FormatError(file, `missing key "${key}"`, where);
    return obj.get(key) as PickleValue;
  }
  if (obj && typeof obj === 'object' && !Array.isArray(obj) && !(obj instanceof TorchTensor) && Object.prototype.hasOwnProperty.call(obj, key)) {
    return (obj as Record<string, PickleValue>)[key];
  }
  throw new FormatError(file, `missing key "${key}" (expected a dict)`, where);
}

/** Int tensor or (nested) Python int list -> Int32Array plus shape; indices checked against `bound`. */
async function toInt32(value: PickleValue, file: string, where: string, bound?: number): Promise<{ values: Int32Array; shape: number[] }> {
  let values: Int32Array;
  let shape: number[];
  if (value instanceof TorchTensor) {
    if (!/^(u?int|bool)/.test(value.dtype)) throw new FormatError(file, `expected an integer tensor, got ${value.dtype}`, where);
    values = await value.readInt32();
    shape = value.shape;
  } else if (Array.isArray(value)) {
    const flat: number[] = [];
    const nested = value.length > 0 && Array.isArray(value[0]);
    const width = nested ? (value[0] as unknown[]).length : 0;
    const push = (v: unknown, i: number) => {
      const num = typeof v === 'bigint' ? (v > 2147483647n || v < -2147483648n ? Number.NaN : Number(v)) : v;
      if (typeof num !== 'number' || !Number.isInteger(num) || num > 2147483647 || num < -2147483648) {
        throw new FormatError(file, `element ${i} is ${String(v)}, not an int32`, where);
      }
      flat.push(num);
    };
    value.forEach((row, i) => {
      if (nested) {
        if (!Array.isArray(row) || row.length !== width) throw new FormatError(file, `row ${i} is not a list of ${width} ints`, where);
        row.forEach((v) => push(v, i));
      } else push(row, i);
    });
    values = Int32Array.from(flat);
    shape = nested ? [value.length, width] : [value.length];
  } else {
    throw new FormatError(file, 'expected an int64 tensor or a list of ints', where);
  }
  if (bound !== undefined) {
    for (let i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= bound) throw new FormatError(file, `out-of-range node index ${values[i]} at element ${i} (graph has ${bound} nodes)`, where);
    }
  }
  return { values, shape };
}

/** `nc_edges-nodeid.pt`: list of [src, dst] pairs, a tensor [E, 2], or a tensor [2, E]. */
async function readEdgeList(value: PickleValue, file: string, bound: number): Promise<{ src: Int32Array; dst: Int32Array }> {
  const { values, shape } = await toInt32(value, file, 'edges', bound);
  if (shape.length === 2 && shape[1] === 2) {
    const e = shape[0];
    return { src: Int32Array.from({ length: e }, (_, i) => values[2 * i]), dst: Int32Array.from({ length: e }, (_, i) => values[2 * i + 1]) };
  }
  if (shape.length === 2 && shape[0] === 2) return { src: values.slice(0, shape[1]), dst: values.slice(shape[1]) };
  if (shape.length === 1 && shape[0] === 0) return { src: new Int32Array(0), dst: new Int32Array(0) };
  throw new FormatError(file, `edges must be [E, 2] pairs or [2, E], got shape [${shape}]`, 'edges');
}

/** Labels as ints; None, NaN and negative values become -1 (missing). */
async function toLabels(value: PickleValue, file: string): Promise<Int32Array> {
  if (value instanceof TorchTensor) {
    if (value.dtype.startsWith('float')) {
      const f = await value.readFloat32();
      return Int32Array.from(f, (v) => (Number.isFinite(v) && v >= 0 ? Math.round(v) : -1));
    }
    const ints = await value.readInt32();
    return ints.map((v) => (v < 0 ? -1 : v));
  }
  if (Array.isArray(value)) {
    return Int32Array.from(value, (v, i) => {
      if (v === null || (typeof v === 'number' && Number.isNaN(v))) return -1;
      if (typeof v === 'number' && Number.isInteger(v)) return v < 0 ? -1 : v;
      throw new FormatError(file, `label ${i} is ${String(v)}, not an int or None`, 'labels');
    });
  }
  throw new FormatError(file, 'expected a list or tensor of labels', 'labels');
}
