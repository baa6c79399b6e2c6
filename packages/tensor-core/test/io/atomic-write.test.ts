import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OptionError } from '../../src/errors.js';
import { writeDirAtomic, writeFileAtomic } from '../../src/io/atomic-write.js';

const root = mkdtempSync(join(tmpdir(), 'pk-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes strings and bytes, replaces existing files, creates parent dirs, leaves no temp files', async () => {
    const dir = join(root, 'files');
    const path = join(dir, 'nested', 'out.json');
    await writeFileAtomic(path, '{"a":1}');
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]), { fsync: true });
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['out.json']);
  });

  it('removes the temp file and keeps the old content when the rename fails', async () => {
    const dir = join(root, 'rename-fails');
    mkdirSync(join(dir, 'target'), { recursive: true });
    writeFileSync(join(dir, 'target', 'keep'), 'x');
    // Renaming a file onto a non-empty directory fails: an injected failure after the data is written.
    await expect(writeFileAtomic(join(dir, 'target'), 'data')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readdirSync(join(dir, 'target'))).toEqual(['keep']);
  });

  it('removes the temp file when writing the data fails', async () => {
    const dir = join(root, 'write-fails');
    mkdirSync(dir);
    await expect(writeFileAtomic(join(dir, 'out.bin'), 42 as unknown as string)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('writeDirAtomic', () => {
  it('builds in a temp dir and renames it into place', async () => {
    const dir = join(root, 'ckpt');
    let tmpSeen = '';
    await writeDirAtomic(dir, async (tmp) => {
      tmpSeen = tmp;
      expect(existsSync(dir)).toBe(false);
      writeFileSync(join(tmp, 'a.txt'), 'A');
    });
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('A');
    expect(existsSync(tmpSeen)).toBe(false);
  });

  it('leaves nothing behind on an injected failure and rethrows it', async () => {
    const dir = join(root, 'fails');
    const before = readdirSync(root).sort();
    await expect(
      writeDirAtomic(dir, async (tmp) => {
        writeFileSync(join(tmp, 'half.bin'), 'partial');
        throw new Error('injected failure');
      }),
    ).rejects.toThrow('injected failure');
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root).sort()).toEqual(before);
  });

  it('refuses a non-empty directory unless overwrite is set, and replaces an empty one', async () => {
    const dir = join(root, 'existing');
    mkdirSync(dir);
    await writeDirAtomic(dir, (tmp) => writeFileSync(join(tmp, 'v1'), '1'));
    expect(readdirSync(dir)).toEqual(['v1']);
    await expect(writeDirAtomic(dir, (tmp) => writeFileSync(join(tmp, 'v2'), '2'))).rejects.toThrow(OptionError);
    expect(readdirSync(dir)).toEqual(['v1']);
    await writeDirAtomic(dir, (tmp) => writeFileSync(join(tmp, 'v2'), '2'), { overwrite: true });
    expect(readdirSync(dir)).toEqual(['v2']);
    expect(readdirSync(root).filter((f) => f.startsWith('.existing'))).toEqual([]);
  });

  it('keeps the old directory intact when an overwrite build fails', async () => {
    const dir = join(root, 'keep-old');
    await writeDirAtomic(dir, (tmp) => writeFileSync(join(tmp, 'old'), 'o'));
    await expect(writeDirAtomic(dir, () => { throw new Error('boom'); }, { overwrite: true })).rejects.toThrow('boom');
    expect(readdirSync(dir)).toEqual(['old']);
    expect(readdirSync(root).filter((f) => f.startsWith('.keep-old'))).toEqual([]);
  });
});
