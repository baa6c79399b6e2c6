/**
 * NumPy .npy / .npz reader and writer (format: numpy's "NEP 1" / the
 * `numpy.lib.format` docstring): magic `\x93NUMPY`, a version byte pair,
 * a little-endian header length (u16 for 1.0, u32 for 2.0 and 3.0), a Python
 * dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`
 * padded with spaces and a newline to a multiple of 64 bytes, then the data.
 *
 * Hand-written (npyjs neither reorders Fortran data nor reports errors in a
 * form we can type) so that every malformed input becomes a FormatError.
 * Fortran-order files are reordered to C order on read; big-endian data is
 * byte-swapped. An .npz is a zip of `name.npy` entries (fflate).
 */

import { unzipSync, zipSync, type Zippable } from 'fflate';
import { FormatError, OptionError, ShapeError } from '../errors.js';
import { float16ToFloat32, float32ToFloat16 } from './half-float.js';
import { copyBytes } from './safetensors.js';

/** Supported element types (numpy descr without the byte-order character). */
export type NpyDType = 'f2' | 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

export type NpyData =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

/**
 * An array. `data` is always in C (row-major) order. On read: f2 -> Float32Array
 * (exact widening), f4 Float32Array, f8 Float64Array, i8 BigInt64Array, u8
 * BigUint64Array, b1 Uint8Array (0/1), others their typed array. On write,
 * f2 also takes raw Uint16Array bits, and any numeric dtype takes plain arrays.
 * `fortranOrder: true` on write stores the data in Fortran order (the data you
 * pass is still C order); reads always return C order and `fortranOrder: false`.
 */
export interface NpyArray {
  dtype: NpyDType;
  shape: number[];
  data: NpyData;
  fortranOrder?: boolean;
}

/** What writeNpy accepts. */
export interface NpyInput {
  dtype: NpyDType;
  shape: readonly number[];
  data: NpyData | ArrayLike<number> | ArrayLike<bigint>;
  fortranOrder?: boolean;
}

export interface ReadNpyOptions {
  /** Name for error messages. Default `'<bytes>'`. */
  source?: string;
  /** Largest header accepted. Default 1 MiB. */
  maxHeaderBytes?: number;
}

const SIZE: Record<NpyDType, number> = {
  f2: 2, f4: 4, f8: 8, i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, u2: 2, u4: 4, u8: 8, b1: 1,
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_DEPTH = 16;

// ---------------------------------------------------------------------------
// The header: a Python literal, parsed by a small bounded-depth parser.
// ---------------------------------------------------------------------------

class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

type PyValue = string | number | boolean | null | PyValue[] | PyTuple | { [key: string]: PyValue };

class LiteralParser {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly fail: (reason: string) => never,
  ) {}

  parseAll(): PyValue {
    const v = this.value(0);
    this.ws();
    if (this.i !== this.text.length) this.fail(`unexpected ${JSON.stringify(this.text[this.i])} after the header dict`);
    return v;
  }

  private ws(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i++;
  }

  private value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail('header nests too deeply');
    this.ws();
    const c = this.text[this.i];
    if (c === undefined) this.fail('header ends unexpectedly');
    if (c === '{') return this.dict(depth);
    if (c === '(' || c === '[') return this.sequence(depth, c === '(' ? ')' : ']');
    if (c === "'" || c === '"') return this.string();
    const m = /^(True|False|None|-?\d+L?)/.exec(this.text.slice(this.i, this.i + 32));
    if (!m) this.fail(`unexpected ${JSON.stringify(c)} in header`);
    this.i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace('L', ''));
  }

  private string(): string {
    const quote = this.text[this.i++];
    let out = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i++];
      if (c === quote) return out;
      if (c === '\\') {
        if (this.i >= this.text.length) break;
        out += this.text[this.i++];
      } else {
        out += c;
      }
    }
    return this.fail('unterminated string in header');
  }

  private sequence(depth: number, close: string): PyValue {
    this.i++;
    const items: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.text[this.i] === close) {
        this.i++;
        return close === ')' ? new PyTuple(items) : items;
      }
      items.push(this.value(depth + 1));
      this.ws();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== close) this.fail(`expected ',' or '${close}' in header`);
    }
  }

  private dict(depth: number): PyValue {
    this.i++;
    const out: { [key: string]: PyValue } = {};
    for (;;) {
      this.ws();
      if (this.text[this.i] === '}') {
        this.i++;
        return out;
      }
      const key = this.value(depth + 1);
      if (typeof key !== 'string') this.fail('header dict key is not a string');
      this.ws();
      if (this.text[this.i] !== ':') this.fail("expected ':' in header dict");
      this.i++;
      if (Object.prototype.hasOwnProperty.call(out, key)) this.fail(`duplicate key ${JSON.stringify(key)} in header`);
      Object.defineProperty(out, key, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
      this.ws();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== '}') this.fail("expected ',' or '}' in header dict");
    }
  }
}

