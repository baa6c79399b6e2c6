import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FormatError, ShapeError } from '../../src/errors.js';
import { readNpy, readNpz, writeNpy, writeNpz, type NpyDType, type NpyInput } from '../../src/io/npy.js';

/** .npy bytes by hand: magic, version, header length (u16 or u32), header text, data. */
function npyBytes(header: string, data: ArrayBufferView, version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(prefix + headerBytes.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerBytes.length, true);
  else view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, prefix);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), prefix + headerBytes.length);
  return out;
}

const padHeader = (dict: string, prefix = 10) => {
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  return dict.padEnd(total - prefix - 1, ' ') + '\n';
};

describe('npy', () => {
  it("reads a hand-written fixture (np.save of arange(6, dtype='<i4').reshape(2, 3)) and writes the same bytes", () => {
    const header = padHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }");
    expect(header.length).toBe(118);
    const bytes = npyBytes(header, new Int32Array([0, 1, 2, 3, 4, 5]));
    expect(bytes.length).toBe(128 + 24);
    const arr = readNpy(bytes);
    expect(arr.dtype).toBe('i4');
    expect(arr.shape).toEqual([2, 3]);
    expect(Array.from(arr.data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(writeNpy({ dtype: 'i4', shape: [2, 3], data: new Int32Array([0, 1, 2, 3, 4, 5]) })).toEqual(bytes);
  });

  it('reorders a Fortran-order fixture to C order, and reads big-endian data', () => {
    const fortran = npyBytes(padHeader("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }"), new Float64Array([0, 3, 1, 4, 2, 5]));
    expect(Array.from(readNpy(fortran).data as Float64Array)).toEqual([0, 1, 2, 3, 4, 5]);
    const be = new Uint8Array(4);
    new DataView(be.buffer).setInt16(0, -2, false);
    new DataView(be.buffer).setInt16(2, 300, false);
    const big = npyBytes(padHeader("{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }"), be);
    expect(Array.from(readNpy(big).data as Int16Array)).toEqual([-2, 300]);
  });

  it('reads version 2.0 and 3.0 (UTF-8) headers', () => {
    const v2 = npyBytes(padHeader("{'descr': '<u2', 'fortran_order': False, 'shape': (3,), }", 12), new Uint16Array([1, 2, 65535]), 2);
    expect(Array.from(readNpy(v2).data as Uint16Array)).toEqual([1, 2, 65535]);
    const v3 = npyBytes(padHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 12), new Float32Array([7.5]), 3);
    const scalar = readNpy(v3);
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float32Array)).toEqual([7.5]);
  });

  it('round trips every dtype, scalars, empty arrays and Fortran order', () => {
    const cases: NpyInput[] = [
      { dtype: 'f2', shape: [3], data: new Float32Array([1, -0.5, 65504]) },
      { dtype: 'f4', shape: [2, 2], data: new Float32Array([1, 2, 3, NaN]) },
      { dtype: 'f8', shape: [], data: new Float64Array([Math.E]) },
      { dtype: 'i1', shape: [2], data: new Int8Array([-128, 127]) },
      { dtype: 'i2', shape: [2], data: new Int16Array([-32768, 32767]) },
      { dtype: 'i4', shape: [0], data: new Int32Array(0) },
      { dtype: 'i8', shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 62n]) },
      { dtype: 'u1', shape: [1], data: new Uint8Array([255]) },
      { dtype: 'u2', shape: [1], data: new Uint16Array([65535]) },
      { dtype: 'u4', shape: [1], data: new Uint32Array([2 ** 32 - 1]) },
      { dtype: 'u8', shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
      { dtype: 'b1', shape: [3], data: new Uint8Array([1, 0, 1]) },
      { dtype: 'f4', shape: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i), fortranOrder: true },
      { dtype: 'i8', shape: [3, 2], data: BigInt64Array.from({ length: 6 }, (_, i) => BigInt(i) - 3n), fortranOrder: true },
      { dtype: 'f4', shape: [2, 0, 3], data: new Float32Array(0), fortranOrder: true },
    ];
    for (const c of cases) {
      const bytes = writeNpy(c);
      expect((bytes[8] | (bytes[9] << 8)) + 10).toBe(bytes.length - (c.data as ArrayLike<unknown>).length * ({ f2: 2, f4: 4, f8: 8, i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, u2: 2, u4: 4, u8: 8, b1: 1 } as Record<NpyDType, number>)[c.dtype]);
      const back = readNpy(bytes);
      expect(back.dtype).toBe(c.dtype);
      expect(back.shape).toEqual(c.shape);
      expect(back.data).toEqual(c.data);
    }
  });

  it('stores Fortran order transposed in the file', () => {
    const bytes = writeNpy({ dtype: 'u1', shape: [2, 3], data: new Uint8Array([0, 1, 2, 3, 4, 5]), fortranOrder: true });
    const start = 10 + (bytes[8] | (bytes[9] << 8));
    expect(start % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, start))).toContain("'fortran_order': True");
    expect(Array.from(bytes.subarray(start))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('rejects malformed files with a FormatError naming the problem', () => {
    const ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    const f = new Float32Array(2);
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array([1, 2, 3]), 'magic'],
      [(() => { const b = npyBytes(padHeader(ok), f); b[6] = 4; return b; })(), 'unsupported .npy version 4'],
      [npyBytes(padHeader(ok), new Float32Array(1)), 'truncated'],
      [npyBytes(padHeader(ok), new Float32Array(3)), 'unexpected bytes'],
      [npyBytes(padHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }"), f), 'unsupported dtype "<c8"'],
      [npyBytes(padHeader("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"), f), 'unsupported dtype'],
      [npyBytes(padHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"), f), 'structured'],
      [npyBytes(padHeader("{'descr': '<f4', 'shape': (2,), }"), f), 'expected descr, fortran_order and shape'],
      [npyBytes(padHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }"), f), 'bad shape entry'],
      [npyBytes(padHeader("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }"), f), 'fortran_order'],
      [npyBytes(padHeader("{'descr': '<f4', 'fortran_order': False, 'shape': [2], }"), f), 'shape is not a tuple'],
      [npyBytes(padHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'descr': '<f4'}"), f), 'duplicate key'],
      [npyBytes(padHeader(`{'descr': ${'('.repeat(500)}`), f), 'nests too deeply'],
      [npyBytes(padHeader("{'descr': '<f4"), f), 'unterminated string'],
      [(() => { const b = npyBytes(padHeader(ok), f); b[8] = 0xff; b[9] = 0xff; return b; })(), 'longer than the file'],
    ];
    for (const [bytes, message] of cases) {
      expect(() => readNpy(bytes, { source: 'x.npy' })).toThrow(FormatError);
      expect(() => readNpy(bytes, { source: 'x.npy' })).toThrow(message);
      expect(() => readNpy(bytes, { source: 'x.npy' })).toThrow(/^x\.npy: /);
    }
  });

  it('rejects writer input whose data length does not match the shape', () => {
    expect(() => writeNpy({ dtype: 'f4', shape: [2, 2], data: new Float32Array(3) }, 'weights')).toThrow(ShapeError);
    expect(() => writeNpy({ dtype: 'f4', shape: [2, 2], data: new Float32Array(3) }, 'weights')).toThrow(/weights/);
  });
});

describe('npz', () => {
  it('round trips a record of arrays, stored and compressed, with deterministic bytes', () => {
    const record = {
      x: { dtype: 'f4' as const, shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
      'nested/y': { dtype: 'i8' as const, shape: [3], data: new BigInt64Array([1n, 2n, 3n]) },
      flags: { dtype: 'b1' as const, shape: [2], data: new Uint8Array([1, 0]) },
    };
    for (const compress of [false, true]) {
      const bytes = writeNpz(record, { compress });
      expect(writeNpz(record, { compress })).toEqual(bytes);
      const back = readNpz(bytes);
      expect(Object.keys(back).sort()).toEqual(Object.keys(record).sort());
      for (const [k, v] of Object.entries(record)) {
        expect(back[k].shape).toEqual(v.shape);
        expect(back[k].data).toEqual(v.data);
      }
    }
  });

  it('rejects a corrupt archive, a non-.npy entry, and names the bad entry', () => {
    expect(() => readNpz(new Uint8Array([1, 2, 3, 4]), { source: 'a.npz' })).toThrow(FormatError);
    expect(() => readNpz(zipSync({ 'notes.txt': new Uint8Array([65]) }))).toThrow(/notes\.txt/);
    expect(() => readNpz(zipSync({ 'w.npy': new Uint8Array([1, 2, 3]) }), { source: 'a.npz' })).toThrow('a.npz[w.npy]: ');
  });
});

describe('npy input buffers', () => {
  it('reads from a Node Buffer at an odd offset without aliasing it', () => {
    const bytes = writeNpy({ dtype: 'f8', shape: [2], data: new Float64Array([1.25, -2]) });
    const backing = Buffer.alloc(bytes.length + 5);
    backing.set(bytes, 5);
    const view = backing.subarray(5);
    const arr = readNpy(view);
    expect(Array.from(arr.data as Float64Array)).toEqual([1.25, -2]);
    view.fill(0);
    expect(Array.from(arr.data as Float64Array)).toEqual([1.25, -2]);
  });
});

describe('readNpz limits (hostile archives)', () => {
  it('an archive inflating past maxDecompressedBytes is refused from its declarations, before inflating', () => {
    const bomb = zipSync({ 'x.npy': [new Uint8Array(5_000_000), { level: 1 }] });
    const started = performance.now();
    expect(() => readNpz(bomb, { source: 'bomb.npz', maxDecompressedBytes: 1_000_000 })).toThrow(/bomb\.npz:x\.npy: entries declare more than the limit of 1000000 bytes inflated/);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(bomb.length).toBeLessThan(100_000);
  });
});
