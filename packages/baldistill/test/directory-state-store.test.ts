import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '@paperkit/tensor-core';
import { runBalDistill } from '../src/index.js';
import { directoryStateStore, STATE_FILE } from '../src/node.js';
import { CountingTeacher, FakeStudent, numberPool } from './helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('directoryStateStore (resumable, atomic)', () => {
  it('a run killed by an abort mid-stage resumes from its directory and pays no answered call twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baldistill-'));
    dirs.push(dir);
    const pool = numberPool([60, 20, 5, 2]);
    const controller = new AbortController();
    const first = new CountingTeacher();
    const killer = { annotate: (ex: Parameters<CountingTeacher['annotate']>[0]) => {
      if (first.annotated.length === 30) controller.abort(new Error('killed'));
      return first.annotate(ex);
    }, synthesize: first.synthesize.bind(first) };
    const opts = { pool, student: new FakeStudent(), budget: 80, stages: 4, policy: 'adaptive' as const, seed: 3, concurrency: 1 };
    await expect(runBalDistill({ ...opts, teacher: killer, store: directoryStateStore(dir), signal: controller.signal })).rejects.toThrow(/killed/);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const second = new CountingTeacher();
    const res = await runBalDistill({ ...opts, teacher: second, store: directoryStateStore(dir) });
    expect(res.resumed).toBe(true);
    expect(second.annotated.filter((id) => first.annotated.includes(id))).toEqual([]);
    const plain = await runBalDistill({ ...opts, teacher: new CountingTeacher() });
    expect(res.ledger.spent).toBe(plain.ledger.spent);
    expect(first.annotated.length + second.annotated.length).toBe(plain.ledger.summary().annotate);
  });

  it('a corrupt state file is a FormatError naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baldistill-'));
    dirs.push(dir);
    await writeFile(join(dir, STATE_FILE), '{"version": 1, "ledger"');
    const err = await runBalDistill({ pool: numberPool([4]), teacher: new CountingTeacher(), student: new FakeStudent(), budget: 4, stages: 2, store: directoryStateStore(dir) }).catch((e) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err.message).toContain(STATE_FILE);
  });
});
