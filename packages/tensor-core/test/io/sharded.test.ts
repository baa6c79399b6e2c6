import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, OptionError } from '../../src/errors.js';
import { openSafetensors } from '../../src/io/safetensors-lazy.js';
import { readSafetensors, writeSafetensors, type SafetensorsTensor, type TensorInput } from '../../src/io/safetensors.js';
import { readShardedIndex, writeShardedCheckpoint } from '../../src/io/sharded.js';
import { sampleTensors } from './safetensors-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'pk-sharded-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function bigTensors(): Record<string, TensorInput> {
  const out: Record<string, TensorInput> = {};
  for (let i = 0; i < 6; i++) {
    out[`layer.${i}.weight`] = { dtype: 'F32', shape: [10, 10], data: Float32Array.from({ length: 100 }, (_, k) => i * 1000 + k) };
  }
  return { ...out, ...sampleTensors(5) };
}

describe('sharded checkpoints', () => {
  it('reads the same through the index as from one file', async () => {
    const tensors = bigTensors();
    const dir = join(root, 'ckpt');
    const result = await writeShardedCheckpoint(dir, Object.entries(tensors), { maxShardBytes: 1000 });
    expect(result.files.length).toBeGreaterThan(1);
    expect(result.files[0]).toBe(`model-00001-of-${String(result.files.length).padStart(5, '0')}.safetensors`);
    const files = readdirSync(dir).sort();
    expect(files).toEqual([...result.files, 'model.safetensors.index.json'].sort());

    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(Object.keys(index.weight_map).sort()).toEqual(Object.keys(tensors).sort());
    expect(index.metadata.total_size).toBe(result.totalSize);

    const one = readSafetensors(writeSafetensors(tensors));
    const view = readShardedIndex(dir);
    try {
      expect([...view.names].sort()).toEqual(Object.keys(one.tensors).sort());
      for (const name of view.names) expect(view.read(name)).toEqual(one.tensors[name]);
      expect(view.info('layer.0.weight').file).toBe(index.weight_map['layer.0.weight']);
      expect(view.metadata).toEqual({ total_size: result.totalSize });
      expect(view.names.reduce((s, n) => s + view.info(n).byteLength, 0)).toBe(result.totalSize);
    } finally {
      view.close();
    }
    // Each shard is a valid standalone file within the size limit (a lone bigger tensor aside).
    for (const file of result.files) {
      const shard = openSafetensors(join(dir, file));
      expect(shard.metadata).toEqual({ format: 'pt' });
      const size = shard.names.reduce((s, n) => s + shard.info(n).byteLength, 0);
      expect(size <= 1000 || shard.names.length === 1).toBe(true);
      shard.close();
    }
  });

  it('writes model.safetensors when everything fits in one shard, streaming from an async iterable', async () => {
    const tensors = sampleTensors(9);
    async function* stream() {
      for (const entry of Object.entries(tensors)) yield entry as [string, TensorInput];
    }
    const dir = join(root, 'single');
    const result = await writeShardedCheckpoint(dir, stream(), { metadata: { source: 'test' } });
    expect(result.files).toEqual(['model.safetensors']);
    expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'model.safetensors.index.json']);
    const file = readSafetensors(readFileSync(join(dir, 'model.safetensors')));
    expect(file.metadata).toEqual({ format: 'pt', source: 'test' });
    expect(file.tensors).toEqual(readSafetensors(writeSafetensors(tensors)).tensors);
  });

  it('opens a lone model.safetensors without an index', () => {
    const dir = join(root, 'plain');
    mkdirSync(dir);
    const tensors = sampleTensors(2);
    writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensors));
    const view = readShardedIndex(dir);
    for (const name of Object.keys(tensors)) expect(view.read(name)).toEqual(readSafetensors(writeSafetensors(tensors)).tensors[name]);
    view.close();
  });

  it('leaves nothing behind when the tensor stream fails midway', async () => {
    const dir = join(root, 'failed');
    async function* failing(): AsyncGenerator<[string, SafetensorsTensor]> {
      for (let i = 0; i < 5; i++) yield [`t${i}`, { dtype: 'F32', shape: [100], data: new Float32Array(100) }];
      throw new Error('injected failure');
    }
    await expect(writeShardedCheckpoint(dir, failing(), { maxShardBytes: 500 })).rejects.toThrow('injected failure');
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root).filter((f) => f.includes('failed'))).toEqual([]);
  });

  it('rejects duplicate names and bad tensors before finishing, writing nothing', async () => {
    const dir = join(root, 'dup');
    const t: TensorInput = { dtype: 'U8', shape: [1], data: new Uint8Array(1) };
    await expect(writeShardedCheckpoint(dir, [['a', t], ['a', t]])).rejects.toThrow(OptionError);
    await expect(writeShardedCheckpoint(dir, [['a', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]])).rejects.toThrow(/a: expected shape/);
    expect(existsSync(dir)).toBe(false);
  });

  it('reports a bad index: missing shard, tensor absent from its shard, escaping path, bad JSON', async () => {
    const dir = join(root, 'bad-index');
    await writeShardedCheckpoint(dir, Object.entries(bigTensors()), { maxShardBytes: 1000 });
    const indexPath = join(dir, 'model.safetensors.index.json');
    const good = JSON.parse(readFileSync(indexPath, 'utf8'));
    const variants: Array<[object | string, string]> = [
      [{ ...good, weight_map: { ...good.weight_map, extra: 'model-00009-of-00009.safetensors' } }, 'does not exist'],
      [{ ...good, weight_map: { ...good.weight_map, extra: good.weight_map['layer.0.weight'] } }, 'does not contain it'],
      [{ ...good, weight_map: { x: '../outside.safetensors' } }, 'not a plain relative path'],
      [{ metadata: {} }, '"weight_map" is missing'],
      ['{"weight_map": ', 'not valid JSON'],
    ];
    for (const [content, message] of variants) {
      writeFileSync(indexPath, typeof content === 'string' ? content : JSON.stringify(content));
      expect(() => readShardedIndex(dir)).toThrow(FormatError);
      expect(() => readShardedIndex(dir)).toThrow(message);
    }
    expect(() => readShardedIndex(join(root, 'nothing-here'))).toThrow(FormatError);
  });
});
