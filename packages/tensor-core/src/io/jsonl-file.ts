/**
 * JSON Lines from a file path (Node only; the byte- and text-level parsers in
 * ./jsonl.ts run anywhere).
 */
import { createReadStream } from 'node:fs';
import { parseJsonlChunks, type JsonlRecord } from './jsonl.js';

export interface ReadJsonlOptions {
  /** Name used in error messages. Default: the path. */
  source?: string;
  /** Longest line accepted, in bytes (default 64 MiB). */
  maxLineBytes?: number;
}

/**
 * Streams a JSON Lines file: `for await (const {line, value} of readJsonl(path))`.
 * Blank lines are skipped. A bad line throws FormatError `file:line: reason`
 * when the iteration reaches it (earlier records have already been yielded).
 */
export async function* readJsonl(path: string, options: ReadJsonlOptions = {}): AsyncGenerator<JsonlRecord> {
  const stream = createReadStream(path, { highWaterMark: 1 << 16 });
  try {
    yield* parseJsonlChunks(stream as AsyncIterable<Uint8Array>, options.source ?? path, { maxLineBytes: options.maxLineBytes });
  } finally {
    stream.destroy();
  }
}
