import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '@paperkit/tensor-core';
import { LocalTokenizer } from '../src/tokenizer.js';
import { loadTokenizer } from '../src/node-models.js';

const S = '\u2581';
/**
 * A hand-made tokenizer.json of the Llama-2 / Mistral shape: BPE with byte fallback,
 * <unk> <s> </s> as added tokens, byte tokens, and ten merges. Ranks: 0 "▁ h",
 * 1 "l l", 2 "▁h e", 3 "▁he ll", 4 "▁hell o", 5 "o r", 6 "▁ w", 7 "▁w or", 8 "l d", 9 "▁wor ld".
 */
const VOCAB: Record<string, number> = {
  '<unk>': 0, '<s>': 1, '</s>': 2, '<0xC3>': 3, '<0xA9>': 4, [S]: 5, h: 6, e: 7, l: 8, o: 9, w: 10, r: 11, d: 12,
  [`${S}h`]: 13, ll: 14, [`${S}he`]: 15, [`${S}hell`]: 16, [`${S}hello`]: 17, or: 18, [`${S}w`]: 19, [`${S}wor`]: 20, [`${S}world`]: 21, ld: 22,
};
const MERGES = [[S, 'h'], ['l', 'l'], [`${S}h`, 'e'], [`${S}he`, 'll'], [`${S}hell`, 'o'], ['o', 'r'], [S, 'w'], [`${S}w`, 'or'], ['l', 'd'], [`${S}wor`, 'ld']];
const ADDED = [{ id: 0, content: '<unk>', special: true }, { id: 1, content: '<s>', special: true }, { id: 2, content: '</s>', special: true }];

function llama(o: { pairs?: boolean; metaspace?: Record<string, unknown> } = {}) {
  const model = { type: 'BPE', unk_token: '<unk>', fuse_unk: true, byte_fallback: true, vocab: VOCAB, merges: o.pairs ? MERGES : MERGES.map((m) => m.join(' ')) };
  if (o.metaspace) return { added_tokens: ADDED, normalizer: null, pre_tokenizer: { type: 'Metaspace', replacement: S, ...o.metaspace }, model };
  // Llama-2 / Mistral v0.1: no pre-tokenizer, the normalizer prepends ▁ and maps spaces to ▁.
  return {
    added_tokens: ADDED,
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: S }, { type: 'Replace', pattern: { String: ' ' }, content: S }] },
    pre_tokenizer: null,
    model,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'moe-tok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tokenizer.json reader, Llama/Mistral BPE (hand-worked ids)', () => {
  it('"hello world": ▁hello (merges 0,1,2,3,4) and ▁world (merges 5,6,7,8,9) -> [17, 21], merges as strings or pairs', () => {
    expect(LocalTokenizer.fromJson(llama()).encode('hello world')).toEqual([17, 21]);
    expect(LocalTokenizer.fromJson(llama({ pairs: true })).encode('hello world')).toEqual([17, 21]);
  });
  it('byte fallback: "héllo" -> ▁h, <0xC3>, <0xA9>, ll, o = [13, 3, 4, 14, 9] (é is not in the vocabulary)', () => {
    expect(LocalTokenizer.fromJson(llama()).encode('héllo')).toEqual([13, 3, 4, 14, 9]);
  });
  it('unknown characters without byte tokens become <unk>, fused: "zz" -> ▁, <unk> = [5, 0]', () => {
    expect(LocalTokenizer.fromJson(llama()).encode('zz')).toEqual([5, 0]);
  });
  it('added tokens are split off first: "<s>hello" -> [1, 17] with the normalizer (each segment gets the ▁ prefix)', () => {
    expect(LocalTokenizer.fromJson(llama()).encode('<s>hello')).toEqual([1, 17]);
  });
  it('Metaspace pre-tokenizer: split into ▁-words; prepend_scheme "first" only prefixes the start of the text', () => {
    const always = LocalTokenizer.fromJson(llama({ metaspace: { prepend_scheme: 'always', split: true } }));
    expect(always.encode('hello world')).toEqual([17, 21]);
    expect(always.encode('<s>hello')).toEqual([1, 17]);
    const first = LocalTokenizer.fromJson(llama({ metaspace: { prepend_scheme: 'first', split: false } }));
    // "hello" after <s> gets no ▁: h e l l o -> merge 1 only -> h, e, ll, o.
    expect(first.encode('<s>hello')).toEqual([1, 6, 7, 14, 9]);
    expect(first.encode('hello world')).toEqual([17, 21]);
    // The older add_prefix_space: true means "always".
    expect(LocalTokenizer.fromJson(llama({ metaspace: { add_prefix_space: true } })).encode('hello')).toEqual([17]);
  });
  it('reads the file from disk', () => {
    const path = join(dir, 'tokenizer.json');
    writeFileSync(path, JSON.stringify(llama({ pairs: true })));
    expect(loadTokenizer(path).encode('hello world')).toEqual([17, 21]);
  });
});

describe('tokenizer.json reader, other shapes and limits', () => {
  it('WordLevel: splits on whitespace and punctuation, unknown words map to unk', () => {
    const tok = LocalTokenizer.fromJson({ model: { type: 'WordLevel', vocab: { '[UNK]': 0, add: 1, two: 2, numbers: 3, '!': 4 }, unk_token: '[UNK]' } });
    expect(tok.encode('add two numbers!')).toEqual([1, 2, 3, 4]);
    expect(tok.encode('add three')).toEqual([1, 0]);
  });
  it('BPE (byte level): maps spaces to \u0120 and merges', () => {
    const vocab: Record<string, number> = { h: 0, i: 1, hi: 2, '\u0120': 3, '\u0120hi': 4 };
    const tok = LocalTokenizer.fromJson({ model: { type: 'BPE', vocab, merges: [['h', 'i'], ['\u0120', 'hi']] }, pre_tokenizer: { type: 'ByteLevel' } });
    expect(tok.encode('hi hi')).toEqual([2, 4]);
  });
  it('rejects unsupported models and normalizers with a FormatError naming the file', () => {
    expect(() => LocalTokenizer.fromJson({ model: { type: 'Unigram', vocab: {} } }, 'my/tokenizer.json')).toThrow(/my\/tokenizer\.json.*positive_prompt_ids/);
    expect(() => LocalTokenizer.fromJson({ model: { type: 'BPE', vocab: {} }, normalizer: { type: 'Precompiled' } })).toThrow(FormatError);
  });
  it('limits: a missing file, a file over the size limit, and nesting too deep all raise FormatError naming the file', () => {
    expect(() => loadTokenizer(join(dir, 'none.json'))).toThrow(/none\.json: tokenizer\.json not found/);
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify(llama()));
    expect(() => loadTokenizer(big, { maxBytes: 100 })).toThrow(/big\.json: file is \d+ bytes, over the 100-byte limit/);
    const deep = join(dir, 'deep.json');
    writeFileSync(deep, `${'['.repeat(40)}${']'.repeat(40)}`);
    expect(() => loadTokenizer(deep)).toThrow(/deep\.json:offset 32: nesting deeper than 32 levels/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"model": ');
    expect(() => loadTokenizer(bad)).toThrow(/bad\.json: not valid JSON/);
  });
});
