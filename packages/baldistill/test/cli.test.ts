import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli } from '../src/cli-program.js';

let dir = '';
let server: Server;
let base = '';
let served = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'baldistill-cli-'));
  // Loopback stub of a chat-completions endpoint, bounded to 200 requests.
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      served++;
      const user = (JSON.parse(raw) as { messages: Array<{ role: string; content: string }> }).messages[1].content;
      const content = user.startsWith('Domain:') ? `Question: made up ${served}\nReasoning: r\nThe answer is: yes` : 'Because.\nThe answer is: yes';
      res.writeHead(served > 200 ? 400 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections?.();
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

function capture() {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((l: unknown) => void lines.push(String(l)));
  const err = vi.spyOn(console, 'error').mockImplementation((l: unknown) => void lines.push(String(l)));
  return { lines, restore: () => (spy.mockRestore(), err.mockRestore()) };
}

describe('baldistill CLI (in-process)', () => {
  it('--help lists the commands; reproduce --help names its flags', async () => {
    const c = capture();
    expect(await cli.main(['--help'])).toBe(0);
    expect(await cli.main(['reproduce', '--help'])).toBe(0);
    c.restore();
    const text = c.lines.join('\n');
    for (const s of ['reproduce', 'counts', 'collect', '--quick', '--seeds', '--json', '--plot', '--synth-noise']) expect(text).toContain(s);
  });

  it('unknown flags and bad values exit 2 with the flag named', async () => {
    const c = capture();
    expect(await cli.main(['reproduce', '--bogus'])).toBe(2);
    expect(await cli.main(['counts', '--sizes', '5,x', '--budget', '10'])).toBe(2);
    expect(await cli.main(['nope'])).toBe(2);
    c.restore();
    expect(c.lines.join('\n')).toMatch(/--bogus[\s\S]*--sizes/);
  });

  it('counts prints the spec hand values for B 400, K 4 (a bare -- is ignored)', async () => {
    const c = capture();
    expect(await cli.main(['counts', '--', '--sizes', '1000,217,89,47,28,19,13,10', '--budget', '400', '--stages', '4'])).toBe(0);
    c.restore();
    const table = c.lines.join('\n');
    expect(table).toMatch(/stage 0 \|\s+70 \|\s+15 \|\s+6 \|\s+3 \|\s+1 \|\s+1 \|\s+0 \|\s+0 \|\s+96/);
    expect(table).toMatch(/stage 3 \|\s+26 \|\s+13 \|\s+10 \|\s+10 \|\s+9 \|\s+9 \|\s+9 \|\s+9 \|\s+95/);
  });

  it('collect annotates a JSONL pool against a loopback endpoint, balances it, and writes JSONL atomically', async () => {
    const pool = join(dir, 'pool.jsonl');
    const rows = [...Array.from({ length: 20 }, (_, k) => ({ id: `h${k}`, domain: 'head', input: `q${k}`, gold: 'yes' })), { id: 't0', domain: 'tail', input: 'tq', gold: 'yes' }];
    await writeFile(pool, rows.map((r) => JSON.stringify(r)).join('\n'));
    const out = join(dir, 'out.jsonl');
    const c = capture();
    const code = await cli.main(['collect', pool, '--base-url', base, '--model', 'stub', '--budget', '10', '--out', out, '--state', join(dir, 'state')]);
    c.restore();
    expect(code).toBe(0);
    const data = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(data.filter((e) => e.domain === 'head')).toHaveLength(5);
    expect(data.filter((e) => e.domain === 'tail')).toHaveLength(5);
    expect(data.filter((e) => e.synthetic)).toHaveLength(4);
    expect(c.lines.join('\n')).toMatch(/10\/10 calls charged/);
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"id": "a", "domain": "d", "input": "x"}\n{"id": "b", "domain": 3, "input": "y"}\n');
    const c2 = capture();
    expect(await cli.main(['collect', bad, '--base-url', base, '--model', 'stub', '--budget', '4', '--out', out])).toBe(2);
    c2.restore();
    expect(c2.lines.join('\n')).toMatch(/bad\.jsonl:2: "domain" must be a non-empty string/);
  });

  it('reproduce --quick writes the result JSON with holds computed from the rows', async () => {
    const json = join(dir, 'r.json');
    const c = capture();
    expect(await cli.main(['reproduce', '--quick', '--json', json])).toBe(0);
    c.restore();
    const r = JSON.parse(await readFile(json, 'utf8'));
    expect(r.package).toBe('@paperkit/baldistill');
    expect(r.rows.map((x: { method: string }) => x.method)).toEqual(['random FT-CoT', 'active FT-CoT', 'head-only', 'duplicate', 'balance (1 stage)', 'BalDistill-N', 'BalDistill-A']);
    const tail = (m: string) => r.rows.find((x: { method: string }) => x.method === m).metrics.tail.mean;
    const calls = (m: string) => r.rows.find((x: { method: string }) => x.method === m).metrics['teacher calls'].mean;
    expect(r.holds).toBe(tail('BalDistill-N') - tail('random FT-CoT') >= 0.1 && tail('BalDistill-A') - tail('random FT-CoT') >= 0.1 && calls('BalDistill-N') <= 400 && calls('BalDistill-A') <= 400);
    expect(calls('BalDistill-N')).toBe(384);
    expect(calls('BalDistill-A')).toBe(381);
  });
});
