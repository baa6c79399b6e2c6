/**
 * Hostile text files (issue 21): tokenizer.json (LocalTokenizer) and the merge
 * YAML (parseMoEConfig) answer every input, mutated or crafted, with a result
 * or a typed error that names the file, quickly. A tokenizer that parses must
 * also encode without anything else escaping. Never a RangeError, TypeError or
 * a hang. The YAML reader may also answer with an OptionError, which names the
 * key whose value is wrong (both are paperkit's typed input errors).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FUZZ_RUNS as RUNS, mutatedText } from '@paperkit/fuzz-kit';
import { FormatError, OptionError } from '@paperkit/tensor-core';
import { parseMoEConfig } from '../src/config-yaml.js';
import { LocalTokenizer } from '../src/tokenizer.js';

const S = '\u2581';

const TOKENIZER = JSON.stringify({
  added_tokens: [{ id: 0, content: '<unk>', special: true }, { id: 1, content: '<s>', special: true }],
  normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: S }, { type: 'Replace', pattern: { String: ' ' }, content: S }] },
  pre_tokenizer: null,
  model: {
    type: 'BPE', unk_token: '<unk>', byte_fallback: true, fuse_unk: true,
    vocab: { '<unk>': 0, '<s>': 1, '<0x41>': 2, [S]: 3, h: 4, e: 5, l: 6, o: 7, [`${S}h`]: 8, ll: 9, [`${S}he`]: 10 },
    merges: [`${S} h`, 'l l', `${S}h e`],
  },
});
const YAML = [
  'base_model: ./base',
  'gate_mode: hidden',
  'dtype: bf16',
  'shared_merge: {method: ties, density: 0.8}',
  'experts:',
  '  - source_model: ./a',
  '    positive_prompt_ids: [[1, 2, 3]]',
  '  - source_model: ./b',
  '    positive_prompts: ["x y", [4, 5]]',
  '    residual_scale: 1.5',
].join('\n');

/** A tokenizer.json-shaped object whose fields take arbitrary JSON values. */
const tokenizerShaped = fc
  .record(
    {
      added_tokens: fc.oneof(fc.array(fc.record({ id: fc.jsonValue({ maxDepth: 1 }), content: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }), { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
      normalizer: fc.oneof(fc.record({ type: fc.constantFrom('Sequence', 'Prepend', 'Replace', 'NFC', 'Lowercase', 'X'), normalizers: fc.jsonValue({ maxDepth: 2 }), prepend: fc.jsonValue({ maxDepth: 1 }), pattern: fc.jsonValue({ maxDepth: 2 }), content: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 })),
      pre_tokenizer: fc.oneof(fc.record({ type: fc.constantFrom('Metaspace', 'ByteLevel', 'Whitespace', 'WhitespaceSplit', 'Sequence', 'X'), pretokenizers: fc.jsonValue({ maxDepth: 2 }), replacement: fc.jsonValue({ maxDepth: 1 }), prepend_scheme: fc.jsonValue({ maxDepth: 1 }), add_prefix_space: fc.jsonValue({ maxDepth: 1 }), split: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 })),
      model: fc.oneof(
        fc.record({
          type: fc.constantFrom('BPE', 'WordLevel', 'Unigram', 3),
          vocab: fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.nat(50), fc.jsonValue({ maxDepth: 1 })), { maxKeys: 8 }), fc.jsonValue({ maxDepth: 2 })),
          merges: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })), { maxLength: 6 }), fc.jsonValue({ maxDepth: 2 })),
          unk_token: fc.jsonValue({ maxDepth: 1 }),
          byte_fallback: fc.jsonValue({ maxDepth: 1 }),
          fuse_unk: fc.jsonValue({ maxDepth: 1 }),
          ignore_merges: fc.jsonValue({ maxDepth: 1 }),
        }, { requiredKeys: [] }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

/** A merge-YAML-shaped mapping whose values are arbitrary (written as JSON, which is YAML). */
const yamlShaped = fc
  .record(
    {
      base_model: fc.jsonValue({ maxDepth: 1 }),
      gate_mode: fc.jsonValue({ maxDepth: 1 }),
      dtype: fc.oneof(fc.constantFrom('bf16', 'fp16', 'float32'), fc.jsonValue({ maxDepth: 1 })),
      experts_per_token: fc.jsonValue({ maxDepth: 1 }),
      shared_merge: fc.jsonValue({ maxDepth: 2 }),
      seed: fc.jsonValue({ maxDepth: 1 }),
      tokenizer: fc.jsonValue({ maxDepth: 1 }),
      experts: fc.oneof(
        fc.array(fc.record({ source_model: fc.jsonValue({ maxDepth: 1 }), positive_prompts: fc.jsonValue({ maxDepth: 3 }), positive_prompt_ids: fc.jsonValue({ maxDepth: 3 }), negative_prompts: fc.jsonValue({ maxDepth: 3 }), residual_scale: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }), { maxLength: 3 }),
        fc.jsonValue({ maxDepth: 3 }),
      ),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));

function timed(f: () => void): void {
  const t0 = performance.now();
  f();
  const ms = performance.now() - t0;
  if (ms > 1000) throw new Error(`took ${ms.toFixed(0)} ms`);
}

