import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli as offlineCli } from '../../offline-rl/src/cli-program.js';
import { cli } from '../src/cli-program.js';

describe('harmodt CLI (in-process)', () => {
  it('--help exits 0; unknown commands and flags exit 2', async () => {
    expect(await cli.main(['--help'])).toBe(0);
    expect(await cli.main(['reproduce', '--help'])).toBe(0);
    expect(await cli.main(['fly'])).toBe(2);
    expect(await cli.main(['reproduce', '--bogus'])).toBe(2);
    expect(await cli.main(['train', '--out', 'x.safetensors'])).toBe(2);
  });

  it('train writes a checkpoint from D4RL JSON and conflict reads it back; a bad file exits 2 and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'harmodt-'));
    const data = join(dir, 'd.json');
    const out = join(dir, 'm.safetensors');
    expect(await offlineCli.main(['dataset', '--out', data, '--tasks', 'reach,drawer-open', '--episodes', '3'])).toBe(0);
    expect(await cli.main(['train', '--data', data, '--out', out, '--steps', '4', '--mask-interval', '2'])).toBe(0);
    expect(await cli.main(['conflict', '--data', data, '--checkpoint', out])).toBe(0);
    const { writeFileSync, existsSync } = await import('node:fs');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"reach": {"observations": [[1, 2]], "actions": [[0, 0], [1, 1]], "rewards": [1]}}');
    const never = join(dir, 'never.safetensors');
    expect(await cli.main(['train', '--data', bad, '--out', never, '--steps', '2'])).toBe(2);
    expect(existsSync(never)).toBe(false);
  });
});
