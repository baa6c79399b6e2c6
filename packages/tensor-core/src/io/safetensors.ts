/**
 * safetensors reader and writer (format: huggingface/safetensors README).
 *
 * Layout: an unsigned 64-bit little-endian N, then N bytes of UTF-8 JSON, then
 * the data buffer. The JSON maps each tensor name to
 * `{"dtype", "shape", "data_offsets": [begin, end)}` (offsets relative to the
 * buffer) plus an optional `"__metadata__"` string -> string map. Data is
 * little-endian, row-major and packed.
 *
 * The header parser here is the single validator shared by the eager reader
 * and the lazy (positioned-read) reader in `safetensors-lazy.ts`, so both
 * reject exactly the same files: header longer than the file or over the
 * limit, header not starting with `{` or not JSON, duplicate keys, unknown
 * dtypes, bad shapes, a byte range that does not match numel x dtype size,
 * overlapping ranges, holes, ranges past the end, non-string metadata.
 *
 * The writer lays tensors out like the reference library: by descending dtype
 * alignment, then by name, so every tensor starts at a multiple of its element
 * size (the header is space-padded to a multiple of 8 bytes).
 */

import { FormatError, OptionError, ShapeError } from '../errors.js';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './half-float.js';

/** Every dtype the format defines (F8 types are carried as raw bytes). */
export const SAFETENSORS_DTYPES = [
  'F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'F8_E4M3', 'F8_E5M2', 'U16', 'U32', 'U64',
] as const;

export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

/** The typed array a tensor's data is decoded into (see `readSafetensors`). */
export type SafetensorsData =
  | Float64Array | Float32Array | BigInt64Array | BigUint64Array | Int32Array | Uint32Array
  | Int16Array | Uint16Array | Int8Array | Uint8Array;

/**
 * One tensor. On read, `data` is: Float64Array (F64), Float32Array (F32, F16,
 * BF16), BigInt64Array (I64), BigUint64Array (U64), Int32Array, Uint32Array,
 * Int16Array, Uint16Array, Int8Array, Uint8Array (U8, BOOL, F8_E4M3, F8_E5M2
 * as raw bytes). On write, also accepted: a Uint16Array of raw bits for F16 /
 * BF16 (bit-exact), a Uint8Array holding the raw little-endian bytes of any
 * dtype, and plain number arrays for numeric dtypes (see TensorInput).
 */
export interface SafetensorsTensor {
  dtype: SafetensorsDType;
  shape: number[];
  data: SafetensorsData;
}

/** What the writers accept for one tensor: a SafetensorsTensor, or plain arrays of numbers / bigints. */
export interface TensorInput {
  dtype: SafetensorsDType;
  shape: readonly number[];
  data: SafetensorsData | ArrayLike<number> | ArrayLike<bigint>;
}

/** Tensors by name, as the writers take them. */
export type TensorMap = Record<string, TensorInput>;

/** A decoded safetensors file. */
export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Record<string, SafetensorsTensor>;
}

export interface ReadSafetensorsOptions {
  /** Name used in error messages (a file path). Default `'<bytes>'`. */
  source?: string;
  /** Largest header accepted, in bytes. Default 100 MB, the reference library's limit. */
  maxHeaderBytes?: number;
}

/** Default header limit (100 MB), as in the reference implementation. */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;

const DTYPE_SIZE: Record<SafetensorsDType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1, U16: 2, U32: 4, U64: 8,
};

/** Rank used for layout: the reference library's dtype order (increasing alignment). */
const DTYPE_RANK: Record<SafetensorsDType, number> = {
  BOOL: 0, U8: 1, I8: 2, F8_E5M2: 3, F8_E4M3: 4, I16: 5, U16: 6, F16: 7, BF16: 8,
  I32: 9, U32: 10, F32: 11, F64: 12, I64: 13, U64: 14,
};

/** Bytes per element of a dtype. */
export function dtypeSize(dtype: SafetensorsDType): number {
  return DTYPE_SIZE[dtype];
}

