/**
 * Atomic file and directory writes: readers (and a crash mid-write) see
 * either the old content or the complete new content, never a partial file.
 * Every paperkit writer goes through these (mergekit issue #266: a crash
 * mid-merge left a half-written checkpoint that later loaded as garbage).
 *
 * Files: write a uniquely named temp file in the same directory (same file
 * system, so rename is atomic), optionally fsync, rename over the target.
 * Directories: build everything in a sibling temp directory, then rename it
 * into place. On any failure the temp file / directory is removed.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OptionError, PaperkitError } from '../errors.js';

export interface WriteFileAtomicOptions {
  /** fsync the temp file before the rename (durable across power loss; slower). Default false. */
  fsync?: boolean;
  /** File mode for a new file. Default 0o666 (minus umask). */
  mode?: number;
}

function tempSuffix(): string {
  return `${process.pid}.${randomBytes(6).toString('hex')}`;
}

/**
 * Writes `data` to `path` atomically (temp file in the same directory, then
 * rename). Creates missing parent directories. The temp file is removed if
 * anything fails.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const target = resolve(path);
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(target)}.${tempSuffix()}.tmp`);
  let created = false;
  try {
    const handle = await open(tmp, 'wx', options.mode ?? 0o666);
    created = true;
    try {
      await handle.writeFile(data);
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (err) {
    if (created) await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export interface WriteDirAtomicOptions {
  /** Replace an existing non-empty directory. Default false (refuse). */
  overwrite?: boolean;
}

async function isNonEmptyDir(path: string): Promise<boolean | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!info.isDirectory()) throw new PaperkitError(`${path} exists and is not a directory`);
  return (await readdir(path)).length > 0;
}

/**
 * Builds a directory atomically: `build(tmpDir)` fills a sibling temp
 * directory, which is renamed onto `dir` only when `build` resolves. If
 * `build` throws, the temp directory is removed, `dir` is untouched, and the
 * error is rethrown. An existing empty `dir` is replaced; a non-empty one only
 * with `{overwrite: true}` (the old content is moved aside, the new directory
 * renamed in, then the old content deleted).
 */
export async function writeDirAtomic(
  dir: string,
  build: (tmpDir: string) => Promise<void> | void,
  options: WriteDirAtomicOptions = {},
): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  const refuse = () =>
    new OptionError('overwrite', `true to replace the non-empty directory ${target}`, options.overwrite ?? false);
  if ((await isNonEmptyDir(target)) && !options.overwrite) throw refuse();
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  try {
    await build(tmp);
    const existing = await isNonEmptyDir(target);
    if (existing === false) {
      await rmdir(target);
    } else if (existing === true) {
      if (!options.overwrite) throw refuse();
      const trash = join(parent, `.${basename(target)}.old-${tempSuffix()}`);
      await rename(target, trash);
      try {
        await rename(tmp, target);
      } catch (err) {
        await rename(trash, target).catch(() => undefined);
        throw err;
      }
      await rm(trash, { recursive: true, force: true });
      return;
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}
