import { describe, expect, it } from 'vitest';
import { FormatError, OptionError, ShapeError } from '../../src/errors.js';
import { float32ToBfloat16, float32ToFloat16 } from '../../src/io/half-float.js';
import { SAFETENSORS_DTYPES, readSafetensors, writeSafetensors, type TensorInput } from '../../src/io/safetensors.js';
import { rawSafetensors, sampleTensors } from './safetensors-helpers.js';

const dec = new TextDecoder();
const bytesOf = (v: ArrayBufferView) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
const headerLength = (file: Uint8Array) => new DataView(file.buffer, file.byteOffset).getUint32(0, true);

function expectFormatError(fn: () => unknown, ...fragments: string[]): FormatError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(FormatError);
  for (const f of fragments) expect((caught as Error).message).toContain(f);
  return caught as FormatError;
}

describe('safetensors round trip', () => {
  it('is bit-exact for every dtype (F16/BF16 given as raw bits)', () => {
    const tensors = sampleTensors(7);
    expect(Object.keys(tensors)).toHaveLength(SAFETENSORS_DTYPES.length);
    const file = writeSafetensors(tensors);
    const back = readSafetensors(file);
    for (const [name, t] of Object.entries(tensors)) {
      const r = back.tensors[name];
      expect(r.dtype).toBe(t.dtype);
      expect(r.shape).toEqual(t.shape);
      if (t.dtype === 'F16' || t.dtype === 'BF16') {
        expect(r.data).toBeInstanceOf(Float32Array);
        const bits = t.dtype === 'F16' ? float32ToFloat16(r.data as Float32Array) : float32ToBfloat16(r.data as Float32Array);
        expect(bits).toEqual(t.data);
      } else {
        expect(bytesOf(r.data)).toEqual(bytesOf(t.data as ArrayBufferView));
      }
    }
    // Writing what we read gives the same file, byte for byte.
    expect(writeSafetensors(back.tensors)).toEqual(file);
  });

  it('decodes each dtype into the documented typed array', () => {
    const back = readSafetensors(writeSafetensors(sampleTensors(3)));
    const expected: Record<string, string> = {
      F64: 'Float64Array', F32: 'Float32Array', F16: 'Float32Array', BF16: 'Float32Array', I64: 'BigInt64Array',
      I32: 'Int32Array', I16: 'Int16Array', I8: 'Int8Array', U8: 'Uint8Array', BOOL: 'Uint8Array',
      F8_E4M3: 'Uint8Array', F8_E5M2: 'Uint8Array', U16: 'Uint16Array', U32: 'Uint32Array', U64: 'BigUint64Array',
    };
    for (const t of Object.values(back.tensors)) expect(t.data.constructor.name).toBe(expected[t.dtype]);
  });

  it('keeps empty tensors (shape [0], [2, 0, 3]), scalars (shape []) and metadata', () => {
    const tensors: Record<string, TensorInput> = {
      empty: { dtype: 'F32', shape: [0], data: new Float32Array(0) },
      empty3: { dtype: 'I64', shape: [2, 0, 3], data: new BigInt64Array(0) },
      scalar: { dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) },
      scalarBf16: { dtype: 'BF16', shape: [], data: new Float32Array([-2.5]) },
    };
    const metadata = { format: 'pt', note: 'ünïcode ✓', empty: '' };
    const back = readSafetensors(writeSafetensors(tensors, metadata));
    expect(back.metadata).toEqual(metadata);
    expect(back.tensors.empty).toEqual({ dtype: 'F32', shape: [0], data: new Float32Array(0) });
    expect(back.tensors.empty3.shape).toEqual([2, 0, 3]);
    expect(back.tensors.empty3.data).toHaveLength(0);
    expect(back.tensors.scalar).toEqual({ dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) });
    expect(Array.from(back.tensors.scalarBf16.data as Float32Array)).toEqual([-2.5]);
  });

  it('returns no metadata as {} and an empty file as no tensors', () => {
    expect(readSafetensors(writeSafetensors({}))).toEqual({ metadata: {}, tensors: {} });
  });

  it('encodes F16/BF16 from Float32Array rounding to nearest even (bf16(1 + 2^-8) = 1, NaN stays NaN)', () => {
    const x = new Float32Array([1 + 2 ** -8, 1, -0.15625, NaN, Infinity, 65520]);
    const back = readSafetensors(writeSafetensors({
      b: { dtype: 'BF16', shape: [6], data: x },
      h: { dtype: 'F16', shape: [6], data: x },
    })).tensors;
    const b = back.b.data as Float32Array;
    const h = back.h.data as Float32Array;
    expect([b[0], b[1], b[2], b[4]]).toEqual([1, 1, -0.15625, Infinity]);
    expect(Number.isNaN(b[3])).toBe(true);
    expect([h[1], h[2], h[4], h[5]]).toEqual([1, -0.15625, Infinity, Infinity]);
    expect(Number.isNaN(h[3])).toBe(true);
  });

  it('accepts plain number arrays and raw little-endian bytes', () => {
    const fromArray = writeSafetensors({ a: { dtype: 'I32', shape: [3], data: [1, -2, 3] }, b: { dtype: 'I64', shape: [2], data: [5, -6] } });
    const back = readSafetensors(fromArray).tensors;
    expect(Array.from(back.a.data as Int32Array)).toEqual([1, -2, 3]);
    expect(Array.from(back.b.data as BigInt64Array)).toEqual([5n, -6n]);
    const raw = writeSafetensors({ a: { dtype: 'I32', shape: [3], data: bytesOf(new Int32Array([1, -2, 3])) }, b: { dtype: 'I64', shape: [2], data: bytesOf(new BigInt64Array([5n, -6n])) } });
    expect(raw).toEqual(fromArray);
  });

  it('keeps a tensor named __proto__ as an own entry', () => {
    const back = readSafetensors(writeSafetensors({ ['__proto__']: { dtype: 'U8', shape: [1], data: new Uint8Array([9]) } } as never));
    expect(Object.keys(back.tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
  });
});

