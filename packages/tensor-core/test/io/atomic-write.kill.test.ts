/**
 * A writer killed with SIGKILL mid-way leaves no output that looks complete: the file or folder is either
 * absent or whole. The child writes a large file and a many-file checkpoint folder and is killed at
 * several moments; each time the targets are checked.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../../..');
const FILE_BYTES = 64 * 1024 * 1024;
const SHARDS = 40;

const child = (dir: string) => `
import { writeDirAtomic, writeFileAtomic } from ${JSON.stringify(resolve(__dirname, '../../src/node.ts'))};
import { writeFile } from 'node:fs/promises';
const big = new Uint8Array(${FILE_BYTES}).fill(7);
process.stdout.write('start\\n');
await writeFileAtomic(${JSON.stringify(join(dir, 'result.bin'))}, big);
await writeDirAtomic(${JSON.stringify(join(dir, 'checkpoint'))}, async (tmp) => {
  for (let i = 0; i < ${SHARDS}; i++) await writeFile(tmp + '/shard-' + i + '.bin', new Uint8Array(1 << 20).fill(i));
  await writeFile(tmp + '/index.json', JSON.stringify({ shards: ${SHARDS} }));
});
process.stdout.write('done\\n');
`;

function runAndKill(script: string, afterMs: number): Promise<void> {
  return new Promise((done) => {
    // One process (node with tsx's loader), so the SIGKILL reaches the writer itself, not a wrapper.
    const p = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    p.stdout.once('data', () => setTimeout(() => p.kill('SIGKILL'), afterMs));
    p.on('exit', () => done());
  });
}

describe('atomic writers under SIGKILL', () => {
  it('after a kill at any moment, result.bin is absent or whole and checkpoint/ is absent or complete', async () => {
    for (const afterMs of [0, 20, 60, 150, 400]) {
      const dir = mkdtempSync(join(tmpdir(), 'paperkit-kill-'));
      try {
        const script = join(dir, 'child.mts');
        writeFileSync(script, child(dir));
        await runAndKill(script, afterMs);
        const file = join(dir, 'result.bin');
        if (existsSync(file)) expect(statSync(file).size).toBe(FILE_BYTES);
        const ckpt = join(dir, 'checkpoint');
        if (existsSync(ckpt)) {
          expect(readdirSync(ckpt).length).toBe(SHARDS + 1);
          expect(JSON.parse(readFileSync(join(ckpt, 'index.json'), 'utf8'))).toEqual({ shards: SHARDS });
        }
        // Whatever was left half-written is a temp name, never the target's.
        for (const name of readdirSync(dir)) expect(['child.mts', 'result.bin', 'checkpoint'].includes(name) || /tmp|partial|\.paperkit/.test(name), name).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 120_000);
});
