import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, PaperkitError } from '../../src/errors.js';
import { LazySafetensors, openSafetensors } from '../../src/io/safetensors-lazy.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { rawSafetensors, sampleTensors } from './safetensors-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'pk-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openSafetensors (lazy, positioned reads)', () => {
  it('reads every tensor exactly as the eager reader does', () => {
    const bytes = writeSafetensors(
      { ...sampleTensors(11), scalar: { dtype: 'F32', shape: [], data: new Float32Array([4]) }, empty: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } },
      { format: 'pt' },
    );
    const path = join(dir, 'all.safetensors');
    writeFileSync(path, bytes);
    const eager = readSafetensors(bytes);
    const lazy = openSafetensors(path);
    try {
      expect(lazy).toBeInstanceOf(LazySafetensors);
      expect(lazy.path).toBe(path);
      expect(lazy.metadata).toEqual(eager.metadata);
      expect([...lazy.names].sort()).toEqual(Object.keys(eager.tensors).sort());
      for (const name of lazy.names) {
        expect(lazy.read(name)).toEqual(eager.tensors[name]);
        const info = lazy.info(name);
        expect(info.dtype).toBe(eager.tensors[name].dtype);
        expect(info.shape).toEqual(eager.tensors[name].shape);
        const raw = lazy.readRaw(name);
        expect(raw.byteLength).toBe(info.byteLength);
        expect(raw).toEqual(bytes.subarray(info.offset, info.offset + info.byteLength));
      }
    } finally {
      lazy.close();
    }
  });

  it('lists names in file order and reads tensors in any order', () => {
    const path = join(dir, 'order.safetensors');
    writeFileSync(path, writeSafetensors({
      b: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) },
      a: { dtype: 'F32', shape: [1], data: new Float32Array([3]) },
    }));
    const lazy = openSafetensors(path);
    expect(lazy.names).toEqual(['a', 'b']);
    expect(Array.from(lazy.read('b').data as Float32Array)).toEqual([1, 2]);
    expect(Array.from(lazy.read('a').data as Float32Array)).toEqual([3]);
    expect(lazy.has('a')).toBe(true);
    expect(() => lazy.read('missing')).toThrow(FormatError);
    lazy.close();
    lazy.close();
    expect(() => lazy.read('a')).toThrow(PaperkitError);
  });

  it('applies the same validation as the eager reader (shared header parser)', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['short', new Uint8Array(3)],
      ['too long', rawSafetensors('{}', new Uint8Array(0), 99)],
      ['not object', rawSafetensors('[1]     ')],
      ['duplicate', rawSafetensors('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1))],
      ['overlap', rawSafetensors({ a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] }, b: { dtype: 'U8', shape: [2], data_offsets: [1, 3] } }, new Uint8Array(3))],
    ];
    for (const [name, bytes] of cases) {
      const path = join(dir, `${name}.safetensors`);
      writeFileSync(path, bytes);
      let eagerMessage = '';
      try {
        readSafetensors(bytes, { source: path });
      } catch (err) {
        eagerMessage = (err as Error).message;
      }
      expect(eagerMessage).not.toBe('');
      expect(() => openSafetensors(path)).toThrow(FormatError);
      expect(() => openSafetensors(path)).toThrow(eagerMessage);
    }
  });

  it('rejects a header over maxHeaderBytes before reading it', () => {
    const path = join(dir, 'big-header.safetensors');
    writeFileSync(path, writeSafetensors({ ['n'.repeat(100)]: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } }));
    expect(() => openSafetensors(path, { maxHeaderBytes: 64 })).toThrow(/over the limit of 64/);
  });

  it('reads one small tensor from a 5 GB (sparse) file without loading the rest', () => {
    // F32 tensor of 5e9 bytes (offsets beyond 2^32), then a 4-byte tensor at the very end.
    const big = 5_000_000_000;
    const header = JSON.stringify({
      big: { dtype: 'F32', shape: [big / 4], data_offsets: [0, big] },
      tail: { dtype: 'F32', shape: [1], data_offsets: [big, big + 4] },
    });
    const padded = header.padEnd(Math.ceil(header.length / 8) * 8, ' ');
    const path = join(dir, 'huge.safetensors');
    const prefix = rawSafetensors(padded);
    writeFileSync(path, prefix);
    const size = prefix.length + big + 4;
    truncateSync(path, size); // sparse: no disk blocks for the zeros
    const fd = openSync(path, 'r+');
    writeSync(fd, new Uint8Array(new Float32Array([42.5]).buffer), 0, 4, size - 4);
    closeSync(fd);
    const lazy = openSafetensors(path);
    try {
      expect(lazy.info('big').byteLength).toBe(big);
      expect(lazy.info('tail').offset).toBe(size - 4);
      expect(Array.from(lazy.read('tail').data as Float32Array)).toEqual([42.5]);
    } finally {
      lazy.close();
      rmSync(path);
    }
  });
});
