import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { FormatError } from '@paperkit/tensor-core';
import { readTorchBytes, TorchTensor } from '../../src/pt-reader/torch-file.js';
import { openTorchFile, readTorchFile } from '../../src/pt-reader/torch-file-node.js';
import { UnsupportedPickleGlobal } from '../../src/pt-reader/pickle.js';
import { pickleBytes, pyGlobal, tensor, torchSaveBytes, tuple, writeTorchFile } from '../helpers/write-pt.js';

const dir = mkdtempSync(join(tmpdir(), 'mm-graph-pt-'));

describe('readTorchFile on hand-built torch.save archives', () => {
  it('reads a float tensor with dtype, shape and values, and slices rows with positioned reads', async () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i * 0.5);
    const file = join(dir, 'feat.pt');
    writeTorchFile(file, tensor('float32', [4, 3], data));
    const t = (await readTorchFile(file)) as TorchTensor;
    expect(t).toBeInstanceOf(TorchTensor);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([4, 3]);
    expect(Array.from((await t.read()) as ArrayLike<number>)).toEqual(Array.from(data));
    expect(Array.from((await t.readRows(1, 3)) as ArrayLike<number>)).toEqual(Array.from(data.subarray(3, 9)));
  });

  it('reads an edge-split dict of int64 tensors (with negatives [n, K]) as Int32Array', async () => {
    const i64 = (xs: number[]) => BigInt64Array.from(xs.map(BigInt));
    const value = {
      train: { source_node: tensor('int64', [3], i64([0, 1, 2])), target_node: tensor('int64', [3], i64([1, 2, 3])) },
      valid: {
        source_node: tensor('int64', [2], i64([0, 3])),
        target_node: tensor('int64', [2], i64([2, 1])),
        target_node_neg: tensor('int64', [2, 3], i64([1, 2, 3, 0, 1, 2])),
      },
    };
    const parsed = (await readTorchBytes(torchSaveBytes(value), 'split.pt')) as Record<string, Record<string, TorchTensor>>;
    expect(Array.from(await parsed.train.source_node.readInt32())).toEqual([0, 1, 2]);
    expect(parsed.valid.target_node_neg.shape).toEqual([2, 3]);
    expect(Array.from(await parsed.valid.target_node_neg.readInt32())).toEqual([1, 2, 3, 0, 1, 2]);
  });

  it('reads a Python list of [src, dst] pairs, tuples and scalars as plain data', async () => {
    const value = { edges: [[0, 1], [1, 2], [2, 0]], t: tuple(1, 'a', null, true), big: 70000, neg: -5, x: 0.25 };
    const parsed = (await readTorchBytes(torchSaveBytes(value))) as Record<string, unknown>;
    expect(parsed.edges).toEqual([[0, 1], [1, 2], [2, 0]]);
    expect(parsed.t).toEqual([1, 'a', null, true]);
    expect(parsed.big).toBe(70000);
    expect(parsed.neg).toBe(-5);
    expect(parsed.x).toBe(0.25);
  });

  it('reads a strided (transposed) view element by element', async () => {
    // Storage [[0,1,2],[3,4,5]] viewed as its transpose [3, 2] with stride [1, 3].
    const t = (await readTorchBytes(torchSaveBytes(tensor('int32', [3, 2], Int32Array.from([0, 1, 2, 3, 4, 5]), { stride: [1, 3] })))) as TorchTensor;
    expect(Array.from((await t.read()) as ArrayLike<number>)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(Array.from((await t.readRows(1, 2)) as ArrayLike<number>)).toEqual([1, 4]);
  });

  it('widens float16 storages to float32 and reads deflate-compressed entries (re-zipped archives)', async () => {
    const half = tensor('float16', [3], Uint16Array.from([0x3c00, 0xc000, 0x3800])); // 1, -2, 0.5
    const t = (await readTorchBytes(torchSaveBytes(half))) as TorchTensor;
    expect(Array.from(await t.readFloat32())).toEqual([1, -2, 0.5]);
    const { unzipSync } = await import('fflate');
    const files = unzipSync(torchSaveBytes({ a: [1, 2, 3] }));
    const recompressed = zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, [v, { level: 6 }]])) as never);
    expect(await readTorchBytes(recompressed)).toEqual({ a: [1, 2, 3] });
  });

  it('keeps one handle open with keepOpen and releases it on close', async () => {
    const file = join(dir, 'open.pt');
    writeTorchFile(file, tensor('float64', [2], Float64Array.from([1.5, -2])));
    const f = await openTorchFile(file, { keepOpen: true });
    expect(Array.from(await (f.value as TorchTensor).readFloat32())).toEqual([1.5, -2]);
    expect(f.entries).toContain('archive/data.pkl');
    await f.close();
  });
});

describe('readTorchFile rejects malformed or unexpected content with a FormatError naming file and entry', () => {
  const expectFormatError = async (bytes: Uint8Array, name: string, pattern: RegExp) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const error = await readTorchFile(file).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(pattern);
    return error as FormatError;
  };

  it('bad zip magic', async () => {
    await expectFormatError(new TextEncoder().encode('not a zip archive at all, sorry'), 'magic.pt', /bad zip magic/);
  });

  it('legacy (non-zip) pickle', async () => {
    await expectFormatError(pickleBytes({ a: 1 }), 'legacy.pt', /legacy \(non-zip\)/);
  });

  it('truncated storage', async () => {
    const bytes = torchSaveBytes(tensor('float32', [4], new Float32Array(4), { writtenBytes: 8 }));
    const e = await expectFormatError(bytes, 'trunc.pt', /storage truncated/);
    expect(e.where).toBe('archive/data/0');
  });

  it('shape/numel mismatch', async () => {
    const bytes = torchSaveBytes(tensor('float32', [3, 3], new Float32Array(4)));
    await expectFormatError(bytes, 'numel.pt', /shape\/numel mismatch/);
  });

  it('non-whitelisted global, never called', async () => {
    const bytes = torchSaveBytes({ payload: pyGlobal('os', 'system', 'echo pwned') });
    const e = await expectFormatError(bytes, 'evil.pt', /UnsupportedPickleGlobal\(os\.system\)/);
    expect(e).toBeInstanceOf(UnsupportedPickleGlobal);
    expect((e as UnsupportedPickleGlobal).global).toBe('os.system');
    expect(e.where).toBe('archive/data.pkl');
  });

  it('int64 values beyond 2^31 when read as int32', async () => {
    const file = join(dir, 'big.pt');
    writeTorchFile(file, tensor('int64', [2], BigInt64Array.from([1n, 2n ** 31n])));
    const t = (await readTorchFile(file)) as TorchTensor;
    await expect(t.readInt32()).rejects.toThrow(/int64 value 2147483648 at element 1 does not fit in int32/);
  });

  it('archive without data.pkl and truncated zip', async () => {
    await expectFormatError(zipSync({ 'x/other': new Uint8Array(3) }), 'nopkl.pt', /no data\.pkl/);
    const good = torchSaveBytes(tensor('float32', [2], new Float32Array(2)));
    await expectFormatError(good.subarray(0, good.length - 30), 'cut.pt', /end-of-central-directory|truncated/);
  });
});
