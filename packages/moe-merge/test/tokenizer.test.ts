import { describe, expect, it } from 'vitest';
import { LocalTokenizer } from '../src/tokenizer.js';

describe('local tokenizer.json reader', () => {
  it('WordLevel: splits on whitespace and punctuation, unknown words map to unk', () => {
    const tok = LocalTokenizer.fromJson({ model: { type: 'WordLevel', vocab: { '[UNK]': 0, add: 1, two: 2, numbers: 3, '!': 4 }, unk_token: '[UNK]' } });
    expect(tok.encode('add two numbers!')).toEqual([1, 2, 3, 4]);
    expect(tok.encode('add three')).toEqual([1, 0]);
  });
  it('BPE (SentencePiece style): applies merges by rank with the \u2581 space marker and byte fallback', () => {
    const vocab: Record<string, number> = { '\u2581': 0, a: 1, b: 2, '\u2581a': 3, '\u2581ab': 4, '<0x21>': 5 };
    const tok = LocalTokenizer.fromJson({ model: { type: 'BPE', vocab, merges: ['\u2581 a', '\u2581a b'] } });
    expect(tok.encode('ab')).toEqual([4]);
    expect(tok.encode('ab a')).toEqual([4, 3]);
    expect(tok.encode('ab!')).toEqual([4, 5]);
  });
  it('BPE (byte level): maps spaces to \u0120 and merges', () => {
    const vocab: Record<string, number> = { h: 0, i: 1, hi: 2, '\u0120': 3, '\u0120hi': 4 };
    const tok = LocalTokenizer.fromJson({ model: { type: 'BPE', vocab, merges: [['h', 'i'], ['\u0120', 'hi']] }, pre_tokenizer: { type: 'ByteLevel' } });
    expect(tok.encode('hi hi')).toEqual([2, 4]);
  });
  it('rejects unsupported tokenizer models with a clear message', () => {
    expect(() => LocalTokenizer.fromJson({ model: { type: 'Unigram', vocab: {} } })).toThrow(/positive_prompt_ids/);
  });
});