describe('safetensors layout', () => {
  it('pads the header with spaces to a multiple of 8', () => {
    for (let len = 1; len <= 12; len++) {
      const file = writeSafetensors({ ['x'.repeat(len)]: { dtype: 'U8', shape: [1], data: new Uint8Array([1]) } });
      const n = headerLength(file);
      expect(n % 8).toBe(0);
      const text = dec.decode(file.subarray(8, 8 + n));
      expect(text.trimEnd().endsWith('}')).toBe(true);
      expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
      expect(n - text.trimEnd().length).toBeLessThan(8);
    }
  });

  it("matches the reference library's bytes: one F32 tensor, empty file, metadata only", () => {
    const data = new Float32Array([0, 1, 2, 3, 4, 5]);
    const one = writeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data } });
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(headerLength(one)).toBe(64);
    expect(dec.decode(one.subarray(8, 72))).toBe(json.padEnd(64, ' '));
    expect(one.subarray(72)).toEqual(bytesOf(data));

    const aligned = writeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data } });
    expect(headerLength(aligned)).toBe(72);
    expect(dec.decode(aligned.subarray(8, 80))).toBe('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}'.padEnd(72, ' '));

    expect(Array.from(writeSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]);
    const meta = writeSafetensors({}, { framework: 'pt' });
    expect(headerLength(meta)).toBe(40);
    expect(dec.decode(meta.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
  });

  it('lays tensors out by descending dtype alignment, then name, so each starts aligned', () => {
    const file = writeSafetensors({
      b_u8: { dtype: 'U8', shape: [3], data: new Uint8Array(3) },
      a_f32: { dtype: 'F32', shape: [1], data: new Float32Array(1) },
      z_f64: { dtype: 'F64', shape: [1], data: new Float64Array(1) },
      a_u8: { dtype: 'U8', shape: [1], data: new Uint8Array(1) },
      c_bf16: { dtype: 'BF16', shape: [1], data: new Float32Array(1) },
    });
    const header = JSON.parse(dec.decode(file.subarray(8, 8 + headerLength(file))));
    const order = Object.keys(header).sort((x, y) => header[x].data_offsets[0] - header[y].data_offsets[0]);
    expect(order).toEqual(['z_f64', 'a_f32', 'c_bf16', 'a_u8', 'b_u8']);
  });
});

