import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError, OptionError } from '@paperkit/tensor-core/base';
import { parseTraceText, smoothGoodput, toTraceTable, toTraces, vllmMetrics } from '../src/index.js';
import { readTraceTable, readTraces, writeTracesJsonl } from '../src/node.js';
import { VLLM_FIXTURE } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-io-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('JSONL trace reader', () => {
  it('round-trips rows through the columnar table and the atomic writer', async () => {
    const p = join(dir, 'out', 'trace.jsonl');
    await writeTracesJsonl(p, VLLM_FIXTURE);
    expect(readdirSync(join(dir, 'out'))).toEqual(['trace.jsonl']); // no temp file left behind
    const back = await readTraces(p);
    expect(back).toEqual(toTraces(toTraceTable(VLLM_FIXTURE)));
    expect(back[1].tokensPerEvent).toEqual([1, 3]);
  });

  it('--time-unit ms gives the same metrics as seconds', async () => {
    const rows = VLLM_FIXTURE.map((t) => ({ ...t, arrival: t.arrival * 1000, tokenTimes: t.tokenTimes.map((x) => x * 1000), ...(t.droppedAt ? { droppedAt: t.droppedAt * 1000 } : {}) }));
    const p = file('ms.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
    const inMs = await readTraceTable(p, { timeUnit: 'ms' });
    expect(vllmMetrics(inMs).ttft.mean).toBeCloseTo(vllmMetrics(VLLM_FIXTURE).ttft.mean, 9);
    expect(smoothGoodput(inMs).smoothGoodput).toBeCloseTo(smoothGoodput(VLLM_FIXTURE).smoothGoodput, 9);
  });

  const bad: [string, string, RegExp][] = [
    ['non-monotone times', '{"id":1,"arrival":0,"tokenTimes":[0.1,0.3]}\n{"id":2,"arrival":0,"tokenTimes":[0.3,0.2]}', /bad\.jsonl:2: .*non-decreasing/],
    ['token before arrival', '{"id":1,"arrival":1,"tokenTimes":[0.5]}', /:1: .*before arrival/],
    ['NaN as a string', '{"id":1,"arrival":0,"tokenTimes":["NaN"]}', /:1: tokenTimes\[0\] must be a finite number/],
    ['negative arrival', '{"id":1,"arrival":-1,"tokenTimes":[0.5]}', /:1: "arrival" must be >= 0/],
    ['missing field', '\n{"id":1,"tokenTimes":[0.5]}', /:2: missing field "arrival"/],
    ['unknown status', '{"id":1,"arrival":0,"tokenTimes":[0.5],"status":"lost"}', /:1: unknown status "lost"/],
    ['invalid JSON', '{"id":1,"arrival":0,', /:1: invalid JSON/],
    ['empty file', '', /:1: empty trace/],
  ];
  for (const [name, text, pattern] of bad) {
    it(`rejects ${name} with file:line: reason`, async () => {
      const p = file('bad.jsonl', text);
      await expect(readTraceTable(p)).rejects.toThrow(FormatError);
      await expect(readTraceTable(p)).rejects.toThrow(pattern);
    });
  }

  it('in-memory rows get OptionError naming the row', () => {
    expect(() => toTraceTable([{ id: 'x', arrival: 0, tokenTimes: [0.2, 0.1] }])).toThrow(OptionError);
    expect(() => parseTraceText('{"id":1,"arrival":0,"tokenTimes":[]}', { source: 'mem.jsonl' })).toThrow(/mem\.jsonl:1: a completed request/);
  });
});

describe('vLLM --save-result --save-detailed files', () => {
  const result = {
    backend: 'vllm',
    duration: 10,
    completed: 2,
    input_lens: [10, 20, 30],
    output_lens: [3, 5, 0],
    ttfts: [0.1, 0.2, 0],
    itls: [[0.05, 0.05], [0.1, 0.1], []],
    errors: ['', '', 'Connection reset'],
  };

  it('reads ttfts/itls/output_lens directly, T = duration, failed requests excluded', async () => {
    const p = file('result.json', JSON.stringify(result));
    const t = await readTraceTable(p);
    expect(t.n).toBe(3);
    expect(Array.from(t.status)).toEqual([0, 0, 2]);
    expect(Array.from(t.tokenCount)).toEqual([3, 5, 0]);
    const v = vllmMetrics(t);
    expect(v.duration).toBe(10);
    expect(v.completed).toBe(2);
    expect(v.ttft.mean).toBeCloseTo(150, 9);
    // r1: 3 chunks carry 5 tokens -> TPOT (0.4 - 0.2)/4 = 50 ms; r0: 0.1/2 = 50 ms
    expect(v.tpot.mean).toBeCloseTo(50, 9);
    expect(v.itl.mean).toBeCloseTo(75, 9);
  });

  it('names what is missing when the file lacks the detailed arrays', async () => {
    const p = file('summary.json', JSON.stringify({ duration: 3, completed: 1 }));
    await expect(readTraceTable(p)).rejects.toThrow(/summary\.json:1: missing "ttfts"\/"itls".*--save-detailed/);
    const q = file('neg.json', JSON.stringify({ ...result, ttfts: [0.1, -1, 0] }));
    await expect(readTraceTable(q)).rejects.toThrow(/ttfts\[1\]/);
  });

  it('keeps the old file when the writer fails half-way (nothing half-written)', async () => {
    const p = file('keep.jsonl', 'old content\n');
    await expect(writeTracesJsonl(p, [{ id: 'x', arrival: 0, tokenTimes: [0.2, 0.1] }])).rejects.toThrow(OptionError);
    expect(readFileSync(p, 'utf8')).toBe('old content\n');
  });
});
