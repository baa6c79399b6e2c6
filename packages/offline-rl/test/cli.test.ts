import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MultiTaskDataset } from '../src/index.js';
import { cli } from '../src/cli-program.js';

describe('offline-rl CLI (in-process)', () => {
  it('--help exits 0 and names the subcommands', async () => {
    expect(await cli.main(['--help'])).toBe(0);
    expect(await cli.main(['reproduce', '--help'])).toBe(0);
  });
  it('unknown commands and flags exit 2', async () => {
    expect(await cli.main(['fly'])).toBe(2);
    expect(await cli.main(['reproduce', '--bogus'])).toBe(2);
    expect(await cli.main(['dataset', '--out'])).toBe(2);
  });
  it('dataset writes D4RL-layout JSON that fromD4RL reads back into the same episodes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'offline-rl-'));
    const out = join(dir, 'd.json');
    expect(await cli.main(['dataset', '--out', out, '--tasks', 'reach,button', '--episodes', '3', '--', '--seed', '2'])).toBe(0);
    const data = MultiTaskDataset.fromD4RL(JSON.parse(readFileSync(out, 'utf8')));
    expect(data.taskNames).toEqual(['reach', 'button']);
    expect(data.episodes[0].length).toBe(3);
    expect(data.episodes[0][0].length).toBe(40);
  });
});
