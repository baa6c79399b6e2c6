import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { openSafetensors } from '../../src/io/safetensors-lazy.js';
import { SAFETENSORS_DTYPES, readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { FUZZ_RUNS, mutatedArb, outcome } from '@paperkit/fuzz-kit';
import { rawSafetensors, sampleTensors } from './safetensors-helpers.js';

const seeds: Uint8Array[] = [
  writeSafetensors({}),
  writeSafetensors({}, { format: 'pt' }),
  writeSafetensors({ a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) } }),
  writeSafetensors({ s: { dtype: 'BF16', shape: [], data: new Float32Array([1]) }, e: { dtype: 'I64', shape: [0], data: new BigInt64Array(0) } }, { k: 'v' }),
  writeSafetensors({ x: { dtype: 'U8', shape: [1, 3], data: new Uint8Array([1, 2, 3]) }, y: { dtype: 'F16', shape: [1], data: new Float32Array([0.5]) } }),
  writeSafetensors(Object.fromEntries(Object.entries(sampleTensors(4)).slice(0, 4))),
];

/** Headers built from random (often invalid) entries: dtypes, shapes and offsets near the valid ones. */
const headerArb = fc
  .tuple(
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('__metadata__', '__proto__', 'a', 'b')),
      fc.oneof(
        fc.record(
          {
            dtype: fc.oneof(fc.constantFrom(...SAFETENSORS_DTYPES), fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null)),
            shape: fc.oneof(
              fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
              fc.array(fc.oneof(fc.integer({ min: -2, max: 4 }), fc.double(), fc.constant('1'), fc.constant(2 ** 53)), { maxLength: 3 }),
              fc.constant(null),
            ),
            data_offsets: fc.oneof(
              fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })),
              fc.array(fc.oneof(fc.integer({ min: -1, max: 40 }), fc.double()), { maxLength: 3 }),
            ),
          },
          { requiredKeys: [] },
        ),
        fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string({ maxLength: 3 }), fc.integer())),
        fc.integer(),
        fc.constant(null),
      ),
      { maxKeys: 4 },
    ),
    fc.integer({ min: 0, max: 48 }),
    fc.integer({ min: 0, max: 7 }),
  )
  .map(([header, dataLength, pad]) => rawSafetensors(JSON.stringify(header) + ' '.repeat(pad), new Uint8Array(dataLength)));

const dir = mkdtempSync(join(tmpdir(), 'pk-fuzz-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkRead(bytes: Uint8Array): 'ok' | Error {
  return outcome(() => {
    const file = readSafetensors(bytes, { source: 'fuzz.safetensors' });
    for (const t of Object.values(file.tensors)) {
      expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
    }
  }, FormatError);
}

describe('safetensors reader fuzz: every failure is a FormatError', () => {
  it(`survives ${FUZZ_RUNS} mutated or truncated files`, () => {
    fc.assert(fc.property(mutatedArb(seeds), (bytes) => void checkRead(bytes)), { numRuns: FUZZ_RUNS, seed: 1 });
  });

  it(`survives ${FUZZ_RUNS} random headers (entries near-valid and invalid)`, () => {
    let accepted = 0;
    fc.assert(fc.property(headerArb, (bytes) => void (checkRead(bytes) === 'ok' && accepted++)), { numRuns: FUZZ_RUNS, seed: 2 });
    expect(accepted).toBeGreaterThan(0); // the generator also reaches the success path
  });

  it('lazy reader accepts and rejects exactly what the eager reader does (500 files)', () => {
    const path = join(dir, 'f.safetensors');
    fc.assert(
      fc.property(fc.oneof(mutatedArb(seeds), headerArb), (bytes) => {
        writeFileSync(path, bytes);
        const eager = outcome(() => readSafetensors(bytes, { source: path }), FormatError);
        let lazyResult: 'ok' | Error = 'ok';
        try {
          const lazy = openSafetensors(path);
          try {
            const eagerFile = readSafetensors(bytes);
            for (const name of lazy.names) expect(lazy.read(name)).toEqual(eagerFile.tensors[name]);
          } finally {
            lazy.close();
          }
        } catch (err) {
          if (!(err instanceof FormatError)) throw err;
          lazyResult = err;
        }
        expect(lazyResult === 'ok' ? 'ok' : lazyResult.message).toBe(eager === 'ok' ? 'ok' : eager.message);
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});
