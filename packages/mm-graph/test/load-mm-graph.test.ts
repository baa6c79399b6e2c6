import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError } from '@paperkit/tensor-core';
import { loadMMGraph } from '../src/load-mm-graph.js';
import { tensor, writeTorchFile, type PyValue } from './helpers/write-pt.js';

const root = mkdtempSync(join(tmpdir(), 'mm-graph-load-'));
const N = 6;
const D = 4; // text 2 + image 2
const features = Float32Array.from({ length: N * D }, (_, i) => i);
const i64 = (xs: number[]) => BigInt64Array.from(xs.map(BigInt));

function dataset(name: string, files: Record<string, PyValue>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, value] of Object.entries(files)) writeTorchFile(join(dir, file), value);
  return dir;
}

const lpSplit = {
  train: { source_node: tensor('int64', [3], i64([0, 1, 4])), target_node: tensor('int64', [3], i64([1, 2, 5])) },
  valid: { source_node: tensor('int64', [1], i64([2])), target_node: tensor('int64', [1], i64([3])), target_node_neg: tensor('int64', [1, 2], i64([0, 5])) },
  test: { source_node: tensor('int64', [2], i64([3, 1])), target_node: tensor('int64', [2], i64([4, 3])), target_node_neg: tensor('int64', [2, 2], i64([1, 2, 2, 0])) },
};

describe('loadMMGraph on hand-built dataset directories', () => {
  it('LP: splits features into text (first half) and image, reads train edges and per-positive negatives', async () => {
    const dir = dataset('lp', { 'clip_feat.pt': tensor('float32', [N, D], features), 'lp-edge-split.pt': lpSplit });
    const g = await loadMMGraph(dir, { task: 'lp', features: 'clip' });
    expect(g.numNodes).toBe(N);
    expect(g.dims).toEqual({ text: 2, image: 2 });
    expect(Array.from(g.text.subarray(0, 4))).toEqual([0, 1, 4, 5]);
    expect(Array.from(g.image.subarray(0, 4))).toEqual([2, 3, 6, 7]);
    expect(Array.from(g.src)).toEqual([0, 1, 4]);
    expect(g.edgeSplit!.test.k).toBe(2);
    expect(Array.from(g.edgeSplit!.test.neg)).toEqual([1, 2, 2, 0]);
  });

  it('LP with rows [1, 5): reads only those rows and keeps only pairs inside, renumbered', async () => {
    const dir = join(root, 'lp');
    const g = await loadMMGraph(dir, { task: 'lp', rows: [1, 5] });
    expect(g.numNodes).toBe(4);
    expect(Array.from(g.text.subarray(0, 2))).toEqual([4, 5]);
    expect(Array.from(g.src)).toEqual([0]);
    expect(Array.from(g.dst)).toEqual([1]);
    // Test pair (3, 4) with negatives [1, 2] is inside; (1, 3) has negative 0 outside the rows.
    expect(Array.from(g.edgeSplit!.test.src)).toEqual([2]);
    expect(Array.from(g.edgeSplit!.test.neg)).toEqual([0, 1]);
  });

  it('NC: Python pair list edges, split dict of lists, labels with None; numClasses = max + 1 (spec §7)', async () => {
    const dir = dataset('nc', {
      'clip_feat.pt': tensor('float32', [N, D], features),
      'nc_edges-nodeid.pt': [[0, 1], [1, 2], [3, 4]],
      'split.pt': { train_idx: [0, 1, 2], val_idx: [3], test_idx: tensor('int64', [2], i64([4, 5])) },
      'labels-w-missing.pt': [0, 4, null, 1, 4, -1],
    });
    const g = await loadMMGraph(dir, { task: 'nc' });
    expect(g.numClasses).toBe(5);
    expect(Array.from(g.labels!)).toEqual([0, 4, -1, 1, 4, -1]);
    expect(Array.from(g.src)).toEqual([0, 1, 3]);
    expect(Array.from(g.nodeSplit!.test)).toEqual([4, 5]);
  });

  it('odd feature width is a FormatError naming the feature file', async () => {
    const dir = dataset('odd', { 'clip_feat.pt': tensor('float32', [2, 3], new Float32Array(6)), 'lp-edge-split.pt': lpSplit });
    const e = await loadMMGraph(dir, { task: 'lp' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FormatError);
    expect(String((e as Error).message)).toMatch(/clip_feat\.pt.*odd feature width 3/);
  });

  it('out-of-range node index is a FormatError naming the file and the entry', async () => {
    const bad = { ...lpSplit, train: { source_node: tensor('int64', [1], i64([0])), target_node: tensor('int64', [1], i64([6])) } };
    const dir = dataset('range', { 'clip_feat.pt': tensor('float32', [N, D], features), 'lp-edge-split.pt': bad });
    const e = (await loadMMGraph(dir, { task: 'lp' }).catch((x: unknown) => x)) as FormatError;
    expect(e).toBeInstanceOf(FormatError);
    expect(e.message).toContain('lp-edge-split.pt');
    expect(e.where).toBe('train.target_node');
    expect(e.message).toMatch(/out-of-range node index 6/);
  });

  it('int64 index beyond 2^31 is a FormatError, missing keys name the key', async () => {
    const big = { ...lpSplit, train: { source_node: tensor('int64', [1], BigInt64Array.from([2n ** 40n])), target_node: tensor('int64', [1], i64([1])) } };
    const dir = dataset('big', { 'clip_feat.pt': tensor('float32', [N, D], features), 'lp-edge-split.pt': big });
    await expect(loadMMGraph(dir, { task: 'lp' })).rejects.toThrow(/does not fit in int32/);
    const dir2 = dataset('missing', { 'clip_feat.pt': tensor('float32', [N, D], features), 'lp-edge-split.pt': { train: lpSplit.train } });
    await expect(loadMMGraph(dir2, { task: 'lp' })).rejects.toThrow(/missing key "valid"/);
  });
});