export function isSafetensorsDType(value: unknown): value is SafetensorsDType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZE, value);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function assertLittleEndianHost(): void {
  if (!LITTLE_ENDIAN) throw new Error('safetensors I/O needs a little-endian host');
}

// ---------------------------------------------------------------------------
// Header parsing (shared by the eager and the lazy reader)
// ---------------------------------------------------------------------------

/** One tensor's entry in a validated header. `begin`/`end` are relative to the data buffer. */
export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  numel: number;
  begin: number;
  end: number;
}

/** A validated header: entries in data order (by offset). */
export interface ParsedHeader {
  metadata: Record<string, string>;
  entries: HeaderEntry[];
  byName: Map<string, HeaderEntry>;
  /** Absolute file offset of the data buffer (8 + N). */
  dataStart: number;
}

/**
 * Reads N from the first 8 bytes and checks it against the limit and the file
 * size. Returns N.
 */
export function readHeaderLength(
  prefix: Uint8Array,
  fileSize: number,
  source: string,
  maxHeaderBytes: number = DEFAULT_MAX_HEADER_BYTES,
): number {
  if (prefix.length < 8 || fileSize < 8) {
    throw new FormatError(source, `file is ${fileSize} bytes, too short for the 8-byte header length`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // exact below 2^53; beyond that it is over any limit anyway
  if (n > maxHeaderBytes) {
    throw new FormatError(source, `header length ${n} is over the limit of ${maxHeaderBytes} bytes`);
  }
  if (8 + n > fileSize) {
    throw new FormatError(source, `header length ${n} is longer than the file (${fileSize} bytes)`);
  }
  return n;
}

/**
 * Parses and validates the header JSON (`headerBytes` = the N bytes after the
 * length). `fileSize` is the whole file's size, used to check that the data
 * ranges tile the buffer exactly.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, source: string): ParsedHeader {
  const n = headerBytes.length;
  const dataStart = 8 + n;
  const dataLength = fileSize - dataStart;
  if (n === 0 || headerBytes[0] !== 0x7b /* { */) {
    throw new FormatError(source, "header does not start with '{'");
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new FormatError(source, 'header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FormatError(source, `header is not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new FormatError(source, 'header is not a JSON object');
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new FormatError(source, `duplicate key ${JSON.stringify(duplicate)} in header`);
  }

  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  const byName = new Map<string, HeaderEntry>();
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null) continue;
      if (typeof raw !== 'object' || Array.isArray(raw)) {
        throw new FormatError(source, '__metadata__ is not an object of strings');
      }
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof value !== 'string') {
          throw new FormatError(source, `metadata value for ${JSON.stringify(key)} is not a string`);
        }
        defineEntry(metadata, key, value);
      }
      continue;
    }
    const entry = parseEntry(name, raw, dataLength, source);
    entries.push(entry);
    byName.set(name, entry);
  }

  // The ranges must tile [0, dataLength) exactly: sorted by offset, each begins where the last ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: HeaderEntry | undefined;
  for (const e of entries) {
    if (e.begin < cursor) {
      throw new FormatError(
        source,
        `data_offsets [${e.begin}, ${e.end}] overlap ${previous ? JSON.stringify(previous.name) : 'the previous tensor'} (ends at ${cursor})`,
        `tensor ${JSON.stringify(e.name)}`,
      );
    }
    if (e.begin > cursor) {
      throw new FormatError(
        source,
        `hole of ${e.begin - cursor} bytes in the data before this tensor (data_offsets [${e.begin}, ${e.end}], expected begin ${cursor})`,
        `tensor ${JSON.stringify(e.name)}`,
      );
    }
    cursor = e.end;
    previous = e;
  }
  if (cursor !== dataLength) {
    throw new FormatError(source, `${dataLength - cursor} bytes after the last tensor are not covered by any tensor (hole at the end)`);
  }
  return { metadata, entries, byName, dataStart };
}

