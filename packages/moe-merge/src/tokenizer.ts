/**
 * A minimal reader of a local Hugging Face `tokenizer.json`, enough to turn
 * mergekit-moe's text prompts into token ids without the hub or any peer
 * dependency (spec section 6: "Prompt gates need token ids"). Supported:
 *  - WordLevel models (whitespace / punctuation split, vocab lookup, unk);
 *  - BPE models with merge ranks, either byte-level (GPT-2 / Llama-3 style,
 *    `ByteLevel` pre-tokenizer) or SentencePiece-style ('\u2581' for spaces,
 *    `<0xNN>` byte fallback, as Llama-2 / Mistral ship).
 * Not supported: Unigram and WordPiece models, normalizers other than the
 * space/prefix handling above. For anything else give `positive_prompt_ids`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { FormatError } from '@paperkit/tensor-core';

interface TokenizerJson {
  model?: { type?: string; vocab?: Record<string, number>; merges?: (string | [string, string])[]; unk_token?: string | null; byte_fallback?: boolean };
  pre_tokenizer?: { type?: string; pretokenizers?: { type?: string }[] } | null;
  normalizer?: unknown;
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

/** GPT-2's reversible byte -> printable character map used by byte-level BPE. */
function byteToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const map: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) map[b] = keep.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return map;
}

const BYTE_LEVEL_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export class LocalTokenizer {
  private readonly vocab: Map<string, number>;
  private readonly ranks = new Map<string, number>();
  private readonly kind: 'wordlevel' | 'bpe-bytes' | 'bpe-sentencepiece';
  private readonly unk: number | undefined;
  private readonly byteMap = byteToUnicode();

  private constructor(json: TokenizerJson, source: string) {
    const model = json.model;
    if (!model || typeof model.vocab !== 'object' || model.vocab === null) throw new FormatError(source, 'no model.vocab object');
    this.vocab = new Map(Object.entries(model.vocab));
    for (const t of json.added_tokens ?? []) this.vocab.set(t.content, t.id);
    this.unk = model.unk_token ? this.vocab.get(model.unk_token) : undefined;
    if (model.type === 'WordLevel') {
      this.kind = 'wordlevel';
    } else if (model.type === 'BPE') {
      (model.merges ?? []).forEach((m, rank) => {
        const pair = Array.isArray(m) ? m : m.split(' ');
        this.ranks.set(`${pair[0]} ${pair[1]}`, rank);
      });
      const pre = json.pre_tokenizer;
      const types = [pre?.type, ...(pre?.pretokenizers ?? []).map((p) => p.type)];
      this.kind = types.includes('ByteLevel') ? 'bpe-bytes' : 'bpe-sentencepiece';
    } else {
      throw new FormatError(source, `tokenizer model type ${JSON.stringify(model.type)} is not supported (WordLevel and BPE are); give positive_prompt_ids instead`);
    }
  }

  /** Read a tokenizer.json file. */
  static load(path: string): LocalTokenizer {
    if (!existsSync(path)) throw new FormatError(path, 'tokenizer.json not found (text prompts need a local tokenizer; or give positive_prompt_ids)');
    let json: TokenizerJson;
    try {
      json = JSON.parse(readFileSync(path, 'utf8')) as TokenizerJson;
    } catch (err) {
      throw new FormatError(path, `not valid JSON (${(err as Error).message})`);
    }
    return new LocalTokenizer(json, path);
  }

  /** Build from an already parsed object (tests, in-memory vocabularies). */
  static fromJson(json: unknown, source = '<tokenizer.json>'): LocalTokenizer {
    return new LocalTokenizer(json as TokenizerJson, source);
  }

  /** Token ids of `text` (no BOS; the gate code adds it). */
  encode(text: string): number[] {
    if (this.kind === 'wordlevel') {
      return (text.match(/\w+|[^\w\s]+/gu) ?? []).map((w) => this.lookup(w));
    }
    if (this.kind === 'bpe-bytes') {
      const ids: number[] = [];
      for (const piece of text.match(BYTE_LEVEL_SPLIT) ?? []) {
        const mapped = Array.from(new TextEncoder().encode(piece), (b) => this.byteMap[b]);
        for (const sym of this.bpe(mapped)) ids.push(this.lookup(sym));
      }
      return ids;
    }
    const spaced = `\u2581${text.replace(/ /g, '\u2581')}`;
    const ids: number[] = [];
    for (const sym of this.bpe(Array.from(spaced))) {
      const id = this.vocab.get(sym);
      if (id !== undefined) {
        ids.push(id);
        continue;
      }
      const bytes = new TextEncoder().encode(sym);
      const fallback = Array.from(bytes, (b) => this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`));
      if (fallback.every((x) => x !== undefined)) ids.push(...(fallback as number[]));
      else ids.push(this.lookup(sym));
    }
    return ids;
  }

  private lookup(symbol: string): number {
    const id = this.vocab.get(symbol);
    if (id !== undefined) return id;
    if (this.unk !== undefined) return this.unk;
    throw new FormatError('tokenizer.json', `token ${JSON.stringify(symbol)} is not in the vocabulary and there is no unk_token`);
  }

  /** Greedy lowest-rank pair merging (the BPE encode rule). */
  private bpe(symbols: string[]): string[] {
    const word = symbols.slice();
    for (;;) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) return word;
      const a = word[best];
      const b = word[best + 1];
      for (let i = 0; i + 1 < word.length; i++) {
        if (word[i] === a && word[i + 1] === b) word.splice(i, 2, a + b);
      }
    }
  }
}
