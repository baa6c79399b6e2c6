import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { readNpy, readNpz, writeNpy, writeNpz } from '../../src/io/npy.js';
import { FUZZ_RUNS, mutatedArb, outcome } from '@paperkit/fuzz-kit';

/** Rewrites a version-1 file as version 2 or 3 (u32 header length), to seed those code paths too. */
function asVersion(bytes: Uint8Array, version: 2 | 3): Uint8Array {
  const headerLength = bytes[8] | (bytes[9] << 8);
  const out = new Uint8Array(bytes.length + 2);
  out.set(bytes.subarray(0, 8));
  out[6] = version;
  new DataView(out.buffer).setUint32(8, headerLength, true);
  out.set(bytes.subarray(10), 12);
  return out;
}

const v1 = [
  writeNpy({ dtype: 'f4', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }),
  writeNpy({ dtype: 'i8', shape: [], data: new BigInt64Array([5n]) }),
  writeNpy({ dtype: 'u1', shape: [0], data: new Uint8Array(0) }),
  writeNpy({ dtype: 'f2', shape: [3], data: new Float32Array([1, 2, 3]) }),
  writeNpy({ dtype: 'i2', shape: [2, 1, 2], data: new Int16Array([1, 2, 3, 4]), fortranOrder: true }),
];
const seeds = [...v1, asVersion(v1[0], 2), asVersion(v1[4], 3)];

/** Header dicts assembled from near-valid pieces. */
const headerArb = fc
  .tuple(
    fc.constantFrom("'<f4'", "'|u1'", "'>i2'", "'<c8'", "'|O'", "[('a', '<f4')]", "'f8'", "'<f16'", "3", "'<b1'"),
    fc.constantFrom('True', 'False', '0', "'x'", 'None'),
    fc.oneof(
      fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }).map((s) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`),
      fc.constantFrom('[2]', '(2L,)', '(99999999999999999999,)', '(((((',  "('2',)", '()'),
    ),
    fc.shuffledSubarray(['descr', 'fortran_order', 'shape', 'extra'], { minLength: 0, maxLength: 4 }),
    fc.integer({ min: 0, max: 40 }),
  )
  .map(([descr, fortran, shape, keys, dataLength]) => {
    const values: Record<string, string> = { descr, fortran_order: fortran, shape, extra: '1' };
    const dict = `{${keys.map((k) => `'${k}': ${values[k]}`).join(', ')}, }`;
    const header = new TextEncoder().encode(dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11) + '\n');
    const out = new Uint8Array(10 + header.length + dataLength);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
    out.set(header, 10);
    return out;
  });

describe('.npy reader fuzz: every failure is a FormatError', () => {
  it(`survives ${FUZZ_RUNS} mutated or truncated files (v1, v2, v3 seeds)`, () => {
    fc.assert(fc.property(mutatedArb(seeds), (bytes) => void outcome(() => readNpy(bytes), FormatError)), { numRuns: FUZZ_RUNS, seed: 11 });
  });

  it(`survives ${FUZZ_RUNS} assembled header dicts`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(headerArb, (bytes) => {
        const r = outcome(() => {
          const arr = readNpy(bytes);
          expect(arr.data.length).toBe(arr.shape.reduce((a, b) => a * b, 1));
        }, FormatError);
        if (r === 'ok') accepted++;
      }),
      { numRuns: FUZZ_RUNS, seed: 12 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('.npz reader: 10000 mutated archives only ever throw FormatError', () => {
    const npz = [writeNpz({ a: { dtype: 'f4', shape: [2], data: new Float32Array([1, 2]) } }), writeNpz({ b: { dtype: 'u1', shape: [3], data: new Uint8Array(3) } }, { compress: true })];
    fc.assert(fc.property(mutatedArb(npz), (bytes) => void outcome(() => readNpz(bytes), FormatError)), { numRuns: FUZZ_RUNS, seed: 13 });
  });
});
