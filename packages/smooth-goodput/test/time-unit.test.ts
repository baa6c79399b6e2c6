import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError } from '@paperkit/tensor-core/base';
import { allMetrics, generateWorkload, parseTraceText, simulate } from '../src/index.js';
import { readTraceTable } from '../src/node.js';
import { cli } from '../src/cli-program.js';

const traces = simulate(generateWorkload({ seed: 3, n: 60, rate: 2 }));
const asJsonl = (scale: number) =>
  traces.map((t) => JSON.stringify({ ...t, arrival: t.arrival * scale, tokenTimes: t.tokenTimes.map((x) => x * scale), ...(t.droppedAt === undefined ? {} : { droppedAt: t.droppedAt * scale }) })).join('\n');
const seconds = asJsonl(1);
const millis = asJsonl(1000);

describe('time units are explicit where traces enter', () => {
  it('the same trace in seconds and in milliseconds, each read with its unit, gives the same metrics', () => {
    const a = allMetrics(parseTraceText(seconds, { timeUnit: 's' }));
    const b = allMetrics(parseTraceText(millis, { timeUnit: 'ms' }));
    expect(b.smoothGoodput).toBeCloseTo(a.smoothGoodput, 6);
    expect(b.goodputReq).toBeCloseTo(a.goodputReq, 9);
    expect(b.vllm.ttft.mean).toBeCloseTo(a.vllm.ttft.mean, 6);
    expect(b.etalonFluidity).toBeCloseTo(a.etalonFluidity, 9);
  });

  it('a millisecond trace read as seconds is rejected, naming the unit assumed and the one that fits', () => {
    expect(() => parseTraceText(millis, { timeUnit: 's', source: 'ms.jsonl' })).toThrow(FormatError);
    expect(() => parseTraceText(millis, { source: 'ms.jsonl' })).toThrow(/ms\.jsonl: .*read as seconds; the trace looks like it is in milliseconds: pass timeUnit 'ms'/);
  });

  it('a seconds trace read as milliseconds is rejected too; checkUnits: false reads it anyway', () => {
    expect(() => parseTraceText(seconds, { timeUnit: 'ms' })).toThrow(/read as milliseconds; the trace looks like it is in seconds/);
    expect(parseTraceText(seconds, { timeUnit: 'ms', checkUnits: false }).n).toBe(traces.length);
  });

  it('files and the CLI apply the same check (exit 2 with the hint)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-unit-'));
    const file = join(dir, 'ms.jsonl');
    writeFileSync(file, millis);
    await expect(readTraceTable(file)).rejects.toThrow(/--time-unit ms/);
    expect((await readTraceTable(file, { timeUnit: 'ms' })).n).toBe(traces.length);
    const err: string[] = [];
    expect(await cli.main(['metrics', file], { stdout: () => {}, stderr: (l) => err.push(l) })).toBe(2);
    expect(err.join('\n')).toMatch(/looks like it is in milliseconds/);
    expect(await cli.main(['metrics', file, '--time-unit', 'ms'], { stdout: () => {}, stderr: () => {} })).toBe(0);
  });
});
