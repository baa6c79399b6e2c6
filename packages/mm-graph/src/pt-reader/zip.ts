/**
 * Minimal zip reader over positioned reads, for `torch.save` archives (spec §2 "JS readability").
 *
 * Only the central directory and the local headers of the entries actually opened are read, so a
 * multi-GB feature file costs a few kilobytes until a tensor's bytes are requested, and a slice of
 * rows costs only those rows. Stored (method 0) entries support ranged reads; deflated entries
 * (never written by torch, but zip tools may recompress) are inflated whole. Zip64 is supported
 * because torch switches to it for archives over 4 GiB.
 */
import { inflateSync } from 'fflate';
import { FormatError } from '@paperkit/tensor-core';

/** Random access to the bytes of one archive: a file on disk or a buffer in memory. */
export interface ByteSource {
  /** Name used in error messages (the file path, or `<bytes>`). */
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes starting at `position` (throws FormatError when the source is shorter). */
  read(position: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** One file inside the archive, as the central directory describes it. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
/** The largest deflated entry inflated in memory (torch stores tensors uncompressed; pickles are small). */
export const MAX_INFLATED_BYTES = 1 << 30;
const LOCAL_SIGNATURE = 0x04034b50;

/** Wrap an in-memory buffer as a ByteSource (tests, archives received over the network). */
export function bytesSource(bytes: Uint8Array, name = '<bytes>'): ByteSource {
  return {
    name,
    size: bytes.length,
    async read(position, length) {
      if (position < 0 || position + length > bytes.length) {
        throw new FormatError(name, `read of ${length} bytes at offset ${position} runs past the end (${bytes.length} bytes); the data is truncated`);
      }
      return bytes.subarray(position, position + length);
    },
    close: async () => {},
  };
}

/** The parsed central directory of an archive plus entry readers. */
export class ZipArchive {
  private readonly dataOffsets = new Map<string, number>();

  private constructor(
    readonly source: ByteSource,
    readonly entries: Map<string, ZipEntry>,
  ) {}

  /** Read the end-of-central-directory record (zip64 aware) and every central header. */
  static async open(source: ByteSource): Promise<ZipArchive> {
    try {
      return await ZipArchive.parseDirectory(source);
    } catch (error) {
      // A length field pointing outside its record (DataView bounds): the directory is malformed.
      if (error instanceof RangeError) throw new FormatError(source.name, `malformed zip directory (${error.message})`);
      throw error;
    }
  }

  private static async parseDirectory(source: ByteSource): Promise<ZipArchive> {
    const name = source.name;
    const magic = await source.read(0, Math.min(4, source.size));
    if (!(magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04)) {
      if (magic[0] === 0x80) {
        throw new FormatError(name, 'legacy (non-zip) torch.save pickle; re-save it with torch>=1.6 (torch.save(obj, path)) to get the zip format');
      }
      throw new FormatError(name, `bad zip magic ${hex(magic)} (expected 50 4b 03 04); not a torch.save archive`);
    }
    if (source.size < 22) throw new FormatError(name, 'too small to be a zip archive; the archive is truncated');
    const tailLength = Math.min(source.size, 22 + 0xffff);
    const tailStart = source.size - tailLength;
    const tail = await source.read(tailStart, tailLength);
    const tailView = view(tail);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tailView.getUint32(i, true) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new FormatError(name, 'no end-of-central-directory record; the archive is truncated');
    let count = tailView.getUint16(eocd + 10, true);
    let cdSize = tailView.getUint32(eocd + 12, true);
    let cdOffset = tailView.getUint32(eocd + 16, true);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locatorAt = eocd - 20;
      if (locatorAt < 0 || tailView.getUint32(locatorAt, true) !== ZIP64_LOCATOR_SIGNATURE) {
        throw new FormatError(name, 'zip64 sizes announced but the zip64 locator is missing');
      }
      const zip64At = u64(tailView, locatorAt + 8, name);
      const rec = view(await source.read(zip64At, 56));
      if (rec.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw new FormatError(name, 'bad zip64 end-of-central-directory signature');
      count = u64(rec, 32, name);
      cdSize = u64(rec, 40, name);
      cdOffset = u64(rec, 48, name);
    }
    if (cdOffset + cdSize > source.size) throw new FormatError(name, 'central directory runs past the end of the file; the archive is truncated');
    const cd = await source.read(cdOffset, cdSize);
    const cdView = view(cd);
    const entries = new Map<string, ZipEntry>();
    let p = 0;
    const decoder = new TextDecoder();
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cdView.getUint32(p, true) !== CENTRAL_SIGNATURE) {
        throw new FormatError(name, `central directory header ${i} is malformed`);
      }
      const flags = cdView.getUint16(p + 8, true);
      const method = cdView.getUint16(p + 10, true);
      let compressedSize = cdView.getUint32(p + 20, true);
      let size = cdView.getUint32(p + 24, true);
      const nameLength = cdView.getUint16(p + 28, true);
      const extraLength = cdView.getUint16(p + 30, true);
      const commentLength = cdView.getUint16(p + 32, true);
      let localHeaderOffset = cdView.getUint32(p + 42, true);
      const entryName = decoder.decode(cd.subarray(p + 46, p + 46 + nameLength));
      // Zip64 extra field (id 1) holds the 64-bit values whose 32-bit slots read 0xffffffff, in this order.
      let e = p + 46 + nameLength;
      const extraEnd = e + extraLength;
      while (e + 4 <= extraEnd) {
        const id = cdView.getUint16(e, true);
        const len = cdView.getUint16(e + 2, true);
        if (id === 1) {
          let q = e + 4;
          if (size === 0xffffffff) { size = u64(cdView, q, name); q += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = u64(cdView, q, name); q += 8; }
          if (localHeaderOffset === 0xffffffff) { localHeaderOffset = u64(cdView, q, name); q += 8; }
        }
        e += 4 + len;
      }
      if (flags & 1) throw new FormatError(name, 'encrypted zip entries are not supported', entryName);
      if (entries.has(entryName)) throw new FormatError(name, `duplicate entry name (central directory header ${i})`, entryName);
      if (/(^|[\\/])\.\.([\\/]|$)/.test(entryName) || entryName.startsWith('/') || entryName.includes('\\') || entryName.includes('\0')) {
        throw new FormatError(name, 'unsafe entry name (absolute, backslash or a ".." segment)', entryName);
      }
      if (method === 0 && size !== compressedSize) throw new FormatError(name, `stored entry declares ${size} bytes but holds ${compressedSize}`, entryName);
      if (localHeaderOffset + 30 + compressedSize > source.size) {
        throw new FormatError(name, `entry data (${compressedSize} bytes at offset ${localHeaderOffset}) runs past the end of the file (${source.size} bytes)`, entryName);
      }
      entries.set(entryName, { name: entryName, method, compressedSize, size, localHeaderOffset });
      p = extraEnd + commentLength;
    }
    // Entries may not share bytes: a crafted directory could point many names at one deflated blob.
    const spans = [...entries.values()].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
    for (let k = 1; k < spans.length; k++) {
      const prev = spans[k - 1];
      if (spans[k].localHeaderOffset < prev.localHeaderOffset + 30 + prev.compressedSize) {
        throw new FormatError(name, `entry overlaps "${prev.name}" (offset ${spans[k].localHeaderOffset})`, spans[k].name);
      }
    }
    return new ZipArchive(source, entries);
  }

