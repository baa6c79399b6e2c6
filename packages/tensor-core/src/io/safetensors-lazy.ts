/**
 * Lazy safetensors reader: parses only the header, then reads each tensor on
 * demand with positioned reads (`fs.readSync` at an offset), so a checkpoint
 * larger than memory can be processed one tensor at a time (moe-merge streams
 * 1 GB tensors this way). Validation is the eager reader's own header parser
 * (`parseSafetensorsHeader`), so both accept and reject exactly the same files.
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FormatError, PaperkitError } from '../errors.js';
import {
  DEFAULT_MAX_HEADER_BYTES, decodeTensorBytes, parseSafetensorsHeader, readHeaderLength,
  type HeaderEntry, type SafetensorsDType, type SafetensorsTensor,
} from './safetensors.js';

/** Where one tensor lives in the file. `offset` is absolute (bytes from the file start). */
export interface SafetensorsTensorInfo {
  dtype: SafetensorsDType;
  shape: number[];
  byteLength: number;
  offset: number;
}

export interface OpenSafetensorsOptions {
  /** Largest header accepted, in bytes. Default 100 MB. */
  maxHeaderBytes?: number;
}

/** Largest single read; fs.readSync cannot take more than 2 GiB at once. */
const MAX_CHUNK = 1 << 30;

/** Reads exactly `length` bytes at `position`, or throws FormatError if the file is shorter. */
function readExactly(fd: number, length: number, position: number, source: string): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, Math.min(MAX_CHUNK, length - done), position + done);
    if (n === 0) throw new FormatError(source, `file ended after ${position + done} bytes while reading ${length} bytes at offset ${position}`);
    done += n;
  }
  return out;
}

/**
 * An open safetensors file. `names` lists tensors in file (offset) order.
 * Call `close()` when done (the file descriptor stays open until then).
 */
export class LazySafetensors {
  readonly names: string[];
  readonly metadata: Record<string, string>;
  private fd: number | null;
  private readonly byName: Map<string, HeaderEntry>;
  private readonly dataStart: number;

  /** Use `openSafetensors(path)`. */
  constructor(
    readonly path: string,
    options: OpenSafetensorsOptions = {},
  ) {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const prefix = size >= 8 ? readExactly(fd, 8, 0, path) : new Uint8Array(0);
      const n = readHeaderLength(prefix, size, path, options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
      const header = parseSafetensorsHeader(readExactly(fd, n, 8, path), size, path);
      this.names = header.entries.map((e) => e.name);
      this.metadata = header.metadata;
      this.byName = header.byName;
      this.dataStart = header.dataStart;
      this.fd = fd;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Whether the file holds a tensor of this name. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Dtype, shape, byte length and absolute offset of a tensor (no data read). */
  info(name: string): SafetensorsTensorInfo {
    const e = this.entry(name);
    return { dtype: e.dtype, shape: e.shape.slice(), byteLength: e.end - e.begin, offset: this.dataStart + e.begin };
  }

  /** Reads and decodes one tensor (same decoding as `readSafetensors`). */
  read(name: string): SafetensorsTensor {
    const e = this.entry(name);
    return { dtype: e.dtype, shape: e.shape.slice(), data: decodeTensorBytes(e.dtype, this.readRaw(name)) };
  }

  /** Reads one tensor's raw little-endian bytes. */
  readRaw(name: string): Uint8Array {
    const e = this.entry(name);
    return readExactly(this.openFd(), e.end - e.begin, this.dataStart + e.begin, this.path);
  }

  /** Closes the file. Further reads throw. Safe to call twice. */
  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
  }

  private entry(name: string): HeaderEntry {
    const e = this.byName.get(name);
    if (!e) throw new FormatError(this.path, `no tensor named ${JSON.stringify(name)} (the file has ${this.byName.size})`);
    return e;
  }

  private openFd(): number {
    if (this.fd === null) throw new PaperkitError(`${this.path}: safetensors file is closed`);
    return this.fd;
  }
}

/**
 * Opens a safetensors file for lazy, tensor-at-a-time reading. Reads and
 * validates only the header; throws FormatError on a malformed file.
 */
export function openSafetensors(path: string, options: OpenSafetensorsOptions = {}): LazySafetensors {
  return new LazySafetensors(path, options);
}
