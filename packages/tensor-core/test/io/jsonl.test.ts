import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../src/errors.js';
import { parseJsonlChunks, parseJsonlLines, type JsonlRecord } from '../../src/io/jsonl.js';
import { readJsonl } from '../../src/io/jsonl-file.js';

const dir = mkdtempSync(join(tmpdir(), 'pk-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(it: AsyncIterable<JsonlRecord>): Promise<JsonlRecord[]> {
  const out: JsonlRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('JSONL', () => {
  it('parses in-memory text, skipping blank lines, keeping 1-based line numbers, CRLF and BOM', () => {
    const text = '\ufeff{"a":1}\r\n\n  \n[1,2]\n"s"\n3';
    expect(parseJsonlLines(text, 'mem.jsonl')).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 4, value: [1, 2] },
      { line: 5, value: 's' },
      { line: 6, value: 3 },
    ]);
    expect(parseJsonlLines('')).toEqual([]);
    expect(parseJsonlLines('\n\n')).toEqual([]);
  });

  it('reports errors as file:line: reason', () => {
    let err: unknown;
    try {
      parseJsonlLines('{"ok":1}\n\n{"bad":\n', 'data/train.jsonl');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).message).toMatch(/^data\/train\.jsonl:3: invalid JSON/);
    expect((err as FormatError).where).toBe(3);
  });

  it('streams a file with the same records as the in-memory parser', async () => {
    const path = join(dir, 'small.jsonl');
    const text = '{"x":1}\n\n{"x":"é✓"}\r\n{"x":[1,{"y":null}]}';
    writeFileSync(path, text);
    expect(await collect(readJsonl(path))).toEqual(parseJsonlLines(text, path));
  });

  it('streams a file error as file:line: reason, after yielding the good lines', async () => {
    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, '1\n2\n{oops}\n4\n');
    const seen: number[] = [];
    await expect(async () => {
      for await (const r of readJsonl(path)) seen.push(r.value as number);
    }).rejects.toThrow(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: invalid JSON`));
    expect(seen).toEqual([1, 2]);
    await expect(collect(readJsonl(path, { source: 'bad.jsonl' }))).rejects.toThrow(/^bad\.jsonl:3: /);
  });

  it('handles lines and multi-byte characters split across chunks, and reports bad UTF-8 on its line', async () => {
    const bytes = new TextEncoder().encode('{"k":"✓✓"}\n\n{"k":"ü"}\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const records = await collect(parseJsonlChunks([bytes.subarray(0, cut), bytes.subarray(cut)], 'c'));
      expect(records).toEqual([{ line: 1, value: { k: '✓✓' } }, { line: 3, value: { k: 'ü' } }]);
    }
    const bad = new Uint8Array([...new TextEncoder().encode('1\n2\n'), 0x22, 0xff, 0x22, 0x0a]);
    await expect(collect(parseJsonlChunks([bad], 'u.jsonl'))).rejects.toThrow('u.jsonl:3: invalid UTF-8');
  });

  it('streams a 1M-row file without loading it at once', async () => {
    const path = join(dir, 'big.jsonl');
    const rows = 1_000_000;
    await new Promise<void>((resolve, reject) => {
      const out = createWriteStream(path);
      out.on('error', reject);
      let i = 0;
      const write = () => {
        let ok = true;
        while (i < rows && ok) {
          let chunk = '';
          for (let k = 0; k < 10000 && i < rows; k++, i++) chunk += `{"i":${i}}\n`;
          ok = out.write(chunk);
        }
        if (i < rows) out.once('drain', write);
        else out.end(resolve);
      };
      write();
    });
    let count = 0;
    let sum = 0;
    let last = 0;
    for await (const r of readJsonl(path)) {
      count++;
      sum += (r.value as { i: number }).i;
      last = r.line;
    }
    expect(count).toBe(rows);
    expect(last).toBe(rows);
    expect(sum).toBe((rows * (rows - 1)) / 2);
  });

  it('yields the first record after pulling only the first chunk (lazy, not read-all)', async () => {
    let pulled = 0;
    function* chunks() {
      for (let c = 0; c < 1000; c++) {
        pulled++;
        yield new TextEncoder().encode(`{"c":${c}}\n`);
      }
    }
    const it = parseJsonlChunks(chunks(), 'lazy')[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.value).toEqual({ line: 1, value: { c: 0 } });
    expect(pulled).toBe(1);
    await it.return?.(undefined);
  });
});

describe('JSONL byte-order marks', () => {
  it('strips a BOM on line 1 only, the same way when streaming and in memory', async () => {
    const text = '\ufeff1\n\ufeff2\n';
    expect(() => parseJsonlLines(text, 'b')).toThrow(/^b:2: /);
    await expect(collect(parseJsonlChunks([new TextEncoder().encode(text)], 'b'))).rejects.toThrow(/^b:2: /);
  });
});

describe('JSONL line limit (hostile files)', () => {
  it('a line over maxLineBytes is refused with its line number, without holding the rest', async () => {
    const chunk = new Uint8Array(1024).fill(0x20);
    const chunks = (function* () {
      yield new TextEncoder().encode('{"a":1}\n');
      for (let i = 0; i < 10_000; i++) yield chunk; // 10 MB without a newline
    })();
    const read = async () => {
      for await (const _ of parseJsonlChunks(chunks, 'long.jsonl', { maxLineBytes: 1 << 20 })) void _;
    };
    await expect(read()).rejects.toThrow('long.jsonl:2: line is longer than the limit of 1048576 bytes');
  });
});
