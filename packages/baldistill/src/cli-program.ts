/**
 * The `baldistill` command line (bin entry: cli.ts). Node only. Commands:
 *   reproduce  spec section 5 (3 seeds, budget 400) with the rule
 *   counts     the per-stage, per-domain teacher budgets for a pool (no calls made)
 *   collect    build a balanced chain-of-thought dataset from a long-tailed JSONL pool with an
 *              OpenAI-compatible teacher under a call budget (one-stage policies: no student needed),
 *              resumable with --state DIR
 * Exit codes: 0 ok, 2 bad input or options (OptionError, FormatError, ShapeError, unknown flags), 1 other.
 */
import { readFile } from 'node:fs/promises';
import { FormatError, OptionError, formatTable, parseJsonlLines } from '@paperkit/tensor-core';
import { defineCli, writeFileAtomic } from '@paperkit/tensor-core/node';
import { directoryStateStore } from './directory-state-store.js';
import { openAITeacher } from './openai-teacher.js';
import { runBalDistill, type Policy } from './run-bal-distill.js';
import { adaptiveCounts, naiveCounts } from './stage-counts.js';
import type { Example, Student } from './types.js';
import { reproduction } from './reproduce/index.js';

/** Read a pool: one JSON object per line, {id, domain, input, gold?}. Errors name file:line. */
export async function readPoolJsonl(path: string): Promise<Example<string, string>[]> {
  const text = await readFile(path, 'utf8');
  return parseJsonlLines(text, path).map(({ line, value }) => {
    const v = value as Record<string, unknown>;
    if (!v || typeof v !== 'object') throw new FormatError(path, 'expected an object {id, domain, input, gold?}', line);
    for (const k of ['id', 'domain', 'input'] as const) if (typeof v[k] !== 'string' || v[k] === '') throw new FormatError(path, `"${k}" must be a non-empty string`, line);
    if (v.gold !== undefined && typeof v.gold !== 'string') throw new FormatError(path, '"gold" must be a string when present', line);
    return { id: v.id as string, domain: v.domain as string, input: v.input as string, ...(v.gold !== undefined ? { gold: v.gold as string } : {}) };
  });
}

function parseSizes(text: string): number[] {
  const sizes = text.split(',').map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !(Number.isInteger(n) && n >= 0))) throw new OptionError('--sizes', 'comma-separated non-negative integers, e.g. 1000,217,89', text);
  return sizes;
}

const ONE_STAGE_POLICIES = ['balance', 'random', 'duplicate', 'headOnly'] as const;