/** A tokenizer or a FormatError naming the source; a tokenizer must encode with the same guarantee. */
function tokenizerAnswers(text: string): void {
  timed(() => {
    try {
      const t = LocalTokenizer.fromText(text, 'fuzz.json');
      for (const ids of [t.encode('hello world'), t.encode('<s>hé A\u{1F600} x')]) {
        if (!ids.every((id) => Number.isInteger(id))) throw new Error(`non-integer id in ${JSON.stringify(ids)}`);
      }
    } catch (err) {
      if (!(FormatError.isInstance(err) && (err as Error).message.startsWith('fuzz.json'))) throw err;
    }
  });
}

function yamlAnswers(text: string): void {
  timed(() => {
    try {
      parseMoEConfig(text, '/cfg', 'fuzz.yaml');
    } catch (err) {
      if (!(FormatError.isInstance(err) && (err as Error).message.startsWith('fuzz.yaml')) && !OptionError.isInstance(err)) throw err;
    }
  });
}

describe('tokenizer.json reader under fuzzing', () => {
  it('the seed file parses and encodes', () => {
    expect(LocalTokenizer.fromText(TOKENIZER).encode('hello')).toEqual([10, 9, 7]);
  });
  it(`answers ${RUNS} mutated files with a tokenizer or a FormatError`, () => {
    fc.assert(fc.property(mutatedText(TOKENIZER, '{}[]":,0123456789 \\nulltrue'), tokenizerAnswers), { numRuns: RUNS, seed: 11 });
  });
  it(`answers ${RUNS} tokenizer-shaped objects with arbitrary values`, () => {
    fc.assert(fc.property(tokenizerShaped, tokenizerAnswers), { numRuns: RUNS, seed: 12 });
  });
  it('hostile files: deep nesting, a huge declared size, an absurd merges list, wrong types', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => LocalTokenizer.fromText(deep, 'deep.json')).toThrow(/deep\.json:offset 32: nesting deeper than 32 levels/);
    expect(() => LocalTokenizer.fromText('x'.repeat(2000), 'big.json', { maxBytes: 1000 })).toThrow(/big\.json: file is 2000 bytes, over the 1000-byte limit/);
    const merges = JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 }, merges: Array.from({ length: 200_001 }, () => 'a a') } });
    timed(() => expect(() => LocalTokenizer.fromText(merges, 'merges.json')).toThrow(FormatError));
    timed(() => expect(() => LocalTokenizer.fromText(JSON.stringify({ model: { type: 'BPE', vocab: { a: 0 }, merges: 'a a' } }), 'm.json')).toThrow(/m\.json: model\.merges is not a list/));
    timed(() => expect(() => LocalTokenizer.fromText(JSON.stringify({ model: { type: 'WordLevel', vocab: { a: 'x' } } }), 'v.json')).toThrow(/v\.json: model\.vocab\["a"\] is not a non-negative integer id/));
    timed(() => expect(() => LocalTokenizer.fromText(JSON.stringify({ added_tokens: [{ id: 1 }], model: { type: 'WordLevel', vocab: {} } }), 'a.json')).toThrow(/a\.json: added_tokens\[0\]/));
    timed(() => expect(() => LocalTokenizer.fromText('[]', 'arr.json')).toThrow(/arr\.json: expected a JSON object/));
  });
});

describe('merge YAML reader under fuzzing', () => {
  it('the seed file parses', () => {
    const c = parseMoEConfig(YAML, '/cfg');
    expect(c.baseModel).toBe('/cfg/base');
    expect(c.experts[1]).toMatchObject({ sourceModel: '/cfg/b', positivePrompts: ['x y'], positivePromptIds: [[4, 5]], residualScale: 1.5 });
  });
  it(`answers ${RUNS} mutated files with a config or a typed error`, () => {
    fc.assert(fc.property(mutatedText(YAML, '{}[]:,-&*!|>%@`"\'#? \n0123456789'), yamlAnswers), { numRuns: RUNS, seed: 21 });
  });
  it(`answers ${RUNS} merge-shaped mappings with arbitrary values`, () => {
    fc.assert(fc.property(yamlShaped, yamlAnswers), { numRuns: RUNS, seed: 22 });
  });
  it('hostile files: an alias bomb, deep flow and block nesting, a huge file, tags', () => {
    const lol = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    timed(() => expect(() => parseMoEConfig(lol, '/cfg', 'lol.yaml')).toThrow(/lol\.yaml: not valid YAML .*alias/i));
    timed(() => expect(() => parseMoEConfig(`experts: ${'['.repeat(50_000)}${']'.repeat(50_000)}`, '/cfg', 'deep.yaml')).toThrow(/deep\.yaml:line 1: nesting deeper than 16 levels/));
    const block = Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    timed(() => expect(() => parseMoEConfig(block, '/cfg', 'block.yaml')).toThrow(/block\.yaml.*nesting deeper than 16 levels/));
    timed(() => expect(() => parseMoEConfig('- '.repeat(1_000_000), '/cfg', 'dash.yaml')).toThrow(/dash\.yaml:line 1: nesting deeper than the 128-column indentation limit/));
    timed(() => expect(() => parseMoEConfig(`# ${'x'.repeat(5 * 1024 * 1024)}`, '/cfg', 'huge.yaml')).toThrow(/huge\.yaml: file is \d+ bytes, over the 4194304-byte limit/));
    timed(() => expect(() => parseMoEConfig('base_model: !!js/function "f() {}"\nexperts: []', '/cfg', 'tag.yaml')).toThrow(/tag\.yaml|option experts/));
  });
});
