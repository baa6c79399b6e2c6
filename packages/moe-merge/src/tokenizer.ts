/**
 * A reader of a local Hugging Face `tokenizer.json`, enough to turn
 * mergekit-moe's text prompts into token ids without the hub or any peer
 * dependency (spec section 6: "Prompt gates need token ids"). The encode path
 * follows the tokenizers library: split off added tokens, normalize, pre-tokenize,
 * run the model on each piece. Supported:
 *  - models: BPE (merge ranks; merges as "a b" strings or ["a", "b"] pairs;
 *    `byte_fallback` to `<0xNN>` tokens; `fuse_unk`; `ignore_merges`) and WordLevel;
 *  - normalizers: Prepend, Replace (string patterns), NFC/NFD/NFKC/NFKD,
 *    Lowercase, Sequence (Llama-2 / Mistral v0.1 ship Prepend("▁") + Replace(" ", "▁"));
 *  - pre-tokenizers: Metaspace (`replacement`, `prepend_scheme` always | first |
 *    never or the older `add_prefix_space`, `split`), ByteLevel (GPT-2 split
 *    regex, also when inside a Sequence as in Llama-3, whose own Split regex is
 *    approximated by GPT-2's), Whitespace / WhitespaceSplit for WordLevel.
 * Anything else (Unigram, WordPiece, regex normalizers) fails with a
 * FormatError naming the file; give `positive_prompt_ids` instead.
 */
import { FormatError } from '@paperkit/tensor-core';
import { checkJsonDepth, checkSize, TOKENIZER_JSON_MAX_BYTES, TOKENIZER_JSON_MAX_DEPTH } from './format-limits.js';

interface Part {
  type?: string;
  [key: string]: unknown;
}