export const cli = defineCli({
  name: 'baldistill',
  summary: 'Multi-stage balanced distillation (BalDistill, EMNLP 2024) under a teacher-call budget.',
  reproduction,
  commands: {
    counts: {
      summary: 'print the per-stage, per-domain teacher budgets c_d(i) for a pool (makes no call)',
      description: 'Give the domain sizes (--sizes 1000,217,89) or a JSONL pool {id, domain, input, gold?}. A domain whose remaining pool is below its count gets the shortfall synthesised.',
      flags: {
        sizes: { type: 'string', description: 'pool size per domain, comma-separated' },
        pool: { type: 'string', description: 'JSONL pool (sizes counted from it)' },
        budget: { type: 'number', min: 1, required: true, description: 'teacher calls B' },
        stages: { type: 'integer', min: 1, default: 5, description: 'stages K' },
        policy: { type: 'string', choices: ['adaptive', 'naive'], default: 'adaptive', description: 'adaptive (BalDistill-A) or naive (BalDistill-N)' },
      },
      async run({ flags, log }) {
        let names: string[];
        let sizes: number[];
        if (flags.pool) {
          const pool = await readPoolJsonl(flags.pool);
          names = [...new Set(pool.map((e) => e.domain))];
          sizes = names.map((d) => pool.filter((e) => e.domain === d).length);
        } else if (flags.sizes) {
          sizes = parseSizes(flags.sizes);
          names = sizes.map((_, d) => `d${d}`);
        } else throw new OptionError('--sizes', '--sizes or --pool', undefined);
        const B = flags.budget as number;
        const K = flags.stages as number;
        if (K > B) throw new OptionError('--stages', `an integer in [1, ${B}]`, K);
        const Bs = Math.floor(B / K);
        const rows = Array.from({ length: K }, (_, i) => {
          const c = flags.policy === 'naive' ? naiveCounts(sizes.length, Bs) : adaptiveCounts({ sizes, stageBudget: Bs, stages: K, stage: i });
          return [`stage ${i}`, ...c, c.reduce((a, b) => a + b, 0)];
        });
        log(formatTable(['', ...names.map((n, d) => `${n} (${sizes[d]})`), 'sum'], rows));
        log(`B_s = floor(${B}/${K}) = ${Bs}; a domain whose remaining pool is below its count gets the shortfall synthesised.`);
      },
    },
    collect: {
      summary: 'annotate a long-tailed JSONL pool with an OpenAI-compatible teacher under a call budget, synthesising tail examples, and write the kept examples as JSONL',
      description: 'One-stage policies (no student needed); resumable with --state DIR. The API key is read from --api-key-env (default OPENAI_API_KEY).',
      positionals: [{ name: 'pool', description: 'pool.jsonl: one {id, domain, input, gold?} per line' }],
      flags: {
        baseUrl: { type: 'string', required: true, description: 'OpenAI-compatible API base, e.g. https://api.openai.com/v1' },
        model: { type: 'string', required: true, description: 'teacher model name' },
        budget: { type: 'number', min: 1, required: true, description: 'teacher calls B' },
        out: { type: 'string', required: true, short: 'o', description: 'output JSONL of kept examples (written atomically)' },
        apiKeyEnv: { type: 'string', default: 'OPENAI_API_KEY', description: 'environment variable holding the API key' },
        policy: { type: 'string', choices: ONE_STAGE_POLICIES, default: 'balance', description: 'balance | random | duplicate | headOnly (the staged policies need a student: use the library)' },
        state: { type: 'string', description: 'state directory (resume after a crash without paying twice)' },
        concurrency: { type: 'integer', min: 1, default: 4, description: 'requests in flight' },
        timeoutMs: { type: 'number', min: 1, default: 60000, description: 'per-request timeout' },
        maxRetries: { type: 'integer', min: 0, default: 4, description: 'retries on 429/5xx/timeouts' },
        seed: { type: 'integer', default: 0, description: 'selection seed' },
      },
      async run({ flags, args, log }) {
        const pool = await readPoolJsonl(args.pool);
        const teacher = openAITeacher({ baseURL: flags.baseUrl, model: flags.model, apiKeyEnv: flags.apiKeyEnv, concurrency: flags.concurrency, timeoutMs: flags.timeoutMs, maxRetries: flags.maxRetries });
        const noStudent: Student<string, string, string> = {
          fit: async () => undefined,
          generate: async () => ({ rationale: '', answer: '' }),
          logLikelihood: async () => ({ sum: 0, tokens: 1 }),
        };
        const res = await runBalDistill({
          pool, teacher, student: noStudent, budget: flags.budget, policy: flags.policy as Policy, seed: flags.seed,
          concurrency: flags.concurrency, onTeacherError: 'skip', store: flags.state ? directoryStateStore(flags.state) : undefined, log,
        });
        await writeFileAtomic(flags.out, res.data.map((e) => JSON.stringify(e)).join('\n') + (res.data.length ? '\n' : ''));
        const u = teacher.usage;
        log(`wrote ${res.data.length} examples to ${flags.out}; ${res.ledger.spent}/${flags.budget} calls charged; ${u.requests} HTTP requests (${u.retries} retries), ${u.promptTokens + u.completionTokens} tokens${res.resumed ? '; resumed from --state' : ''}`);
      },
    },
  },
});
