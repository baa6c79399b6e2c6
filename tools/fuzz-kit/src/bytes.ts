/** Byte-level mutation arbitraries shared by the reader fuzz tests. */
import fc from 'fast-check';

export type Mutation =
  | { kind: 'flip'; pos: number; bit: number }
  | { kind: 'set'; pos: number; value: number }
  | { kind: 'char'; pos: number; value: number }
  | { kind: 'truncate'; len: number }
  | { kind: 'insert'; pos: number; bytes: Uint8Array }
  | { kind: 'delete'; pos: number; len: number };

/** Bytes that are syntax in JSON or Python literals: the mutations most likely to reach deep code paths. */
const SYNTAX = Array.from('{}[]()":,\' 0123456789-+.eE\\TrueFalsNn\n\r', (c) => c.charCodeAt(0));

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('char' as const), pos: fc.nat(), value: fc.constantFrom(...SYNTAX) }),
  fc.record({ kind: fc.constant('truncate' as const), len: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
);

/** Applies mutations in order (positions taken modulo the current length). */
export function mutate(seed: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = seed.slice();
  for (const m of mutations) {
    const at = (pos: number) => (b.length === 0 ? 0 : pos % b.length);
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at(m.pos)] ^= 1 << m.bit;
        break;
      case 'set':
      case 'char':
        if (b.length) b[at(m.pos)] = m.value;
        break;
      case 'truncate':
        b = b.slice(0, m.len % (b.length + 1));
        break;
      case 'insert': {
        const p = b.length === 0 ? 0 : m.pos % (b.length + 1);
        const out = new Uint8Array(b.length + m.bytes.length);
        out.set(b.subarray(0, p));
        out.set(m.bytes, p);
        out.set(b.subarray(p), p + m.bytes.length);
        b = out;
        break;
      }
      case 'delete': {
        const p = at(m.pos);
        b = Uint8Array.from([...b.subarray(0, p), ...b.subarray(p + m.len)]);
        break;
      }
    }
  }
  return b;
}

/** A seed input picked from `seeds` plus 1..4 mutations. */
export function mutatedArb(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([k, muts]) => mutate(seeds[k], muts));
}

/** Runs `fn`; returns 'ok', or the error if it is of the allowed class, and rethrows any other error. */
export function outcome<T>(fn: () => T, allowed: new (...args: never[]) => Error): 'ok' | Error {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof allowed) return err;
    throw err;
  }
}

export const FUZZ_RUNS = 10_000;