  /** Entry names in directory order. */
  get names(): string[] {
    return [...this.entries.keys()];
  }

  entry(entryName: string): ZipEntry {
    const found = this.entries.get(entryName);
    if (!found) throw new FormatError(this.source.name, 'entry missing from the archive', entryName);
    return found;
  }

  /** Offset of the entry's first data byte (the local header's name/extra lengths may differ from the central ones). */
  private async dataOffset(entry: ZipEntry): Promise<number> {
    const cached = this.dataOffsets.get(entry.name);
    if (cached !== undefined) return cached;
    const header = view(await this.source.read(entry.localHeaderOffset, 30));
    if (header.getUint32(0, true) !== LOCAL_SIGNATURE) {
      throw new FormatError(this.source.name, 'bad local header signature', entry.name);
    }
    const offset = entry.localHeaderOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
    if (offset + entry.compressedSize > this.source.size) {
      throw new FormatError(this.source.name, `entry data (${entry.compressedSize} bytes) runs past the end of the file; the archive is truncated`, entry.name);
    }
    this.dataOffsets.set(entry.name, offset);
    return offset;
  }

  /** The whole (decompressed) entry. */
  async read(entryName: string): Promise<Uint8Array> {
    const entry = this.entry(entryName);
    const offset = await this.dataOffset(entry);
    const raw = await this.source.read(offset, entry.compressedSize);
    if (entry.method === 0) return raw;
    if (entry.method === 8) {
      // Inflate into the declared size (+1 to see any excess): a zip bomb cannot allocate more than it
      // declares, and a declaration is bounded by deflate's best ratio (~1032:1) and MAX_INFLATED_BYTES.
      if (entry.size > MAX_INFLATED_BYTES || entry.size > entry.compressedSize * 1032 + 64) {
        throw new FormatError(this.source.name, `deflated entry declares ${entry.size} bytes from ${entry.compressedSize} (limit ${MAX_INFLATED_BYTES} bytes, ratio 1032:1)`, entryName);
      }
      const out = inflateSync(raw, { out: new Uint8Array(entry.size + 1) });
      if (out.length !== entry.size) throw new FormatError(this.source.name, `inflated size differs from the directory (${entry.size} bytes declared)`, entryName);
      return out;
    }
    throw new FormatError(this.source.name, `unsupported compression method ${entry.method}`, entryName);
  }

  /** Bytes [start, start + length) of an entry; positioned read for stored entries (torch's case). */
  async readRange(entryName: string, start: number, length: number): Promise<Uint8Array> {
    const entry = this.entry(entryName);
    if (start < 0 || start + length > entry.size) {
      throw new FormatError(this.source.name, `needs bytes [${start}, ${start + length}) but the entry holds ${entry.size}; storage is truncated`, entryName);
    }
    if (entry.method !== 0) return (await this.read(entryName)).subarray(start, start + length);
    const offset = await this.dataOffset(entry);
    return this.source.read(offset + start, length);
  }

  close(): Promise<void> {
    return this.source.close();
  }
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(dv: DataView, at: number, name: string): number {
  const value = dv.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(name, `zip64 field ${value} is too large`);
  return Number(value);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}
