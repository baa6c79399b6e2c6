/**
 * A Teacher behind any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp server, Ollama,
 * ...): POST {baseURL}/chat/completions with {model, messages, temperature, max_tokens}.
 * - annotate: zero-shot chain of thought, the gold answer given when known (paper sec. 3.6); the reply must
 *   end with "The answer is: <answer>" (the official target format).
 * - synthesize: one request per new example, showing up to `maxDemos` of the domain's annotated examples
 *   (the paper's synthesis prompt is unpublished; this one is ours, replaceable by `synthesizePrompt`).
 * Robustness: a per-attempt timeout, retries with exponential backoff on 429, 5xx, timeouts and network
 * errors (honouring Retry-After), and at most `concurrency` requests in flight. Uses the global fetch only,
 * so it runs in browsers too; the API key comes from `apiKey` or the environment variable `apiKeyEnv`.
 */
import { FormatError, OptionError, defineOptions, opt } from '@paperkit/tensor-core';
import { Semaphore } from './concurrency.js';
import { TeacherRequestError } from './errors.js';
import type { Annotated, Example, Response, Teacher } from './types.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface OpenAITeacherOptions {
  /** e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1 */
  baseURL: string;
  model: string;
  /** API key; default: the environment variable `apiKeyEnv` (none: no Authorization header, for local servers). */
  apiKey?: string;
  apiKeyEnv?: string;
  temperature?: number;
  maxTokens?: number;
  /** Per attempt, milliseconds. */
  timeoutMs?: number;
  /** Retries after the first attempt (429, 5xx, timeout, network error). */
  maxRetries?: number;
  /** First backoff, doubled per retry, capped at maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Demos shown per synthesis request. */
  maxDemos?: number;
  system?: string;
  /** The user message of an annotation. */
  annotatePrompt?: (ex: Example<string, string>) => string;
  /** The user message of one synthesis request (k: which of the n requested). */
  synthesizePrompt?: (domain: string, demos: Annotated<string, string, string>[], k: number) => string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** fetch implementation (default the global one). */
  fetch?: typeof fetch;
}