interface TokenizerJson {
  model?: {
    type?: string;
    vocab?: Record<string, number>;
    merges?: (string | [string, string])[];
    unk_token?: string | null;
    byte_fallback?: boolean;
    fuse_unk?: boolean;
    ignore_merges?: boolean;
  };
  pre_tokenizer?: Part | null;
  normalizer?: Part | null;
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

/** GPT-2's reversible byte -> printable character map used by byte-level BPE. */
function byteToUnicode(): string[] {
  const keep = new Set<number>();
  for (let b = 33; b <= 126; b++) keep.add(b);
  for (let b = 161; b <= 172; b++) keep.add(b);
  for (let b = 174; b <= 255; b++) keep.add(b);
  const map: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) map[b] = keep.has(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return map;
}

const BYTE_LEVEL_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const UTF8 = new TextEncoder();

type Normalize = (s: string) => string;
/** Pre-tokenizer: (normalized segment, whether it starts the text) -> pieces for the model. */
type PreTokenize = (s: string, first: boolean) => string[];

function byteToken(b: number): string {
  return `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
}

export class LocalTokenizer {
  private readonly vocab: Map<string, number>;
  private readonly ranks = new Map<string, number>();
  private readonly kind: 'wordlevel' | 'bpe';
  private readonly unk: number | undefined;
  private readonly byteFallback: boolean;
  private readonly fuseUnk: boolean;
  private readonly ignoreMerges: boolean;
  private readonly byteLevel: boolean;
  private readonly added: { content: string; id: number }[];
  private readonly normalize: Normalize;
  private readonly preTokenize: PreTokenize;
  private readonly byteMap = byteToUnicode();

  private constructor(
    json: TokenizerJson,
    private readonly source: string,
  ) {
    validate(json, source);
    const model = json.model!;
    this.vocab = new Map(Object.entries(model.vocab!));
    this.added = (json.added_tokens ?? []).map((t) => ({ content: t.content, id: t.id })).sort((a, b) => b.content.length - a.content.length);
    for (const t of this.added) this.vocab.set(t.content, t.id);
    this.unk = model.unk_token ? this.vocab.get(model.unk_token) : undefined;
    this.byteFallback = model.byte_fallback === true;
    this.fuseUnk = model.fuse_unk === true;
    this.ignoreMerges = model.ignore_merges === true;
    if (model.type === 'WordLevel') {
      this.kind = 'wordlevel';
    } else if (model.type === 'BPE') {
      this.kind = 'bpe';
      (model.merges ?? []).forEach((m, rank) => {
        const pair = Array.isArray(m) ? m : m.split(' ');
        if (pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw new FormatError(source, `merge ${JSON.stringify(m)} is not a pair of tokens`, `model.merges[${rank}]`);
        const key = `${pair[0]} ${pair[1]}`;
        if (!this.ranks.has(key)) this.ranks.set(key, rank);
      });
    } else {
      throw new FormatError(source, `tokenizer model type ${JSON.stringify(model.type)} is not supported (BPE and WordLevel are); give positive_prompt_ids instead`);
    }
    this.normalize = this.normalizer(json.normalizer ?? null);
    const pre = json.pre_tokenizer ?? null;
    this.byteLevel = this.kind === 'bpe' && hasType(pre, 'ByteLevel');
    this.preTokenize = this.preTokenizer(pre);
  }

  /**
   * Parse tokenizer.json text (at most `maxBytes` UTF-16 units, default 128 MB;
   * nesting at most 32 levels, checked before parsing). A file by path:
   * `loadTokenizer(path)` from `@paperkit/moe-merge/node`.
   */
  static fromText(text: string, source = '<tokenizer.json>', options: { maxBytes?: number } = {}): LocalTokenizer {
    checkSize(text.length, options.maxBytes ?? TOKENIZER_JSON_MAX_BYTES, source);
    checkJsonDepth(text, TOKENIZER_JSON_MAX_DEPTH, source);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new FormatError(source, `not valid JSON (${(err as Error).message})`);
    }
    return LocalTokenizer.fromJson(json, source);
  }

  /** Build from an already parsed object (tests, in-memory vocabularies). */
  static fromJson(json: unknown, source = '<tokenizer.json>'): LocalTokenizer {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new FormatError(source, 'expected a JSON object');
    return new LocalTokenizer(json as TokenizerJson, source);
  }

  /** Token ids of `text` (no BOS / EOS: the gate code adds BOS). */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const seg of this.splitAdded(text)) {
      if (seg.id !== undefined) {
        ids.push(seg.id);
        continue;
      }
      for (const piece of this.preTokenize(this.normalize(seg.text), seg.start === 0)) {
        if (piece.length === 0) continue;
        if (this.kind === 'wordlevel') ids.push(this.lookup(piece));
        else ids.push(...this.bpeIds(piece));
      }
    }
    return ids;
  }

  /** Split on added tokens (longest match first), keeping each segment's offset. */
  private splitAdded(text: string): { text: string; start: number; id?: number }[] {
    const out: { text: string; start: number; id?: number }[] = [];
    let from = 0;
    let i = 0;
    while (i < text.length) {
      const hit = this.added.find((t) => t.content.length > 0 && text.startsWith(t.content, i));
      if (!hit) {
        i++;
        continue;
      }
      if (i > from) out.push({ text: text.slice(from, i), start: from });
      out.push({ text: hit.content, start: i, id: hit.id });
      i += hit.content.length;
      from = i;
    }
    if (from < text.length) out.push({ text: text.slice(from), start: from });
    return out;
  }

  private normalizer(n: Part | null): Normalize {
    if (n === null) return (s) => s;
    switch (n.type) {
      case 'Sequence': {
        const steps = ((n.normalizers as Part[] | undefined) ?? []).map((x) => this.normalizer(x));
        return (s) => steps.reduce((acc, f) => f(acc), s);
      }
      case 'Prepend': {
        const p = String(n.prepend ?? '');
        return (s) => (s.length > 0 ? p + s : s);
      }
      case 'Replace': {
        const pattern = n.pattern as { String?: string; Regex?: string } | undefined;
        if (typeof pattern?.String !== 'string') throw new FormatError(this.source, 'normalizer Replace with a regex pattern is not supported (string patterns are); give positive_prompt_ids instead', 'normalizer');
        const from = pattern.String;
        const to = String(n.content ?? '');
        return (s) => s.split(from).join(to);
      }
      case 'NFC':
      case 'NFD':
      case 'NFKC':
      case 'NFKD':
        return (s) => s.normalize(n.type as 'NFC');
      case 'Lowercase':
        return (s) => s.toLowerCase();
      default:
        throw new FormatError(this.source, `normalizer ${JSON.stringify(n.type)} is not supported (Prepend, Replace, NF*, Lowercase, Sequence are); give positive_prompt_ids instead`, 'normalizer');
    }
  }

  private preTokenizer(p: Part | null): PreTokenize {
    // A WordLevel file without a pre-tokenizer still needs words: split like `Whitespace`.
    if (p === null) return this.kind === 'wordlevel' ? (s) => s.match(/\w+|[^\w\s]+/gu) ?? [] : (s) => [s];
    if (this.byteLevel) {
      const level = findType(p, 'ByteLevel')!;
      const prefix = level.add_prefix_space === true;
      return (s) => {
        const t = prefix && !s.startsWith(' ') ? ` ${s}` : s;
        return (t.match(BYTE_LEVEL_SPLIT) ?? []).map((piece) => Array.from(UTF8.encode(piece), (b) => this.byteMap[b]).join(''));
      };
    }
    switch (p.type) {
      case 'Metaspace': {
        const rep = typeof p.replacement === 'string' ? p.replacement : '\u2581';
        const scheme = typeof p.prepend_scheme === 'string' ? p.prepend_scheme : p.add_prefix_space === false ? 'never' : 'always';
        const split = p.split !== false;
        return (s, first) => {
          let t = s.split(' ').join(rep);
          if ((scheme === 'always' || (scheme === 'first' && first)) && !t.startsWith(rep)) t = rep + t;
          if (!split) return [t];
          // Each piece starts at a replacement character (the delimiter merges with the next piece).
          const pieces: string[] = [];
          let cur = '';
          for (const ch of t) {
            if (ch === rep && cur.length > 0) {
              pieces.push(cur);
              cur = '';
            }
            cur += ch;
          }
          if (cur.length > 0) pieces.push(cur);
          return pieces;
        };
      }
      case 'Whitespace':
        return (s) => s.match(/\w+|[^\w\s]+/gu) ?? [];
      case 'WhitespaceSplit':
        return (s) => s.split(/\s+/u).filter((x) => x.length > 0);
      case 'Sequence': {
        const steps = ((p.pretokenizers as Part[] | undefined) ?? []).map((x) => this.preTokenizer(x));
        return (s, first) => steps.reduce<string[]>((pieces, f) => pieces.flatMap((x, i) => f(x, first && i === 0)), [s]);
      }
      default:
        throw new FormatError(this.source, `pre_tokenizer ${JSON.stringify(p.type)} is not supported (Metaspace, ByteLevel, Whitespace, WhitespaceSplit, Sequence are); give positive_prompt_ids instead`, 'pre_tokenizer');
    }
  }

  private lookup(symbol: string): number {
    const id = this.vocab.get(symbol);
    if (id !== undefined) return id;
    if (this.unk !== undefined) return this.unk;
    throw new FormatError(this.source, `token ${JSON.stringify(symbol)} is not in the vocabulary and there is no unk_token`);
  }

  /** BPE on one pre-tokenized piece: characters (or byte-fallback tokens, or unk), then merges by rank. */
  private bpeIds(piece: string): number[] {
    if (this.ignoreMerges && this.vocab.has(piece)) return [this.vocab.get(piece)!];
    const symbols: string[] = [];
    const fixed = new Set<number>(); // positions that are unk or byte tokens: never merged
    let lastUnk = false;
    for (const ch of piece) {
      if (this.vocab.has(ch)) {
        symbols.push(ch);
        lastUnk = false;
        continue;
      }
      const bytes = Array.from(UTF8.encode(ch), byteToken);
      if (this.byteFallback && bytes.every((b) => this.vocab.has(b))) {
        for (const b of bytes) {
          fixed.add(symbols.length);
          symbols.push(b);
        }
        lastUnk = false;
        continue;
      }
      if (this.unk === undefined) throw new FormatError(this.source, `character ${JSON.stringify(ch)} is not in the vocabulary and there is no unk_token or byte fallback`);
      if (!(this.fuseUnk && lastUnk)) {
        fixed.add(symbols.length);
        symbols.push('\u0000unk');
      }
      lastUnk = true;
    }
    const word = symbols.map((s, i) => ({ s, fixed: fixed.has(i) }));
    for (;;) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < word.length; i++) {
        if (word[i].fixed || word[i + 1].fixed) continue;
        const r = this.ranks.get(`${word[i].s} ${word[i + 1].s}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const a = word[best].s;
      const b = word[best + 1].s;
      // Merge every occurrence of the best pair, left to right (the standard BPE encode rule).
      for (let i = 0; i + 1 < word.length; i++) {
        if (!word[i].fixed && !word[i + 1].fixed && word[i].s === a && word[i + 1].s === b) word.splice(i, 2, { s: a + b, fixed: false });
      }
    }
    return word.map((w) => (w.s === '\u0000unk' ? this.unk! : this.lookup(w.s)));
  }
}

