/**
 * The `baldistill` command line (bin entry: cli.ts). Node only. Commands:
 *   reproduce  spec section 5 (3 seeds, budget 400) with the issue's rule
 *   counts     the per-stage, per-domain teacher budgets for a pool (no calls made)
 *   collect    build a balanced chain-of-thought dataset from a long-tailed JSONL pool with an
 *              OpenAI-compatible teacher under a call budget (one-stage policies: no student needed),
 *              resumable with --state DIR
 * Exit codes: 0 ok, 2 bad input or options (OptionError, FormatError, ShapeError, unknown flags), 1 other.
 */
import { readFile } from 'node:fs/promises';
import {
  FormatError, OptionError, PaperkitError, ShapeError, finishReproduction, formatTable, parseJsonlLines, writeFileAtomic,
} from '@paperkit/tensor-core';
import { directoryStateStore } from './directory-state-store.js';
import { openAITeacher } from './openai-teacher.js';
import { runBalDistill, type Policy } from './run-bal-distill.js';
import { adaptiveCounts, naiveCounts } from './stage-counts.js';
import type { Example, Student } from './types.js';
import { reproduction } from './reproduce/index.js';

type FlagType = 'string' | 'number' | 'integer' | 'boolean';
interface FlagSpec {
  type: FlagType;
  default?: string | number | boolean;
  description: string;
}
interface Command {
  summary: string;
  usage: string;
  positionals?: string[];
  flags: Record<string, FlagSpec>;
  run(flags: Record<string, string | number | boolean | undefined>, positionals: string[], log: (line: string) => void): Promise<number>;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Parse `--flag value`, `--flag=value`, booleans and positionals; a bare `--` is ignored. */
export function parseFlags(argv: string[], spec: Record<string, FlagSpec>): { flags: Record<string, string | number | boolean | undefined>; positionals: string[]; help: boolean } {
  const flags: Record<string, string | number | boolean | undefined> = {};
  for (const [k, f] of Object.entries(spec)) flags[k] = f.default;
  const byFlag = new Map(Object.keys(spec).map((k) => [`--${kebab(k)}`, k]));
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (a === '--help' || a === '-h') {
      help = true;
      continue;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const key = byFlag.get(name);
    if (!key) throw new OptionError(name, `one of ${[...byFlag.keys()].join(', ') || '(no flags)'}`, a);
    const f = spec[key];
    if (f.type === 'boolean') {
      flags[key] = eq < 0 ? true : a.slice(eq + 1) !== 'false';
      continue;
    }
    const raw = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (raw === undefined || (eq < 0 && raw.startsWith('--'))) throw new OptionError(name, 'a value', raw ?? 'nothing');
    if (f.type === 'string') flags[key] = raw;
    else {
      const v = Number(raw);
      if (!Number.isFinite(v) || (f.type === 'integer' && !Number.isInteger(v))) throw new OptionError(name, f.type === 'integer' ? 'an integer' : 'a number', raw);
      flags[key] = v;
    }
  }
  return { flags, positionals, help };
}

function helpText(name: string, c: Command): string {
  const lines = Object.entries(c.flags).map(([k, f]) => `  --${kebab(k)}${f.type === 'boolean' ? '' : ` <${f.type}>`}`.padEnd(30) + `${f.description}${f.default !== undefined ? ` (default ${f.default})` : ''}`);
  return `usage: baldistill ${name} ${c.usage}\n\n${c.summary}\n\nflags:\n${lines.join('\n')}`;
}

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

const COMMANDS: Record<string, Command> = {
  reproduce: {
    summary: 'Spec section 5: BalDistill-N/-A against random, active, head-only, duplicate and one-stage balance on the seeded long-tailed world (3 seeds, budget 400, K 4; --quick: 1 seed, 80 student steps).',
    usage: '[--quick] [--seeds N] [--json FILE] [--plot FILE] [--synth-noise P]',
    flags: {
      quick: { type: 'boolean', description: 'smoke-size run' },
      seeds: { type: 'integer', description: 'number of seeds (full 3, quick 1)' },
      json: { type: 'string', description: 'write the ReproductionResult JSON here' },
      plot: { type: 'string', description: 'write an SVG bar chart here' },
      synthNoise: { type: 'number', default: 0, description: 'label-flip probability of synthetic examples (spec: 0 or 0.35)' },
    },
    async run(f, _p, log) {
      if (f.seeds !== undefined && !((f.seeds as number) >= 1)) throw new OptionError('--seeds', 'a positive integer', f.seeds);
      const noise = f.synthNoise as number;
      if (!(noise >= 0 && noise <= 1)) throw new OptionError('--synth-noise', 'a probability in [0, 1]', noise);
      const result = await reproduction.run({ quick: Boolean(f.quick), seeds: f.seeds as number | undefined, flags: { synthNoise: noise }, log });
      await finishReproduction(result, { json: f.json as string | undefined, plot: f.plot as string | undefined }, { log, plotMetrics: reproduction.plot.metrics });
      return 0;
    },
  },
  counts: {
    summary: 'Print the per-stage, per-domain teacher budgets c_d(i) (naive or adaptive) for domain sizes or a JSONL pool. Makes no call.',
    usage: '(--sizes 1000,217,89 | --pool pool.jsonl) --budget B [--stages K] [--policy adaptive|naive]',
    flags: {
      sizes: { type: 'string', description: 'pool size per domain, comma-separated' },
      pool: { type: 'string', description: 'JSONL pool {id, domain, input, gold?} (sizes counted from it)' },
      budget: { type: 'number', description: 'teacher calls B' },
      stages: { type: 'integer', default: 5, description: 'stages K' },
      policy: { type: 'string', default: 'adaptive', description: 'adaptive (BalDistill-A) or naive (BalDistill-N)' },
    },
    async run(f, _p, log) {
      let names: string[];
      let sizes: number[];
      if (f.pool) {
        const pool = await readPoolJsonl(f.pool as string);
        names = [...new Set(pool.map((e) => e.domain))];
        sizes = names.map((d) => pool.filter((e) => e.domain === d).length);
      } else if (f.sizes) {
        sizes = parseSizes(f.sizes as string);
        names = sizes.map((_, d) => `d${d}`);
      } else throw new OptionError('--sizes', '--sizes or --pool', undefined);
      const B = f.budget as number;
      const K = f.stages as number;
      if (!(B >= 1)) throw new OptionError('--budget', 'a number >= 1', B);
      if (!(K >= 1 && K <= B)) throw new OptionError('--stages', `an integer in [1, ${B}]`, K);
      if (f.policy !== 'adaptive' && f.policy !== 'naive') throw new OptionError('--policy', 'adaptive or naive', f.policy);
      const Bs = Math.floor(B / K);
      const rows = Array.from({ length: K }, (_, i) => {
        const c = f.policy === 'naive' ? naiveCounts(sizes.length, Bs) : adaptiveCounts({ sizes, stageBudget: Bs, stages: K, stage: i });
        return [`stage ${i}`, ...c, c.reduce((a, b) => a + b, 0)];
      });
      log(formatTable(['', ...names.map((n, d) => `${n} (${sizes[d]})`), 'sum'], rows));
      log(`B_s = floor(${B}/${K}) = ${Bs}; a domain whose remaining pool is below its count gets the shortfall synthesised.`);
      return 0;
    },
  },
  collect: {
    summary: 'Annotate a long-tailed JSONL pool with an OpenAI-compatible teacher under a call budget, synthesising tail examples (one-stage policies; no student), and write the kept examples as JSONL. Resumable with --state DIR.',
    usage: '<pool.jsonl> --base-url URL --model NAME --budget B --out data.jsonl [--policy balance] [--state DIR]',
    positionals: ['pool.jsonl'],
    flags: {
      baseUrl: { type: 'string', description: 'OpenAI-compatible API base, e.g. https://api.openai.com/v1' },
      model: { type: 'string', description: 'teacher model name' },
      apiKeyEnv: { type: 'string', default: 'OPENAI_API_KEY', description: 'environment variable holding the API key' },
      budget: { type: 'number', description: 'teacher calls B' },
      out: { type: 'string', description: 'output JSONL of kept examples (written atomically)' },
      policy: { type: 'string', default: 'balance', description: 'balance | random | duplicate | headOnly' },
      state: { type: 'string', description: 'state directory (resume after a crash without paying twice)' },
      concurrency: { type: 'integer', default: 4, description: 'requests in flight' },
      timeoutMs: { type: 'number', default: 60000, description: 'per-request timeout' },
      maxRetries: { type: 'integer', default: 4, description: 'retries on 429/5xx/timeouts' },
      seed: { type: 'integer', default: 0, description: 'selection seed' },
    },
    async run(f, p, log) {
      if (p.length !== 1) throw new OptionError('<pool.jsonl>', 'exactly one pool file', p);
      for (const k of ['baseUrl', 'model', 'out'] as const) if (!f[k]) throw new OptionError(`--${kebab(k)}`, 'a value', undefined);
      if (f.budget === undefined) throw new OptionError('--budget', 'a number >= 1', undefined);
      const one = ['balance', 'random', 'duplicate', 'headOnly'];
      if (!one.includes(f.policy as string)) throw new OptionError('--policy', `one of ${one.join(', ')} (the multi-stage policies need a student: use the library)`, f.policy);
      const pool = await readPoolJsonl(p[0]);
      const teacher = openAITeacher({ baseURL: f.baseUrl as string, model: f.model as string, apiKeyEnv: f.apiKeyEnv as string, concurrency: f.concurrency as number, timeoutMs: f.timeoutMs as number, maxRetries: f.maxRetries as number });
      const noStudent: Student<string, string, string> = {
        fit: async () => undefined,
        generate: async () => ({ rationale: '', answer: '' }),
        logLikelihood: async () => ({ sum: 0, tokens: 1 }),
      };
      const res = await runBalDistill({
        pool, teacher, student: noStudent, budget: f.budget as number, policy: f.policy as Policy, seed: f.seed as number,
        concurrency: f.concurrency as number, onTeacherError: 'skip', store: f.state ? directoryStateStore(f.state as string) : undefined, log,
      });
      await writeFileAtomic(f.out as string, res.data.map((e) => JSON.stringify(e)).join('\n') + (res.data.length ? '\n' : ''));
      const u = teacher.usage;
      log(`wrote ${res.data.length} examples to ${f.out}; ${res.ledger.spent}/${f.budget} calls charged; ${u.requests} HTTP requests (${u.retries} retries), ${u.promptTokens + u.completionTokens} tokens${res.resumed ? '; resumed from --state' : ''}`);
      return 0;
    },
  },
};

const TOP_HELP = `usage: baldistill <command> [flags]

Multi-stage balanced distillation (BalDistill, EMNLP 2024) under a teacher-call budget.

commands:
${Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary.split('. ')[0]}`).join('\n')}

Run \`baldistill <command> --help\` for a command's flags.`;

async function main(argv: string[], log: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const args = argv.filter((a) => a !== '--');
  const [name, ...rest] = args;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    log(TOP_HELP);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`baldistill: unknown command "${name}"\n\n${TOP_HELP}`);
    return 2;
  }
  try {
    const parsed = parseFlags(rest, command.flags);
    if (parsed.help) {
      log(helpText(name, command));
      return 0;
    }
    return await command.run(parsed.flags, parsed.positionals, log);
  } catch (err) {
    if (err instanceof OptionError || err instanceof FormatError || err instanceof ShapeError) {
      console.error(`baldistill ${name}: ${err.message}`);
      return 2;
    }
    const code = (err as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      console.error(`baldistill ${name}: ${(err as Error).message}`);
      return 2;
    }
    console.error(`baldistill ${name}: ${err instanceof PaperkitError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}

/** The CLI: `await cli.main(['reproduce', '--quick'])` resolves to the exit code. */
export const cli = { name: 'baldistill', summary: 'Multi-stage balanced distillation under a teacher budget', reproduction, main };