/** openAITeacher's options and defaults. */
export const OPENAI_TEACHER_OPTIONS = defineOptions('openAITeacher', {
  baseURL: opt.custom<string>('an http(s) URL such as https://api.openai.com/v1', (v) => typeof v === 'string' && /^https?:\/\//.test(v)),
  model: opt.string({ nonEmpty: true }),
  apiKey: opt.optional(opt.string()),
  apiKeyEnv: opt.string({ nonEmpty: true, default: 'OPENAI_API_KEY' }),
  temperature: opt.number({ min: 0, default: 0 }),
  maxTokens: opt.integer({ min: 1, default: 512 }),
  timeoutMs: opt.number({ min: 0, exclusiveMin: true, default: 60_000 }),
  maxRetries: opt.integer({ min: 0, default: 4 }),
  backoffMs: opt.number({ min: 0, default: 500 }),
  maxBackoffMs: opt.number({ min: 0, default: 20_000 }),
  concurrency: opt.integer({ min: 1, default: 4 }),
  maxDemos: opt.integer({ min: 0, default: 3 }),
  system: opt.string({ default: 'You are a careful expert. Reason step by step, then give the final answer on its own line as "The answer is: <answer>".' }),
  annotatePrompt: opt.optional(opt.func()),
  synthesizePrompt: opt.optional(opt.func()),
  headers: opt.optional(opt.custom<Record<string, string>>('an object of header strings', (v) => typeof v === 'object' && v !== null)),
  fetch: opt.optional(opt.func()),
});
export const OPENAI_TEACHER_DEFAULTS = OPENAI_TEACHER_OPTIONS.defaults;

/** Requests, retries and tokens used so far (the OpenAI `usage` fields summed). */
export interface TeacherUsage {
  requests: number;
  retries: number;
  failures: number;
  unparsable: number;
  promptTokens: number;
  completionTokens: number;
}

const ANSWER = /the answer is\s*:?\s*/gi;

/** Split a chain-of-thought reply into rationale and the answer after the last "The answer is:". */
export function parseAnswer(text: string): Response<string, string> | null {
  let last: RegExpExecArray | null = null;
  for (let m = ANSWER.exec(text); m; m = ANSWER.exec(text)) last = m;
  ANSWER.lastIndex = 0;
  if (!last) return null;
  const answer = text.slice(last.index + last[0].length).split('\n')[0].trim().replace(/[.\s]+$/, '');
  if (!answer) return null;
  return { rationale: text.slice(0, last.index).trim(), answer };
}

/** Parse "Question: ... Reasoning: ... The answer is: ..." into an input, rationale and answer. */
export function parseSynthesized(text: string): { input: string; rationale: string; answer: string } | null {
  const m = /question\s*:\s*([\s\S]*?)\n\s*reasoning\s*:\s*([\s\S]*)$/i.exec(text.trim());
  if (!m) return null;
  const parsed = parseAnswer(m[2]);
  if (!parsed || !m[1].trim()) return null;
  return { input: m[1].trim(), rationale: parsed.rationale, answer: parsed.answer };
}

function defaultAnnotatePrompt(ex: Example<string, string>): string {
  const hint = ex.gold !== undefined ? `\nThe correct answer is: ${ex.gold}. Explain step by step why it is correct.` : '\nThink step by step.';
  return `Question: ${ex.input}${hint}\nFinish with a line "The answer is: <answer>".`;
}

function defaultSynthesizePrompt(domain: string, demos: Annotated<string, string, string>[]): string {
  const shown = demos.map((d) => `Question: ${d.input}\nReasoning: ${d.rationale}\nThe answer is: ${d.answer}`).join('\n\n');
  return (
    `Domain: ${domain}\n` +
    (shown ? `Examples from this domain:\n\n${shown}\n\n` : '') +
    'Write ONE new question from this domain, different from the examples, then solve it. Use exactly this format:\n' +
    'Question: <the question>\nReasoning: <step by step reasoning>\nThe answer is: <answer>'
  );
}

function envKey(name: string): string | undefined {
  // No node:process import: this module must load in browsers, where there is no environment.
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class OpenAITeacher implements Teacher<string, string, string> {
  readonly usage: TeacherUsage = { requests: 0, retries: 0, failures: 0, unparsable: 0, promptTokens: 0, completionTokens: 0 };
  private readonly o: typeof OPENAI_TEACHER_DEFAULTS & OpenAITeacherOptions;
  private readonly url: string;
  private readonly key: string | undefined;
  private readonly gate: Semaphore;

  constructor(options: OpenAITeacherOptions) {
    OPENAI_TEACHER_OPTIONS.parse(Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) as never);
    const o = { ...OPENAI_TEACHER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof OPENAI_TEACHER_DEFAULTS & OpenAITeacherOptions;
    const f = o.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (typeof f !== 'function') throw new OptionError('openAITeacher.fetch', 'a fetch function (no global fetch here)', f);
    this.o = { ...o, fetch: f };
    this.url = `${o.baseURL.replace(/\/+$/, '')}/chat/completions`;
    this.key = o.apiKey ?? envKey(o.apiKeyEnv);
    this.gate = new Semaphore(o.concurrency);
  }

  /** One chat completion (system + user message); returns the assistant's text. */
  async complete(user: string): Promise<string> {
    return this.gate.run(() => this.request([{ role: 'system', content: this.o.system }, { role: 'user', content: user }]));
  }

  private async request(messages: ChatMessage[]): Promise<string> {
    const body = JSON.stringify({ model: this.o.model, messages, temperature: this.o.temperature, max_tokens: this.o.maxTokens });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.o.headers };
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    for (let attempt = 0; ; attempt++) {
      this.usage.requests++;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.o.timeoutMs);
      let status: number | 'timeout' | 'network';
      let detail = '';
      let retryAfterMs: number | undefined;
      try {
        const res = await this.o.fetch!(this.url, { method: 'POST', headers, body, signal: controller.signal });
        if (res.ok) {
          const json = (await res.json()) as { choices?: Array<{ message?: { content?: unknown } }>; usage?: { prompt_tokens?: number; completion_tokens?: number } };
          const content = json?.choices?.[0]?.message?.content;
          if (typeof content !== 'string') throw new FormatError(this.url, 'expected choices[0].message.content to be a string in the chat completion');
          this.usage.promptTokens += json.usage?.prompt_tokens ?? 0;
          this.usage.completionTokens += json.usage?.completion_tokens ?? 0;
          return content;
        }
        status = res.status;
        detail = (await res.text().catch(() => '')).slice(0, 200);
        const ra = Number(res.headers.get('retry-after'));
        if (Number.isFinite(ra) && ra >= 0) retryAfterMs = ra * 1000;
      } catch (err) {
        if (err instanceof FormatError) throw err;
        status = controller.signal.aborted ? 'timeout' : 'network';
        detail = err instanceof Error ? err.message : String(err);
      } finally {
        clearTimeout(timer);
      }
      const retryable = status === 'timeout' || status === 'network' || status === 429 || status >= 500;
      if (!retryable || attempt >= this.o.maxRetries) {
        this.usage.failures++;
        throw new TeacherRequestError(this.url, status, detail, attempt + 1);
      }
      this.usage.retries++;
      const backoff = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** attempt);
      await sleep(Math.min(this.o.maxBackoffMs, retryAfterMs ?? backoff));
    }
  }

  async annotate(ex: Example<string, string>): Promise<Response<string, string>> {
    const text = await this.complete((this.o.annotatePrompt ?? defaultAnnotatePrompt)(ex));
    const parsed = parseAnswer(text);
    if (!parsed) {
      this.usage.unparsable++;
      throw new FormatError(`teacher ${this.o.model}`, `reply has no "The answer is: ..." line: ${JSON.stringify(text.slice(0, 120))}`, `example "${ex.id}"`);
    }
    return parsed;
  }

  /** n requests (at most `concurrency` at a time); replies that do not parse are dropped (and counted in usage). */
  async synthesize(domain: string, demos: Annotated<string, string, string>[], n: number): Promise<Annotated<string, string, string>[]> {
    const prompt = this.o.synthesizePrompt ?? ((d, ds) => defaultSynthesizePrompt(d, ds));
    const replies = await Promise.all(
      Array.from({ length: n }, (_, k) => {
        // Rotate through the demos so the n requests do not all see the same few.
        const shown = Array.from({ length: Math.min(this.o.maxDemos, demos.length) }, (_, j) => demos[(k * this.o.maxDemos + j) % demos.length]);
        return this.complete(prompt(domain, shown, k));
      }),
    );
    const out: Annotated<string, string, string>[] = [];
    replies.forEach((text, k) => {
      const p = parseSynthesized(text);
      if (!p) {
        this.usage.unparsable++;
        return;
      }
      out.push({ id: `${domain}#synth-${k}`, domain, input: p.input, rationale: p.rationale, answer: p.answer, synthetic: true });
    });
    return out;
  }
}

/** The HTTP teacher: `openAITeacher({baseURL, model})` (key from OPENAI_API_KEY unless `apiKey`/`apiKeyEnv`). */
export function openAITeacher(options: OpenAITeacherOptions): OpenAITeacher {
  return new OpenAITeacher(options);
}
