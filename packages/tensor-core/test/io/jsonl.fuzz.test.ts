import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { parseJsonlChunks, parseJsonlLines, type JsonlRecord } from '../../src/io/jsonl.js';
import { FUZZ_RUNS, mutatedArb, outcome } from '@paperkit/fuzz-kit';

const enc = new TextEncoder();
const seeds = [
  '{"a":1}\n{"b":[1,2,{"c":null}]}\n',
  '\ufeff"x"\r\n\r\n3.5e2\n[true,false]',
  '{"text":"héllo ✓","n":-0.5}\n\n\n{}\n',
  '',
].map((s) => enc.encode(s));

async function collect(it: AsyncIterable<JsonlRecord>): Promise<JsonlRecord[]> {
  const out: JsonlRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('JSONL reader fuzz: every failure is a FormatError with file:line', () => {
  it(`survives ${FUZZ_RUNS} mutated texts (in-memory parser)`, () => {
    const dec = new TextDecoder();
    fc.assert(
      fc.property(mutatedArb(seeds), (bytes) => {
        const r = outcome(() => parseJsonlLines(dec.decode(bytes), 'f.jsonl'), FormatError);
        if (r !== 'ok') expect(r.message).toMatch(/^f\.jsonl:\d+: /);
      }),
      { numRuns: FUZZ_RUNS, seed: 21 },
    );
  });

  it(`survives ${FUZZ_RUNS} mutated byte streams in random chunks, agreeing with the in-memory parser`, async () => {
    const dec = new TextDecoder('utf-8', { fatal: true });
    await fc.assert(
      fc.asyncProperty(mutatedArb(seeds), fc.array(fc.nat(), { maxLength: 4 }), async (bytes, cuts) => {
        const points = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          chunks.push(bytes.subarray(prev, p));
          prev = p;
        }
        let streamed: JsonlRecord[] | Error;
        try {
          streamed = await collect(parseJsonlChunks(chunks, 's.jsonl'));
        } catch (err) {
          if (!(err instanceof FormatError)) throw err;
          expect(err.message).toMatch(/^s\.jsonl:\d+: /);
          streamed = err;
        }
        let text: string | undefined;
        try {
          text = dec.decode(bytes);
        } catch {
          text = undefined; // invalid UTF-8: the stream must have reported it
        }
        if (text === undefined) {
          expect(streamed).toBeInstanceOf(FormatError);
          return;
        }
        const whole = outcome(() => parseJsonlLines(text, 's.jsonl'), FormatError);
        if (whole === 'ok') expect(streamed).toEqual(parseJsonlLines(text, 's.jsonl'));
        else expect((streamed as Error).message).toBe(whole.message);
      }),
      { numRuns: FUZZ_RUNS, seed: 22 },
    );
  });
});