interface NpyHeader {
  dtype: NpyDType;
  bigEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  numel: number;
  dataStart: number;
}

function parseNpyHeader(bytes: Uint8Array, source: string, maxHeaderBytes: number): NpyHeader {
  const fail = (reason: string): never => {
    throw new FormatError(source, reason);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (missing \\x93NUMPY magic)');
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3) fail(`unsupported .npy version ${major}.${minor}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else {
    if (bytes.length < 12) fail('file too short for a version 2/3 header length');
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  }
  if (headerLength > maxHeaderBytes) fail(`header length ${headerLength} is over the limit of ${maxHeaderBytes} bytes`);
  if (headerStart + headerLength > bytes.length) {
    fail(`header length ${headerLength} is longer than the file (${bytes.length} bytes)`);
  }
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(
      bytes.subarray(headerStart, headerStart + headerLength),
    );
  } catch {
    return fail('header is not valid UTF-8');
  }
  const dict = new LiteralParser(text, fail).parseAll();
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict) || dict instanceof PyTuple) fail('header is not a dict');
  const d = dict as { [key: string]: PyValue };
  const keys = Object.keys(d).sort().join(',');
  if (keys !== 'descr,fortran_order,shape') {
    fail(`header keys are {${Object.keys(d).join(', ')}}, expected descr, fortran_order and shape`);
  }
  const descr = d.descr;
  if (typeof descr !== 'string') return fail('structured (record) dtypes are not supported');
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  const dtype = m ? (`${m[2]}${m[3]}` as NpyDType) : undefined;
  if (!m || !dtype || !Object.prototype.hasOwnProperty.call(SIZE, dtype)) {
    return fail(`unsupported dtype ${JSON.stringify(descr)} (supported: ${Object.keys(SIZE).join(', ')})`);
  }
  if (m[1] === '|' && SIZE[dtype] !== 1) fail(`dtype ${JSON.stringify(descr)} needs a byte order`);
  if (typeof d.fortran_order !== 'boolean') fail('fortran_order is not True or False');
  const shapeValue = d.shape;
  if (!(shapeValue instanceof PyTuple)) return fail('shape is not a tuple');
  let numel = 1;
  const shape: number[] = [];
  for (const s of shapeValue.items) {
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) fail(`bad shape entry ${JSON.stringify(s)}`);
    shape.push(s as number);
    numel *= s as number;
  }
  const nbytes = numel * SIZE[dtype];
  if (!Number.isSafeInteger(nbytes)) fail(`shape (${shape.join(', ')}) is too large`);
  const dataStart = headerStart + headerLength;
  const available = bytes.length - dataStart;
  if (available < nbytes) {
    fail(`data is truncated: ${dtype} with shape (${shape.join(', ')}) needs ${nbytes} bytes, file has ${available}`);
  }
  if (available > nbytes) fail(`${available - nbytes} unexpected bytes after the data`);
  return { dtype, bigEndian: m[1] === '>', fortranOrder: d.fortran_order as boolean, shape, numel, dataStart };
}

// ---------------------------------------------------------------------------
// Element-order helpers (work on raw element bits, never on values).
// ---------------------------------------------------------------------------

type RawArray = Uint8Array | Uint16Array | Uint32Array | BigUint64Array;

function rawView(buffer: ArrayBuffer, size: number, n: number): RawArray {
  if (size === 1) return new Uint8Array(buffer, 0, n);
  if (size === 2) return new Uint16Array(buffer, 0, n);
  if (size === 4) return new Uint32Array(buffer, 0, n);
  return new BigUint64Array(buffer, 0, n);
}

/**
 * Permutes elements between C and Fortran order. `toC` true: `src` is Fortran
 * order, the result is C order; false: the reverse.
 */
function reorder(src: RawArray, shape: readonly number[], toC: boolean): RawArray {
  const n = src.length;
  const ndim = shape.length;
  const out = new (src.constructor as { new (n: number): RawArray })(n);
  if (n === 0 || ndim <= 1) {
    out.set(src as never);
    return out;
  }
  // Fortran strides (in elements): first axis fastest.
  const fstride = new Array<number>(ndim);
  fstride[0] = 1;
  for (let k = 1; k < ndim; k++) fstride[k] = fstride[k - 1] * shape[k - 1];
  const idx = new Array<number>(ndim).fill(0);
  let f = 0; // Fortran linear index of the current C-order position
  for (let c = 0; c < n; c++) {
    if (toC) out[c] = src[f] as never;
    else out[f] = src[c] as never;
    // Advance the C-order odometer (last axis fastest).
    for (let k = ndim - 1; k >= 0; k--) {
      idx[k]++;
      f += fstride[k];
      if (idx[k] < shape[k]) break;
      f -= fstride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

function byteswap(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function typedFromRaw(dtype: NpyDType, buffer: ArrayBuffer, n: number): NpyData {
  switch (dtype) {
    case 'f2': return float16ToFloat32(new Uint16Array(buffer, 0, n));
    case 'f4': return new Float32Array(buffer, 0, n);
    case 'f8': return new Float64Array(buffer, 0, n);
    case 'i1': return new Int8Array(buffer, 0, n);
    case 'i2': return new Int16Array(buffer, 0, n);
    case 'i4': return new Int32Array(buffer, 0, n);
    case 'i8': return new BigInt64Array(buffer, 0, n);
    case 'u1': case 'b1': return new Uint8Array(buffer, 0, n);
    case 'u2': return new Uint16Array(buffer, 0, n);
    case 'u4': return new Uint32Array(buffer, 0, n);
    case 'u8': return new BigUint64Array(buffer, 0, n);
  }
}

/**
 * Parses a .npy file (versions 1.0, 2.0, 3.0; little- or big-endian; C or
 * Fortran order, returned in C order). Throws FormatError on malformed input.
 */
export function readNpy(bytes: Uint8Array, options: ReadNpyOptions = {}): NpyArray {
  const source = options.source ?? '<bytes>';
  const h = parseNpyHeader(bytes, source, options.maxHeaderBytes ?? 1 << 20);
  const size = SIZE[h.dtype];
  const raw = copyBytes(bytes, h.dataStart, h.dataStart + h.numel * size); // fresh and aligned, even from a Buffer
  if (h.bigEndian) byteswap(raw, size);
  let buffer = raw.buffer;
  if (h.fortranOrder) buffer = reorder(rawView(buffer, size, h.numel), h.shape, true).buffer as ArrayBuffer;
  return { dtype: h.dtype, shape: h.shape, data: typedFromRaw(h.dtype, buffer, h.numel), fortranOrder: false };
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

function descrOf(dtype: NpyDType): string {
  return `${SIZE[dtype] === 1 ? '|' : '<'}${dtype}`;
}

function encodeData(arr: NpyInput, numel: number, where: string): Uint8Array {
  const { dtype, data } = arr;
  const length = (data as ArrayLike<unknown>).length;
  if (length !== numel) throw new ShapeError(where, `(${arr.shape.join(', ')}) (${numel} elements of ${dtype})`, `data of length ${length}`);
  let typed: ArrayBufferView;
  switch (dtype) {
    case 'f2':
      typed = data instanceof Uint16Array ? data : float32ToFloat16(data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>));
      break;
    case 'i8':
    case 'u8': {
      const Ctor = dtype === 'i8' ? BigInt64Array : BigUint64Array;
      if (data instanceof Ctor) {
        typed = data;
      } else {
        const out = new Ctor(numel);
        try {
          for (let i = 0; i < numel; i++) {
            const v = (data as ArrayLike<number | bigint>)[i];
            out[i] = typeof v === 'bigint' ? v : BigInt(v);
          }
        } catch {
          throw new OptionError(`${where}.data`, `integers for ${dtype}`, 'non-integer values');
        }
        typed = out;
      }
      break;
    }
    default: {
      const Ctor = ({ f4: Float32Array, f8: Float64Array, i1: Int8Array, i2: Int16Array, i4: Int32Array, u1: Uint8Array, u2: Uint16Array, u4: Uint32Array, b1: Uint8Array } as const)[dtype];
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
        throw new OptionError(`${where}.data`, `numbers for ${dtype}`, 'bigint values');
      }
      typed = data instanceof Ctor ? data : Ctor.from(data as ArrayLike<number>);
      if (dtype === 'b1') typed = Uint8Array.from(typed as Uint8Array, (v) => (v ? 1 : 0));
    }
  }
  const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  if (!arr.fortranOrder || arr.shape.length <= 1) return bytes;
  const copy = copyBytes(bytes, 0, bytes.length);
  return new Uint8Array(reorder(rawView(copy.buffer, SIZE[dtype], numel), arr.shape, false).buffer as ArrayBuffer);
}

/**
 * Serialises an array to .npy bytes (version 1.0, or 2.0 when the header does
 * not fit in 64 KiB). `data` is in C order; `fortranOrder: true` stores it
 * transposed with `'fortran_order': True`.
 */
export function writeNpy(arr: NpyInput, name = 'array'): Uint8Array {
  if (arr === null || typeof arr !== 'object') throw new OptionError(name, '{dtype, shape, data}', arr);
  if (!Object.prototype.hasOwnProperty.call(SIZE, arr.dtype)) {
    throw new OptionError(`${name}.dtype`, `one of ${Object.keys(SIZE).join(', ')}`, arr.dtype);
  }
  if (!Array.isArray(arr.shape) || !arr.shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw new OptionError(`${name}.shape`, 'an array of non-negative integers', arr.shape);
  }
  const numel = arr.shape.reduce((a, b) => a * b, 1);
  const data = encodeData(arr, numel, name);
  const shapeText = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  const dict = `{'descr': '${descrOf(arr.dtype)}', 'fortran_order': ${arr.fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  let version = 1;
  let prefixLength = 10;
  let total = Math.ceil((prefixLength + dict.length + 1) / 64) * 64;
  if (total - prefixLength > 0xffff) {
    version = 2;
    prefixLength = 12;
    total = Math.ceil((prefixLength + dict.length + 1) / 64) * 64;
  }
  const headerLength = total - prefixLength;
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  for (let i = 0; i < dict.length; i++) out[prefixLength + i] = dict.charCodeAt(i);
  out.fill(0x20, prefixLength + dict.length, total - 1);
  out[total - 1] = 0x0a;
  out.set(data, total);
  return out;
}

export interface ReadNpzOptions extends ReadNpyOptions {
  /** Most bytes the archive's entries may declare in total once inflated (default 1 GiB): a zip bomb stops here. */
  maxDecompressedBytes?: number;
}

/** Default cap on an .npz archive's inflated size. */
export const DEFAULT_MAX_NPZ_BYTES = 1 << 30;

/**
 * Reads an .npz archive (stored or deflated) into arrays keyed by entry name
 * without the `.npy` suffix. Non-.npy entries are an error. Throws FormatError.
 */
export function readNpz(bytes: Uint8Array, options: ReadNpzOptions = {}): Record<string, NpyArray> {
  const source = options.source ?? '<bytes>';
  const cap = options.maxDecompressedBytes ?? DEFAULT_MAX_NPZ_BYTES;
  let files: Record<string, Uint8Array>;
  let declared = 0;
  const seen = new Set<string>();
  try {
    // fflate inflates each entry into a buffer of its declared size, so checking the declarations
    // (total, and deflate's best ratio of about 1032:1) bounds the memory a crafted archive can take.
    files = unzipSync(bytes, {
      filter(file) {
        if (seen.has(file.name)) throw new FormatError(source, 'duplicate entry name', file.name);
        seen.add(file.name);
        declared += file.originalSize;
        if (declared > cap) throw new FormatError(source, `entries declare more than the limit of ${cap} bytes inflated`, file.name);
        if (file.compression !== 0 && file.originalSize > file.size * 1032 + 64) {
          throw new FormatError(source, `entry declares ${file.originalSize} bytes from ${file.size} compressed (more than deflate can produce)`, file.name);
        }
        return true;
      },
    });
  } catch (err) {
    if (FormatError.isInstance(err)) throw err;
    throw new FormatError(source, `not a valid zip archive (${(err as Error).message})`);
  }
  const out: Record<string, NpyArray> = {};
  for (const [entry, content] of Object.entries(files)) {
    if (entry.endsWith('/')) continue; // directory entry
    if (!entry.endsWith('.npy')) throw new FormatError(source, `entry ${JSON.stringify(entry)} is not a .npy file`);
    const key = entry.slice(0, -4);
    const arr = readNpy(content, { ...options, source: `${source}[${entry}]` });
    Object.defineProperty(out, key, { value: arr, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export interface WriteNpzOptions {
  /** Deflate the entries, like `np.savez_compressed`. Default false (stored, like `np.savez`). */
  compress?: boolean;
}

/** Writes arrays to an .npz archive (entry `name.npy` per key). Deterministic bytes (fixed timestamps). */
export function writeNpz(arrays: Record<string, NpyInput>, options: WriteNpzOptions = {}): Uint8Array {
  const entries: Zippable = {};
  const level = options.compress ? 6 : 0;
  for (const [name, arr] of Object.entries(arrays)) {
    entries[`${name}.npy`] = [writeNpy(arr, name), { level, mtime: new Date(1980, 0, 1, 0, 0, 0) }];
  }
  return zipSync(entries, { level });
}
