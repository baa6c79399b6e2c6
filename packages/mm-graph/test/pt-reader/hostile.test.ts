/**
 * Hostile .pt files (issue: installed alone, hostile files must never hang or exhaust it): every case
 * is answered within a second by a FormatError naming the file, and nothing is allocated for what a
 * file merely declares.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FUZZ_RUNS } from '@paperkit/fuzz-kit';
import { FormatError } from '@paperkit/tensor-core';
import { unpickle } from '../../src/pt-reader/pickle.js';
import { readTorchBytes, TorchTensor } from '../../src/pt-reader/torch-file.js';
import { bytesSource, ZipArchive } from '../../src/pt-reader/zip.js';
import { tensor, torchSaveBytes } from '../helpers/write-pt.js';

const PROTO = [0x80, 0x02];
const STOP = 0x2e;

/** Run `work`; it must reject with a FormatError matching `reason` in under a second. */
async function refusedFast(work: () => unknown, reason: RegExp): Promise<void> {
  const started = performance.now();
  let caught: unknown;
  try {
    await work();
  } catch (e) {
    caught = e;
  }
  expect(FormatError.isInstance(caught), String(caught)).toBe(true);
  expect((caught as Error).message).toMatch(reason);
  expect(performance.now() - started).toBeLessThan(1000);
}

/** A stored zip written by hand, so names, duplicates and offsets can be anything. */
function rawZip(entries: { name: string; data: Uint8Array; offset?: number }[]): Uint8Array {
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let at = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(18, e.data.length, true);
    lv.setUint32(22, e.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const c = new Uint8Array(46 + name.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(20, e.data.length, true);
    cv.setUint32(24, e.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, e.offset ?? at, true);
    c.set(name, 46);
    central.push(c);
    chunks.push(local, e.data);
    at += local.length + e.data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, at, true);
  const out = new Uint8Array(at + cdSize + 22);
  let o = 0;
  for (const part of [...chunks, ...central, eocd]) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}

describe('hostile pickles', () => {
  it('lists nested 100,000 deep: a FormatError naming the depth limit, not a stack overflow', async () => {
    const n = 100_000;
    const bytes = Uint8Array.from([...PROTO, ...new Array(n).fill(0x5d), ...new Array(n - 1).fill(0x61), STOP]);
    await refusedFast(() => unpickle(bytes, { source: 'deep.pkl', globals: {} }), /^deep\.pkl: containers nest deeper than the limit of 1000 levels/);
  });

  it('a LONG4 integer of 1,000,000 bytes is refused before it is read', async () => {
    const bytes = new Uint8Array(2 + 5 + 1_000_000 + 1);
    bytes.set(PROTO);
    bytes[2] = 0x8b;
    new DataView(bytes.buffer).setInt32(3, 1_000_000, true);
    bytes[bytes.length - 1] = STOP;
    await refusedFast(() => unpickle(bytes, { source: 'long.pkl', globals: {} }), /LONG of 1000000 bytes .* exceeds the limit of 64 bytes/);
  });

  it('random bytes give a value or a FormatError, never another error (10,000 inputs)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (body) => {
        try {
          unpickle(Uint8Array.from([...PROTO, ...body, STOP]), { source: 'fuzz.pkl', globals: {} });
        } catch (e) {
          if (!FormatError.isInstance(e)) throw e;
        }
      }),
      { numRuns: FUZZ_RUNS, seed: 7 },
    );
  });
});

describe('hostile tensors and storages', () => {
  it('a strided view of a huge shape over a tiny storage is refused when opened, not when read', async () => {
    const bytes = torchSaveBytes(tensor('float32', [1_000_000, 1_000_000], new Float32Array(1), { stride: [0, 0] }));
    await refusedFast(() => readTorchBytes(bytes, 'view.pt'), /^view\.pt:archive\/data\/0: tensor of shape \[1000000,1000000\] would take 4000000000000 bytes/);
  });

  it('a storage declaring 10^12 elements in a small archive is refused (its entry holds 4 bytes)', async () => {
    const bytes = torchSaveBytes(tensor('float32', [1], new Float32Array(1), { numel: 1e12 }));
    await refusedFast(() => readTorchBytes(bytes, 'big.pt'), /storage truncated: 4 bytes for 1000000000000 float32 elements/);
  });

  it('a normal tensor still reads', async () => {
    const value = (await readTorchBytes(torchSaveBytes(tensor('float32', [2, 2], Float32Array.from([1, 2, 3, 4]))), 'ok.pt')) as TorchTensor;
    expect(Array.from((await value.read()) as Float32Array)).toEqual([1, 2, 3, 4]);
  });
});

describe('hostile zip directories', () => {
  const data = new TextEncoder().encode('hello');
  it('an entry named ../x is refused', async () => {
    await refusedFast(() => ZipArchive.open(bytesSource(rawZip([{ name: 'archive/../x', data }]), 'dots.pt')), /^dots\.pt:archive\/\.\.\/x: unsafe entry name/);
  });

  it('two entries with one name are refused', async () => {
    await refusedFast(() => ZipArchive.open(bytesSource(rawZip([{ name: 'a', data }, { name: 'a', data }]), 'dup.pt')), /^dup\.pt:a: duplicate entry name/);
  });

  it('entries whose data overlap are refused', async () => {
    await refusedFast(() => ZipArchive.open(bytesSource(rawZip([{ name: 'a', data }, { name: 'b', data, offset: 0 }]), 'overlap.pt')), /overlap/);
  });

  it('an entry declared past the end of the file is refused', async () => {
    const zip = rawZip([{ name: 'a', data }]);
    new DataView(zip.buffer).setUint32(zip.length - 22 - 47 + 20, 1 << 30, true); // compressed size in the central header
    new DataView(zip.buffer).setUint32(zip.length - 22 - 47 + 24, 1 << 30, true);
    await refusedFast(() => ZipArchive.open(bytesSource(zip, 'short.pt')), /runs past the end of the file/);
  });

  it('mutated archives give a value or a FormatError, never another error (10,000 inputs)', async () => {
    const good = torchSaveBytes({ w: tensor('float32', [2], Float32Array.from([1, 2])) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), async (edits) => {
        const bytes = good.slice();
        for (const [at, v] of edits) bytes[at] = v;
        try {
          await readTorchBytes(bytes, 'mutated.pt');
        } catch (e) {
          if (!FormatError.isInstance(e)) throw e;
        }
      }),
      { numRuns: FUZZ_RUNS, seed: 11 },
    );
  });
});
