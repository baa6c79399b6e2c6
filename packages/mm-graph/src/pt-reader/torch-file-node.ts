/** .pt files by path (Node only): the file-handle side of ./torch-file.ts. */
import type { PickleValue } from './pickle.js';
import { fileSource } from './file-source.js';
import { openTorchSource, type ReadTorchOptions, type TorchFile } from './torch-file.js';

/**
 * Open a .pt file: parse the pickle, resolve storages and validate extents; tensor bytes stay on
 * disk until read. Bad zip magic, legacy pickles, non-whitelisted globals, truncated storages and
 * shape/numel mismatches throw FormatError(file, reason, entry).
 */
export function openTorchFile(path: string, options: ReadTorchOptions = {}): Promise<TorchFile> {
  return openTorchSource(() => fileSource(path), path, options);
}

/** Spec §6 `readTorchFile(path)`: the unpickled value; tensors are lazy handles that reopen the file to read. */
export async function readTorchFile(path: string): Promise<PickleValue> {
  return (await openTorchFile(path)).value;
}
