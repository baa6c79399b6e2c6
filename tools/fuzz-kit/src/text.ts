/** Text-level mutations for the reader fuzz tests that parse strings (JSON, JSONL, YAML). */
import fc from 'fast-check';

/**
 * The seed text with one to four edits: a character replaced by one of `alphabet` (the format's syntax, the
 * edits most likely to reach deep code paths) or by up to three arbitrary characters, or the text cut short.
 */
export function mutatedText(seed: string, alphabet: string): fc.Arbitrary<string> {
  const syntax = fc.constantFrom(...alphabet.split(''));
  const edit = fc.record({ at: fc.nat(), ch: fc.oneof(syntax, fc.string({ maxLength: 3 })), cut: fc.boolean() });
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let s = seed;
    for (const e of edits) {
      const at = e.at % (s.length + 1);
      s = e.cut && e.at % 7 === 0 ? s.slice(0, at) : s.slice(0, at) + e.ch + s.slice(at + 1);
    }
    return s;
  });
}
