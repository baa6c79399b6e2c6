/**
 * A StateStore in a directory (Node only): `<dir>/baldistill-state.json`, replaced atomically on every save
 * (tensor-core's writeFileAtomic: temp file + rename), so a run killed mid-write leaves the previous state.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError, OptionError } from '@paperkit/tensor-core';
import { writeFileAtomic } from '@paperkit/tensor-core/node';
import type { RunState, StateStore } from './run-state.js';

export const STATE_FILE = 'baldistill-state.json';

export function directoryStateStore<I, R, A>(dir: string): StateStore<I, R, A> & { path: string } {
  if (typeof dir !== 'string' || dir === '') throw new OptionError('directoryStateStore.dir', 'a directory path', dir);
  const path = join(dir, STATE_FILE);
  return {
    path,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      let state: RunState<I, R, A>;
      try {
        state = JSON.parse(text) as RunState<I, R, A>;
      } catch (err) {
        throw new FormatError(path, `not valid JSON (${(err as Error).message}); delete it to start over`);
      }
      if (!state || state.version !== 1 || !state.ledger || !Array.isArray(state.kept)) throw new FormatError(path, 'not a baldistill run state (version 1)');
      return state;
    },
    async save(state) {
      await writeFileAtomic(path, JSON.stringify(state));
    },
  };
}
