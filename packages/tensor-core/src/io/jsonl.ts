/**
 * JSON Lines reading (jsonlines.org): one JSON value per line, UTF-8, `\n` or
 * `\r\n` line ends. Blank lines are skipped; a byte-order mark at the start
 * is ignored. Errors are FormatError with the message `file:line: reason`
 * (1-based line numbers), so a user can jump straight to the bad line.
 *
 * `readJsonl` (./jsonl-file.ts, Node only) streams a file in 64 KiB chunks: a
 * million-row file is never held in memory at once, only the current line.
 */

import { FormatError } from '../errors.js';

/** Longest line the streaming reader holds (default 64 MiB): one request of a trace is far smaller. */
export const DEFAULT_MAX_JSONL_LINE_BYTES = 64 * 1024 * 1024;

/** One parsed line. `line` is 1-based. */
export interface JsonlRecord {
  line: number;
  value: unknown;
}


/** Parses one line; returns undefined for a blank line. */
function parseLine(text: string, line: number, source: string): JsonlRecord | undefined {
  if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (text.trim() === '') return undefined;
  try {
    return { line, value: JSON.parse(text) };
  } catch (err) {
    throw new FormatError(source, `invalid JSON (${(err as Error).message})`, line);
  }
}

/** Parses JSON Lines held in memory. Blank lines are skipped; errors name `source:line`. */
export function parseJsonlLines(text: string, source = '<text>'): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  let start = 0;
  let line = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const record = parseLine(text.slice(start, end), line, source);
    if (record) out.push(record);
    start = end + 1;
  }
  return out;
}

/**
 * Streams JSON Lines from byte chunks (any chunking: a line or a UTF-8
 * character may span chunks). Splits on the byte 0x0A (never part of a
 * multi-byte UTF-8 sequence), then decodes each line, so an invalid UTF-8
 * sequence is reported on its exact line. Exposed for non-file streams.
 */
export async function* parseJsonlChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  source: string,
  options: { maxLineBytes?: number } = {},
): AsyncGenerator<JsonlRecord> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_JSONL_LINE_BYTES;
  let carried = 0;
  // ignoreBOM: keep a U+FEFF that starts a later line (parseLine strips it on line 1 only, like parseJsonlLines).
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let carry: Uint8Array[] = []; // fragments of the line in progress
  let line = 0;
  const finish = (piece: Uint8Array): JsonlRecord | undefined => {
    if (carried + piece.length > maxLineBytes) tooLong();
    const bytes = carry.length === 0 ? piece : concat([...carry, piece]);
    carry = [];
    carried = 0;
    line++;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new FormatError(source, 'invalid UTF-8', line);
    }
    return parseLine(text, line, source);
  };
  const tooLong = (): never => {
    throw new FormatError(source, `line is longer than the limit of ${maxLineBytes} bytes`, line + 1);
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(0x0a, start);
      if (end < 0) break;
      const record = finish(chunk.subarray(start, end));
      if (record) yield record;
      start = end + 1;
    }
    if (start < chunk.length) {
      // A file with no newline would otherwise be held whole in memory, one fragment at a time.
      carried += chunk.length - start;
      if (carried > maxLineBytes) tooLong();
      carry.push(chunk.slice(start));
    }
  }
  if (carry.length > 0) {
    const record = finish(new Uint8Array(0));
    if (record) yield record;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