describe('safetensors writer input errors', () => {
  it('names the tensor on a data length mismatch, unknown dtype or bad shape', () => {
    expect(() => writeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(ShapeError);
    expect(() => writeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(/w: expected shape \[2, 2\]/);
    expect(() => writeSafetensors({ w: { dtype: 'F128' as never, shape: [1], data: [1] } })).toThrow(OptionError);
    expect(() => writeSafetensors({ w: { dtype: 'F32', shape: [-1], data: [] } })).toThrow(/tensors\["w"\]\.shape/);
    expect(() => writeSafetensors({ __metadata__: { dtype: 'F32', shape: [], data: [1] } })).toThrow(OptionError);
    expect(() => writeSafetensors({}, { a: 1 as never })).toThrow(/metadata\["a"\]/);
  });
});

describe('safetensors reader rejects malformed files with a FormatError naming the problem', () => {
  const f32 = (n: number) => new Uint8Array(4 * n);

  it('file shorter than 8 bytes', () => {
    expectFormatError(() => readSafetensors(new Uint8Array(5), { source: 'short.safetensors' }), 'short.safetensors', 'too short');
  });

  it('header length N longer than the file', () => {
    expectFormatError(() => readSafetensors(rawSafetensors('{}', new Uint8Array(0), 1000)), 'header length 1000 is longer than the file');
  });

  it('header over the limit (default 100 MB, or the option)', () => {
    expectFormatError(() => readSafetensors(rawSafetensors('{}', new Uint8Array(0), 200_000_000)), 'over the limit');
    expectFormatError(() => readSafetensors(rawSafetensors('{}      '), { maxHeaderBytes: 4 }), 'header length 8 is over the limit of 4');
    expectFormatError(() => readSafetensors(rawSafetensors('{}', new Uint8Array(0), 2 ** 40)), 'over the limit');
  });

  it("header not starting with '{'", () => {
    expectFormatError(() => readSafetensors(rawSafetensors(' {}     ')), "does not start with '{'");
    expectFormatError(() => readSafetensors(rawSafetensors('[]      ')), "does not start with '{'");
    expectFormatError(() => readSafetensors(rawSafetensors('')), "does not start with '{'");
  });

  it('header not JSON or not UTF-8', () => {
    expectFormatError(() => readSafetensors(rawSafetensors('{"a":   ')), 'not valid JSON');
    const bad = rawSafetensors('{"\xff":1}');
    bad[10] = 0xff;
    expectFormatError(() => readSafetensors(bad), 'not valid UTF-8');
  });

  it('duplicate tensor key, and duplicate field inside an entry', () => {
    const e = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    expectFormatError(() => readSafetensors(rawSafetensors(`{"w":${e},"w":${e}}`, f32(1))), 'duplicate key "w"');
    expectFormatError(() => readSafetensors(rawSafetensors(`{"w":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, f32(1))), 'duplicate key "dtype"');
    // Escaped spellings of the same key are the same key.
    expectFormatError(() => readSafetensors(rawSafetensors(`{"w":${e},"\\u0077":${e}}`, f32(1))), 'duplicate key "w"');
  });

  it('unknown dtype', () => {
    const err = expectFormatError(
      () => readSafetensors(rawSafetensors({ w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, new Uint8Array(16))),
      'unknown dtype "F128"', 'tensor "w"',
    );
    expect(err.where).toBe('tensor "w"');
  });

  it('data_offsets size not equal to numel x dtype size', () => {
    expectFormatError(
      () => readSafetensors(rawSafetensors({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, f32(3))),
      'tensor "w"', 'hold 12 bytes', 'needs 16',
    );
  });

  it('overlapping offsets', () => {
    expectFormatError(
      () => readSafetensors(rawSafetensors({
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      }, f32(3))),
      'tensor "b"', 'overlap "a"',
    );
  });

  it('holes between tensors and at the end', () => {
    expectFormatError(
      () => readSafetensors(rawSafetensors({
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
      }, f32(3))),
      'tensor "b"', 'hole of 4 bytes',
    );
    expectFormatError(
      () => readSafetensors(rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2))),
      'tensor "a"', 'hole',
    );
    expectFormatError(
      () => readSafetensors(rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2))),
      '4 bytes after the last tensor',
    );
  });

  it('offsets past the end of the file', () => {
    expectFormatError(
      () => readSafetensors(rawSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(2))),
      'tensor "a"', 'past the end',
    );
  });

  it('bad shape entries and bad data_offsets', () => {
    for (const shape of [[-1], [1.5], ['2'], [null], 'abc', [2 ** 60, 2 ** 60]]) {
      expectFormatError(() => readSafetensors(rawSafetensors({ a: { dtype: 'U8', shape, data_offsets: [0, 0] } })), 'tensor "a"');
    }
    for (const offsets of [[0], [0, 1, 2], [-1, 0], [1, 0], 'x', [0.5, 1]]) {
      expectFormatError(() => readSafetensors(rawSafetensors({ a: { dtype: 'U8', shape: [1], data_offsets: offsets } }, new Uint8Array(1))), 'tensor "a"');
    }
    expectFormatError(() => readSafetensors(rawSafetensors({ a: 5 })), 'tensor "a"', 'not an object');
  });

  it('non-string metadata values', () => {
    expectFormatError(() => readSafetensors(rawSafetensors({ __metadata__: { epoch: 3 } })), 'metadata value for "epoch" is not a string');
    expectFormatError(() => readSafetensors(rawSafetensors({ __metadata__: ['x'] })), '__metadata__ is not an object');
  });

  it('uses the source name in every message', () => {
    expectFormatError(() => readSafetensors(rawSafetensors('[]      '), { source: 'model.safetensors' }), 'model.safetensors:');
  });
});

describe('safetensors reader input buffers', () => {
  it('reads from a Node Buffer at an odd offset and a file whose tensors are not aligned', () => {
    // Layout written by older writers: names sorted only, so the F32 tensor starts at byte 3.
    const data = new Uint8Array(7);
    data.set([1, 2, 3]);
    data.set(new Uint8Array(new Float32Array([1.5]).buffer), 3);
    const file = rawSafetensors({ a: { dtype: 'U8', shape: [3], data_offsets: [0, 3] }, b: { dtype: 'F32', shape: [], data_offsets: [3, 7] } }, data);
    const backing = Buffer.alloc(file.length + 3);
    backing.set(file, 3);
    const odd = backing.subarray(3);
    const back = readSafetensors(odd);
    expect(Array.from(back.tensors.a.data as Uint8Array)).toEqual([1, 2, 3]);
    expect(Array.from(back.tensors.b.data as Float32Array)).toEqual([1.5]);
    // The result does not alias the input.
    odd.fill(0);
    expect(Array.from(back.tensors.a.data as Uint8Array)).toEqual([1, 2, 3]);
  });
});