function parseEntry(name: string, raw: unknown, dataLength: number, source: string): HeaderEntry {
  const where = `tensor ${JSON.stringify(name)}`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FormatError(source, 'entry is not an object with dtype, shape and data_offsets', where);
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  for (const [field, value] of [['dtype', dtype], ['shape', shape], ['data_offsets', offsets]] as const) {
    if (value === undefined) throw new FormatError(source, `entry has no ${field}`, where);
  }
  if (!isSafetensorsDType(dtype)) {
    throw new FormatError(source, `unknown dtype ${JSON.stringify(dtype)} (expected one of ${SAFETENSORS_DTYPES.join(', ')})`, where);
  }
  if (!Array.isArray(shape)) throw new FormatError(source, 'shape is not an array', where);
  let numel = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new FormatError(source, `bad shape entry ${JSON.stringify(d)} in [${shape.map((s) => JSON.stringify(s)).join(', ')}] (expected non-negative integers)`, where);
    }
    numel *= d;
  }
  const nbytes = numel * DTYPE_SIZE[dtype];
  if (!Number.isSafeInteger(nbytes)) {
    throw new FormatError(source, `shape [${shape.join(', ')}] is too large`, where);
  }
  if (
    !Array.isArray(offsets) || offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    throw new FormatError(source, `data_offsets ${safeJson(offsets)} is not a pair of non-negative integers`, where);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new FormatError(source, `data_offsets [${begin}, ${end}] end before they begin`, where);
  if (end - begin !== nbytes) {
    throw new FormatError(
      source,
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtype} with shape [${shape.join(', ')}] needs ${nbytes}`,
      where,
    );
  }
  if (end > dataLength) {
    throw new FormatError(source, `data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes)`, where);
  }
  return { name, dtype, shape: shape.slice() as number[], numel, begin, end };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Assigns without invoking setters (a tensor may be named `__proto__`). */
function defineEntry<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Finds a key that appears twice in one JSON object of already-valid JSON
 * text. JSON.parse silently keeps the last duplicate, the reference library
 * rejects the file, so we scan. Iterative (no recursion), linear time.
 */
export function findDuplicateKey(text: string): string | undefined {
  const stack: Array<{ keys: Set<string> | null; expectKey: boolean }> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j++;
        } else if (d === 0x22) {
          break;
        }
      }
      const top = stack[stack.length - 1];
      if (top && top.keys && top.expectKey) {
        const raw = text.slice(i, j + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: new Set(), expectKey: true });
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: null, expectKey: false });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top && top.keys) top.expectKey = true;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/**
 * Copies `src[start, end)` into a fresh, 8-byte-aligned buffer. (Not
 * `src.slice`: on a Node Buffer that returns an unaligned view that aliases
 * the input.)
 */
export function copyBytes(src: Uint8Array, start: number, end: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(end - start);
  out.set(src.subarray(start, end));
  return out;
}

/**
 * Decodes one tensor's bytes into its typed array. `owned` must be a fresh
 * buffer (byteOffset 0) that the caller hands over: F32/F64/ints are then
 * zero-copy views on it.
 */
export function decodeTensorBytes(dtype: SafetensorsDType, owned: Uint8Array): SafetensorsData {
  assertLittleEndianHost();
  const bytes = owned.byteOffset % 8 === 0 ? owned : copyBytes(owned, 0, owned.length);
  const { buffer, byteOffset } = bytes;
  const n = bytes.byteLength / DTYPE_SIZE[dtype];
  switch (dtype) {
    case 'F64': return new Float64Array(buffer, byteOffset, n);
    case 'F32': return new Float32Array(buffer, byteOffset, n);
    case 'F16': return float16ToFloat32(new Uint16Array(buffer, byteOffset, n));
    case 'BF16': return bfloat16ToFloat32(new Uint16Array(buffer, byteOffset, n));
    case 'I64': return new BigInt64Array(buffer, byteOffset, n);
    case 'U64': return new BigUint64Array(buffer, byteOffset, n);
    case 'I32': return new Int32Array(buffer, byteOffset, n);
    case 'U32': return new Uint32Array(buffer, byteOffset, n);
    case 'I16': return new Int16Array(buffer, byteOffset, n);
    case 'U16': return new Uint16Array(buffer, byteOffset, n);
    case 'I8': return new Int8Array(buffer, byteOffset, n);
    case 'U8': case 'BOOL': case 'F8_E4M3': case 'F8_E5M2':
      return new Uint8Array(buffer, byteOffset, n);
  }
}

/**
 * Parses a whole safetensors file held in memory. F16/BF16 come back as
 * Float32Array (exact widening), I64/U64 as BigInt64Array/BigUint64Array,
 * BOOL and F8 types as raw Uint8Array. The returned arrays own their memory
 * (they do not alias `bytes`). Throws FormatError on any malformed input.
 */
export function readSafetensors(bytes: Uint8Array, options: ReadSafetensorsOptions = {}): SafetensorsFile {
  const source = options.source ?? '<bytes>';
  const n = readHeaderLength(bytes.subarray(0, 8), bytes.length, source, options.maxHeaderBytes);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + n), bytes.length, source);
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const e of header.entries) {
    const data = decodeTensorBytes(e.dtype, copyBytes(bytes, header.dataStart + e.begin, header.dataStart + e.end));
    defineEntry(tensors, e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { metadata: header.metadata, tensors };
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/** Number of elements of a shape (after validating it). */
export function shapeNumel(shape: readonly number[], name: string): number {
  if (!Array.isArray(shape)) throw new OptionError(`tensors[${JSON.stringify(name)}].shape`, 'an array of non-negative integers', shape);
  let numel = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new OptionError(`tensors[${JSON.stringify(name)}].shape`, 'an array of non-negative integers', shape);
    }
    numel *= d;
  }
  return numel;
}

function asBytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Encodes one tensor's data as little-endian bytes for its dtype. Checks that
 * the data length matches the shape. May return a view on the caller's memory.
 */
export function encodeTensorBytes(name: string, tensor: TensorInput): Uint8Array {
  assertLittleEndianHost();
  const { dtype, data } = tensor;
  if (!isSafetensorsDType(dtype)) {
    throw new OptionError(`tensors[${JSON.stringify(name)}].dtype`, `one of ${SAFETENSORS_DTYPES.join(', ')}`, dtype);
  }
  const numel = shapeNumel(tensor.shape, name);
  const size = DTYPE_SIZE[dtype];
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<unknown>).length !== 'number') {
    throw new OptionError(`tensors[${JSON.stringify(name)}].data`, 'a typed array or array', data);
  }
  // Raw little-endian bytes of any dtype.
  if (data instanceof Uint8Array && data.length === numel * size) {
    return data;
  }
  const length = (data as ArrayLike<unknown>).length;
  if (length !== numel) {
    throw new ShapeError(name, `[${tensor.shape.join(', ')}] (${numel} elements of ${dtype})`, `data of length ${length}`);
  }
  switch (dtype) {
    case 'F16':
    case 'BF16': {
      if (data instanceof Uint16Array) return asBytes(data); // raw bits, bit-exact
      const f32 = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
      return asBytes(dtype === 'F16' ? float32ToFloat16(f32) : float32ToBfloat16(f32));
    }
    case 'I64':
    case 'U64': {
      const Ctor = dtype === 'I64' ? BigInt64Array : BigUint64Array;
      if (data instanceof Ctor) return asBytes(data);
      const out = new Ctor(numel);
      try {
        for (let i = 0; i < numel; i++) {
          const v = (data as ArrayLike<number | bigint>)[i];
          out[i] = typeof v === 'bigint' ? v : BigInt(v);
        }
      } catch {
        throw new OptionError(`tensors[${JSON.stringify(name)}].data`, `integers for ${dtype}`, `${data.constructor?.name ?? 'array'} with non-integer values`);
      }
      return asBytes(out);
    }
    default: {
      const Ctor = TYPED_CTOR[dtype];
      if (data instanceof Ctor) return asBytes(data as ArrayBufferView);
      if (hasBigInts(data)) {
        throw new OptionError(`tensors[${JSON.stringify(name)}].data`, `numbers for ${dtype}`, 'bigint values');
      }
      return asBytes(Ctor.from(data as ArrayLike<number>));
    }
  }
}

function hasBigInts(data: unknown): boolean {
  return data instanceof BigInt64Array || data instanceof BigUint64Array ||
    (Array.isArray(data) && data.some((v) => typeof v === 'bigint'));
}

type NumberArrayCtor = {
  new (n: number): ArrayBufferView & ArrayLike<number>;
  from(src: ArrayLike<number>): ArrayBufferView & ArrayLike<number>;
};

const TYPED_CTOR: Record<Exclude<SafetensorsDType, 'F16' | 'BF16' | 'I64' | 'U64'>, NumberArrayCtor> = {
  F64: Float64Array, F32: Float32Array, I32: Int32Array, U32: Uint32Array, I16: Int16Array,
  U16: Uint16Array, I8: Int8Array, U8: Uint8Array, BOOL: Uint8Array, F8_E4M3: Uint8Array, F8_E5M2: Uint8Array,
};

/** A tensor ready to be laid out: its header fields and its encoded bytes. */
export interface EncodedTensor {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  bytes: Uint8Array;
}

/** Encodes a named tensor (validating name, dtype, shape and data). */
export function encodeTensor(name: string, tensor: TensorInput): EncodedTensor {
  if (typeof name !== 'string') throw new OptionError('tensor name', 'a string', name);
  if (name === '__metadata__') throw new OptionError('tensor name', 'any name but "__metadata__" (reserved)', name);
  if (tensor === null || typeof tensor !== 'object') {
    throw new OptionError(`tensors[${JSON.stringify(name)}]`, '{dtype, shape, data}', tensor);
  }
  const bytes = encodeTensorBytes(name, tensor);
  return { name, dtype: tensor.dtype, shape: Array.from(tensor.shape), bytes };
}

const utf8 = new TextEncoder();

function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function checkMetadata(metadata: Record<string, string> | undefined): void {
  if (metadata === undefined) return;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new OptionError('metadata', 'an object of strings', metadata);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new OptionError(`metadata[${JSON.stringify(key)}]`, 'a string', value);
  }
}

/**
 * Orders tensors as the reference writer does (descending dtype alignment,
 * then name by UTF-8 bytes) and builds the 8-byte length + padded header.
 * Returns the prefix (length + header) and the tensors in data order.
 */
export function layoutSafetensors(
  tensors: EncodedTensor[],
  metadata?: Record<string, string>,
): { prefix: Uint8Array; ordered: EncodedTensor[]; dataLength: number } {
  checkMetadata(metadata);
  const ordered = tensors.slice().sort((a, b) => DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype] || compareUtf8(a.name, b.name));
  const parts: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  const seen = new Set<string>();
  for (const t of ordered) {
    if (seen.has(t.name)) throw new OptionError('tensor names', 'unique names', t.name);
    seen.add(t.name);
    const end = offset + t.bytes.byteLength;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":${JSON.stringify(t.dtype)},"shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = utf8.encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const prefix = new Uint8Array(8 + padded);
  const view = new DataView(prefix.buffer);
  view.setUint32(0, padded % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  prefix.set(json, 8);
  prefix.fill(0x20, 8 + json.length);
  return { prefix, ordered, dataLength: offset };
}

/**
 * Serialises tensors (and optional string metadata) to safetensors bytes.
 * F16/BF16 are rounded from Float32Array to nearest even (or taken as raw
 * Uint16Array bits); see `SafetensorsTensor` for the accepted data types.
 * Bad input throws OptionError / ShapeError naming the tensor.
 */
export function writeSafetensors(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') throw new OptionError('tensors', 'an object of {dtype, shape, data}', tensors);
  const encoded = Object.entries(tensors).map(([name, t]) => encodeTensor(name, t));
  const { prefix, ordered, dataLength } = layoutSafetensors(encoded, metadata);
  const out = new Uint8Array(prefix.length + dataLength);
  out.set(prefix, 0);
  let offset = prefix.length;
  for (const t of ordered) {
    out.set(t.bytes, offset);
    offset += t.bytes.byteLength;
  }
  return out;
}