function hasType(p: Part | null, type: string): boolean {
  if (p === null) return false;
  if (p.type === type) return true;
  return ((p.pretokenizers as Part[] | undefined) ?? []).some((x) => hasType(x, type));
}

function findType(p: Part | null, type: string): Part | undefined {
  if (p === null) return undefined;
  if (p.type === type) return p;
  for (const x of (p.pretokenizers as Part[] | undefined) ?? []) {
    const hit = findType(x, type);
    if (hit) return hit;
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Every field the reader uses has the type it expects, or a FormatError names the field (nothing else escapes). */
function validate(json: TokenizerJson, source: string): void {
  const bad = (where: string, what: string): never => {
    throw new FormatError(source, `${where} ${what}`);
  };
  const model = json.model as unknown;
  if (!isObject(model)) bad('model', 'is not an object');
  const m = model as Record<string, unknown>;
  if (!isObject(m.vocab)) bad('model.vocab', 'is not an object');
  const vocab = m.vocab as Record<string, unknown>;
  let size = 0;
  for (const key in vocab) {
    if (!isId(vocab[key])) bad(`model.vocab[${JSON.stringify(key.slice(0, 40))}]`, 'is not a non-negative integer id');
    size++;
  }
  if (m.merges !== undefined && m.merges !== null) {
    if (!Array.isArray(m.merges)) bad('model.merges', 'is not a list');
    const merges = m.merges as unknown[];
    // Each merge makes one new vocabulary entry, so a valid file has no more merges than entries.
    if (merges.length > size) bad('model.merges', `has ${merges.length} entries, more than the ${size} of model.vocab`);
    merges.forEach((x, i) => {
      if (typeof x !== 'string' && !(Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && typeof x[1] === 'string')) bad(`model.merges[${i}]`, 'is not "a b" or ["a", "b"]');
    });
  }
  if (m.unk_token !== undefined && m.unk_token !== null && typeof m.unk_token !== 'string') bad('model.unk_token', 'is not a string');
  const added = json.added_tokens as unknown;
  if (added !== undefined && added !== null) {
    if (!Array.isArray(added)) bad('added_tokens', 'is not a list');
    (added as unknown[]).forEach((t, i) => {
      if (!isObject(t) || typeof t.content !== 'string' || !isId(t.id)) bad(`added_tokens[${i}]`, 'is not {id: integer, content: string}');
    });
  }
  const parts = (p: unknown, where: string, key: 'normalizers' | 'pretokenizers'): void => {
    if (p === undefined || p === null) return;
    if (!isObject(p)) bad(where, 'is not an object');
    const list = (p as Record<string, unknown>)[key];
    if (list === undefined || list === null) return;
    if (!Array.isArray(list)) bad(`${where}.${key}`, 'is not a list');
    (list as unknown[]).forEach((x, i) => {
      if (!isObject(x)) bad(`${where}.${key}[${i}]`, 'is not an object');
      parts(x, `${where}.${key}[${i}]`, key);
    });
  };
  parts(json.normalizer, 'normalizer', 'normalizers');
  parts(json.pre_tokenizer, 'pre_tokenizer', 'pretokenizers');
}
