/**
 * Every package's reproduction is one `defineReproduction({...})`: the package
 * says what one seed measures (`runSeed`) and how the claim is judged from the
 * rows (`decide`); this owns the rest, so every reproduction runs, times,
 * summarises and reports the same way: the seed loop (seeds 0..n-1), the
 * backend, the wall clock, `rowsFromSeeds`, and the `ReproductionResult`.
 * Writing the JSON and SVG and printing the table is the Node runner's part
 * (`runReproduction` in `@paperkit/tensor-core/node`, and `defineCli`'s
 * `reproduce` subcommand), so a definition also runs in a page.
 */
import { OptionError } from '../errors.js';
import { rowsFromSeeds, type ResultRow, type ReproductionResult } from './reproduction-result.js';

/** An extra flag of a package's `reproduce` subcommand (beside --quick, --seeds, --json, --plot). */
export type FlagSpec =
  | { type: 'boolean'; description: string; default?: boolean }
  | { type: 'string'; description: string; default?: string; choices?: readonly string[] }
  | { type: 'number' | 'integer'; description: string; default?: number; min?: number; max?: number };

export type FlagSpecs = Record<string, FlagSpec>;

/** Flag values after parsing: the flag's default when not given. */
export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F]: F[K] extends { type: 'boolean' } ? boolean : F[K] extends { type: 'string' } ? string : number;
};

/** What one seed's run sees. */
export interface SeedContext<F extends FlagSpecs = FlagSpecs> {
  seed: number;
  /** Every seed of this run, in the order runSeed is called (a definition may schedule them together and hand back one seed's share per call). */
  seeds: readonly number[];
  quick: boolean;
  flags: FlagValues<F>;
  /** Lines for the person running it (stdout under the CLI). */
  log: (line: string) => void;
}

/** What `runSeeds` sees: the seeds of the run, without a current one. */
export type SeedsContext<F extends FlagSpecs = FlagSpecs> = Omit<SeedContext<F>, 'seed'>;

/** What one seed measured: `metrics[method][metric] = value`, plus free-form details. */
export interface SeedOutcome {
  metrics: Record<string, Record<string, number>>;
  /**
   * Further experiments' measurements, one table each (`tables[title][method][metric]`): summarised over
   * seeds like `metrics` into `ReproductionResult.tables`, and printed after the main table.
   */
  tables?: Record<string, Record<string, Record<string, number>>>;
  details?: Record<string, unknown>;
}

/** What `decide` sees: the summarised rows and every seed's details. */
export interface DecideContext<F extends FlagSpecs = FlagSpecs> {
  rows: ResultRow[];
  quick: boolean;
  seeds: number[];
  flags: FlagValues<F>;
  /** `details[i]` is seed i's `SeedOutcome.details` (an empty object when it gave none). */
  details: Record<string, unknown>[];
  /** The mean over seeds of one method's metric; throws OptionError naming what is missing. */
  metric(method: string, name: string): number;
  /** Per-seed values of one method's metric, in seed order. */
  values(method: string, name: string): number[];
  /** The further tables (`SeedOutcome.tables`), summarised over seeds, by title. */
  tables: Record<string, ResultRow[]>;
}

export interface Decision {
  holds: boolean;
  /** One or two sentences: what was measured against what was claimed. */
  verdict: string;
  details?: Record<string, unknown>;
}

export interface ReproductionDefinition<F extends FlagSpecs = FlagSpecs> {
  /** npm name, e.g. `@paperkit/divil`. */
  package: string;
  /** The claim, as the issue states the rule for `holds`. */
  claim: string;
  /** Seeds run by default at full size and with --quick. */
  seeds: { full: number; quick: number };
  flags?: F;
  /** What one seed measures (seeds run one after another). Give this or `runSeeds`. */
  runSeed?(ctx: SeedContext<F>): Promise<SeedOutcome> | SeedOutcome;
  /**
   * Every seed at once, one outcome per seed in seed order: for a definition that schedules the
   * work of all seeds together (e.g. on worker threads, `runWorkerJobs` in `./node`).
   */
  runSeeds?(ctx: SeedsContext<F>): Promise<SeedOutcome[]>;
  decide(ctx: DecideContext<F>): Decision;
  /** The SVG: metrics to chart (default: the first metric), or a function drawing the whole picture. */
  plot?: { metrics?: string[] } | ((result: ReproductionResult) => string | Promise<string>);
  /** Whether the reproduction computes with tensors: then `initBackend` runs first. Default true. */
  tensors?: boolean;
}

export interface RunReproductionOptions<F extends FlagSpecs = FlagSpecs> {
  quick?: boolean;
  /** Number of seeds (seeds 0..n-1). Default: the definition's `seeds.full` or `seeds.quick`. */
  seeds?: number;
  flags?: Partial<FlagValues<F>>;
  log?: (line: string) => void;
}

export interface Reproduction<F extends FlagSpecs = FlagSpecs> {
  readonly definition: ReproductionDefinition<F>;
  /** Run every seed and judge the claim; writes nothing. */
  run(options?: RunReproductionOptions<F>): Promise<ReproductionResult>;
}

