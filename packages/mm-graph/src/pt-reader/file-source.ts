/** A ByteSource over a file on disk (Node only; ./zip.ts reads any ByteSource). */
import { open } from 'node:fs/promises';
import { FormatError } from '@paperkit/tensor-core';
import type { ByteSource } from './zip.js';

/** Open a file for positioned reads; the handle stays open until `close()`. */
export async function fileSource(path: string): Promise<ByteSource> {
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    name: path,
    size,
    async read(position, length) {
      if (position < 0 || position + length > size) {
        throw new FormatError(path, `read of ${length} bytes at offset ${position} runs past the end of the file (${size} bytes); the file is truncated`);
      }
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, position + done);
        if (bytesRead === 0) throw new FormatError(path, `unexpected end of file at offset ${position + done}`);
        done += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}
