import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli, parseRates } from '../src/cli-program.js';
import { HAND_PAIR } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-cli-'));
const run = async (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  try {
    const code = await cli.main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    stderr.mockRestore();
  }
};
afterEach(() => vi.restoreAllMocks());

describe('smooth-goodput CLI', () => {
  const trace = join(dir, 't.jsonl');
  writeFileSync(trace, HAND_PAIR.map((t) => JSON.stringify(t)).join('\n'));

  it('metrics --json prints the issue keys: smoothGoodput, goodputReq, goodputTok, sloAttainment, vllm {ttft,tpot,itl,e2el,requestGoodput}, andesQoE, etalonFluidity', async () => {
    const r = await run('metrics', trace, '--window', '0:10', '--goodput', 'ttft:500,tpot:150', '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out);
    expect(m.smoothGoodput).toBeCloseTo(0.05, 12);
    expect(m.goodputReq).toBeCloseTo(0.1, 12);
    expect(m.goodputTok).toBeCloseTo(1, 12);
    expect(m.sloAttainment).toBe(0.5);
    for (const k of ['ttft', 'tpot', 'itl', 'e2el']) expect(Object.keys(m.vllm[k])).toEqual(['mean', 'median', 'std', 'p99']);
    expect(m.vllm.requestGoodput).toBeCloseTo(0.1, 12); // r1: TTFT 100 ms, TPOT 100 ms pass; r2: TTFT 1200 ms fails
    expect(typeof m.andesQoE).toBe('number');
    expect(typeof m.etalonFluidity).toBe('number');
  });

  it('the default command is metrics and prints a side-by-side table', async () => {
    const r = await run(trace, '--reading-speed', '5', '--alpha', '2.5', '--penalty', 'tokens');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/smooth goodput/);
    expect(r.out).toMatch(/Etalon/);
  });

  it('exits 2 with file:line: reason on bad input, and on bad options', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"id":1,"arrival":0,"tokenTimes":[0.1]}\n{"id":2,"arrival":0,"tokenTimes":[0.3,0.1]}\n');
    const r = await run('metrics', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.jsonl:2: /);
    expect((await run('metrics', trace, '--penalty', 'nope')).code).toBe(2);
    expect((await run('metrics', join(dir, 'missing.jsonl'))).code).toBe(2);
    expect((await run('metrics', trace, '--goodput', 'ttfb:5')).code).toBe(2);
  });

  it('simulate -o writes a trace that metrics reads back', async () => {
    const out = join(dir, 'sim.jsonl');
    const r = await run('simulate', '--rate', '2', '--n', '40', '--seed', '3', '-o', out, '--json');
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(40);
    const again = await run('metrics', out, '--json');
    expect(JSON.parse(again.out).smoothGoodput).toBeCloseTo(JSON.parse(r.out).smoothGoodput, 9);
  });

  it('sweep --rates a:b:step tabulates every rate and writes the SVG plots', async () => {
    expect(parseRates('1:2:0.5')).toEqual([1, 1.5, 2]);
    const plot = join(dir, 'sweep.svg');
    const r = await run('sweep', '--rates', '1:3:1', '--n', '30', '--plot', plot);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => /^\|\s+[123] /.test(l))).toHaveLength(3);
    expect(readFileSync(plot, 'utf8')).toMatch(/<svg/);
    expect(existsSync(join(dir, 'sweep-attainment.svg'))).toBe(true);
    expect((await run('sweep', '--rates', '3:1:1')).code).toBe(2);
  });

  it('capacity bisects the rate for an SLO; reproduce --help prints its usage', async () => {
    const r = await run('capacity', '--n', '60', '--slo', 'ttft:2000,tpot:100', '--hi', '16', '--eps', '1');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/capacity [\d.]+ req\/s/);
    expect((await run('capacity', '--slo', 'reading:0')).code).toBe(2);
    const h = await run('reproduce', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/--quick/);
  });
});