/** Define a package's reproduction; see the module comment. */
export function defineReproduction<F extends FlagSpecs = Record<never, never>>(definition: ReproductionDefinition<F>): Reproduction<F> {
  for (const key of ['full', 'quick'] as const) {
    const n = definition.seeds[key];
    if (!Number.isInteger(n) || n < 1) throw new OptionError(`${definition.package} reproduction seeds.${key}`, 'an integer >= 1', n);
  }
  if (!definition.runSeed === !definition.runSeeds) throw new OptionError(`${definition.package} reproduction`, 'exactly one of runSeed and runSeeds', definition.runSeed ? 'both' : 'neither');
  return {
    definition,
    async run(options = {}) {
      const quick = options.quick ?? false;
      const count = options.seeds ?? (quick ? definition.seeds.quick : definition.seeds.full);
      if (!Number.isInteger(count) || count < 1) throw new OptionError('seeds', 'an integer >= 1', count);
      const flags = resolveFlags(definition.flags ?? ({} as F), options.flags ?? {});
      const log = options.log ?? ((line: string) => console.log(line));
      const seeds = Array.from({ length: count }, (_, i) => i);
      const started = performance.now();
      // Imported here, not at load: a package without tensors (tensors: false) runs without @tensorflow/tfjs installed.
      const backend = definition.tensors === false ? 'none' : (await (await import('../backend/init-backend.js')).initBackend({ quiet: true })).name;
      const metrics: SeedOutcome['metrics'][] = [];
      const tables = new Map<string, SeedOutcome['metrics'][]>();
      const details: Record<string, unknown>[] = [];
      const outcomes = definition.runSeeds ? await definition.runSeeds({ seeds, quick, flags, log }) : null;
      if (outcomes && outcomes.length !== count) throw new OptionError(`${definition.package} runSeeds`, `${count} outcomes (one per seed)`, `${outcomes.length}`);
      for (const seed of seeds) {
        if (count > 1 && !outcomes) log(`seed ${seed + 1}/${count}`);
        const outcome = outcomes ? outcomes[seed] : await definition.runSeed!({ seed, seeds, quick, flags, log });
        metrics.push(outcome.metrics);
        for (const [title, table] of Object.entries(outcome.tables ?? {})) {
          if (!tables.has(title)) tables.set(title, []);
          tables.get(title)!.push(table);
        }
        details.push(outcome.details ?? {});
      }
      const rows = rowsFromSeeds(metrics);
      const extraTables = [...tables].map(([title, perSeed]) => ({ title, rows: rowsFromSeeds(perSeed) }));
      const find = (method: string, name: string) => {
        const row = rows.find((r) => r.method === method);
        if (!row) throw new OptionError('decide: method', `one of ${rows.map((r) => JSON.stringify(r.method)).join(', ')}`, method);
        const summary = row.metrics[name];
        if (!summary) throw new OptionError(`decide: metric of "${method}"`, `one of ${Object.keys(row.metrics).map((m) => JSON.stringify(m)).join(', ')}`, name);
        return summary;
      };
      const decision = definition.decide({
        rows, quick, seeds, flags, details,
        tables: Object.fromEntries(extraTables.map((t) => [t.title, t.rows])),
        metric: (method, name) => find(method, name).mean,
        values: (method, name) => [...find(method, name).values],
      });
      const perSeed = details.some((d) => Object.keys(d).length > 0) ? { perSeed: details } : {};
      const extra = { ...perSeed, ...(decision.details ?? {}) };
      return {
        package: definition.package,
        claim: definition.claim,
        quick,
        seeds,
        backend,
        seconds: (performance.now() - started) / 1000,
        rows,
        ...(extraTables.length > 0 ? { tables: extraTables } : {}),
        holds: decision.holds,
        verdict: decision.verdict,
        ...(Object.keys(extra).length > 0 ? { details: extra } : {}),
      };
    },
  };
}

/** `dropTtftMs` -> `drop-ttft-ms`: spec keys are camelCase, flags are typed in kebab-case. */
export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Defaults for flags not given, and a check of the given ones against their specs. */
export function resolveFlags<F extends FlagSpecs>(specs: F, given: Partial<Record<string, unknown>>): FlagValues<F> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!(key in specs)) throw new OptionError(`--${kebabCase(key)}`, Object.keys(specs).length ? `one of ${Object.keys(specs).map((k) => `--${kebabCase(k)}`).join(', ')}` : 'no extra flag', 'an unknown flag');
  }
  for (const [key, spec] of Object.entries(specs)) {
    const value = given[key] ?? spec.default ?? (spec.type === 'boolean' ? false : undefined);
    if (value === undefined) throw new OptionError(`--${kebabCase(key)}`, `a ${spec.type} (${spec.description})`, undefined);
    out[key] = checkFlag(kebabCase(key), spec, value);
  }
  return out as FlagValues<F>;
}

/** Check one flag value (already converted from text by the CLI) against its spec. */
export function checkFlag(key: string, spec: FlagSpec, value: unknown): unknown {
  const name = `--${key}`;
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new OptionError(name, 'true or false', value);
      return value;
    case 'string':
      if (typeof value !== 'string') throw new OptionError(name, 'a string', value);
      if (spec.choices && !spec.choices.includes(value)) throw new OptionError(name, `one of ${spec.choices.join(', ')}`, value);
      return value;
    default: {
      const ok = typeof value === 'number' && Number.isFinite(value) && (spec.type === 'number' || Number.isInteger(value));
      const range = `${spec.min !== undefined ? ` >= ${spec.min}` : ''}${spec.max !== undefined ? ` <= ${spec.max}` : ''}`;
      if (!ok || (spec.min !== undefined && (value as number) < spec.min) || (spec.max !== undefined && (value as number) > spec.max)) {
        throw new OptionError(name, `${spec.type === 'integer' ? 'an integer' : 'a number'}${range}`, value);
      }
      return value;
    }
  }
}
