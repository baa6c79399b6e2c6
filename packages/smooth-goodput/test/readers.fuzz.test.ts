/**
 * Hostile trace files (issue: hostile files must never hang or exhaust a reader): the vLLM result reader
 * and the JSONL trace reader answer every input, mutated or crafted, with a table or a FormatError that
 * names the file, quickly; nothing else escapes (no RangeError from a deep or huge value).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS as RUNS, mutatedText } from '@paperkit/fuzz-kit';
import { FormatError } from '@paperkit/tensor-core';
import { parseTraceText, parseVllmResult } from '../src/index.js';
import { readTraceTable } from '../src/node.js';


const VLLM = JSON.stringify({
  duration: 3.5,
  ttfts: [0.1, 0.2, 0],
  itls: [[0.05, 0.05], [0.1], []],
  output_lens: [3, 5, 0],
  input_lens: [10, 20, 5],
  errors: ['', '', 'timeout'],
});
/** JSON syntax: the characters a mutation most likely turns into a deep or odd value. */
const JSON_SYNTAX = '{}[]":,-.0123456789eEtrufalsn \n\\';
const JSONL = [
  '{"id":"a","arrival":0,"tokenTimes":[0.1,0.2,0.3],"promptTokens":4}',
  '{"id":2,"arrival":0.5,"tokenTimes":[0.7,0.9],"tokensPerEvent":[1,2],"priority":1}',
  '{"id":"c","arrival":1,"tokenTimes":[],"status":"dropped","droppedAt":1.5}',
].join('\n');

/** A vLLM-shaped object whose fields take arbitrary JSON values. */
const vllmShaped = fc
  .record(
    {
      duration: fc.jsonValue({ maxDepth: 3 }),
      ttfts: fc.oneof(fc.array(fc.oneof(fc.double(), fc.jsonValue({ maxDepth: 2 })), { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })),
      itls: fc.oneof(fc.array(fc.array(fc.oneof(fc.double(), fc.jsonValue({ maxDepth: 1 })), { maxLength: 5 }), { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })),
      output_lens: fc.array(fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 40)), { maxLength: 6 }),
      errors: fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })), { maxLength: 6 }),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

/** Run `read`; a table or a FormatError naming `source` is fine, anything else fails the property. */
function answered(read: () => unknown, source: string): void {
  try {
    read();
  } catch (err) {
    if (!FormatError.isInstance(err)) throw err;
    expect((err as Error).message).toContain(source);
  }
}

describe('vLLM result reader: every input gets a table or a FormatError naming the file', () => {
  it(`${RUNS} mutated result files`, () => {
    fc.assert(fc.property(mutatedText(VLLM, JSON_SYNTAX), (text) => answered(() => parseVllmResult(text, 'r.json'), 'r.json')), { numRuns: RUNS, seed: 7 });
  });

  it(`${RUNS} result objects with arbitrary field values`, () => {
    fc.assert(fc.property(vllmShaped, (text) => answered(() => parseVllmResult(text, 'r.json'), 'r.json')), { numRuns: RUNS, seed: 8 });
  });
});

describe('JSONL trace reader: every input gets a table or a FormatError naming the file and line', () => {
  it(`${RUNS} mutated traces`, () => {
    fc.assert(
      fc.property(mutatedText(JSONL, JSON_SYNTAX), (text) => answered(() => parseTraceText(text, { source: 't.jsonl', checkUnits: false }), 't.jsonl')),
      { numRuns: RUNS, seed: 9 },
    );
  });
});

describe('hand-made hostile trace files are refused quickly with a FormatError', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const cases: [string, () => unknown, RegExp][] = [
    ['100,000-deep nesting in ttfts', () => parseVllmResult(`{"ttfts":[${deep(100_000)}],"itls":[[]]}`, 'r.json'), /r\.json:1: ttfts\[0\] must be a non-negative number, got an array of 1 entries/],
    ['100,000-deep nesting in a JSONL field', () => parseTraceText(`{"id":1,"arrival":${deep(100_000)},"tokenTimes":[1]}`, { source: 't.jsonl' }), /t\.jsonl:1: "arrival" must be a finite number, got an array/],
    ['a 10 MB string where a number belongs', () => parseVllmResult(`{"ttfts":["${'x'.repeat(10_000_000)}"],"itls":[[]]}`, 'r.json'), /ttfts\[0\] .*got "x{40}…"$/],
    ['an output length beyond 32 bits', () => parseVllmResult('{"ttfts":[0.1],"itls":[[0.1]],"output_lens":[4294967297]}', 'r.json'), /output_lens\[0\] must be an integer in \[0, 2147483647\]/],
    ['itls and ttfts of different lengths', () => parseVllmResult('{"ttfts":[0.1,0.2],"itls":[[]]}', 'r.json'), /"itls" has 1 entries, "ttfts" has 2/],
    ['a negative gap', () => parseVllmResult('{"ttfts":[0.1],"itls":[[-1]]}', 'r.json'), /itls\[0\]\[0\] must be a non-negative number, got -1/],
  ];
  for (const [name, read, reason] of cases)
    it(name, () => {
      const started = performance.now();
      expect(read).toThrow(reason);
      expect(() => read()).toThrow(FormatError);
      expect(performance.now() - started).toBeLessThan(1000 * 2); // two reads, each well under a second
    });

  it('a vLLM result file over maxFileBytes is refused before it is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-hostile-'));
    const path = join(dir, 'big.json');
    writeFileSync(path, VLLM);
    await expect(readTraceTable(path, { maxFileBytes: 64 })).rejects.toThrow(/big\.json:1: a vLLM result file of \d+ bytes is over the 64-byte limit \(option maxFileBytes\)/);
    await expect(readTraceTable(path, { maxFileBytes: 0 })).rejects.toThrow(/maxFileBytes/);
    expect((await readTraceTable(path)).n).toBe(3);
  });
});
