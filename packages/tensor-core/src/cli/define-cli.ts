/**
 * The one command-line shape of every paperkit bin. A package describes its
 * commands (flags, positionals, a `run`), optionally hands over its
 * reproduction, and gets `main(argv)`, which returns the exit code instead of
 * exiting, so tests drive the CLI in-process:
 *
 * - `<bin> --help` and `<bin> <command> --help` print usage;
 * - exit 0 on success, 2 for bad input (unknown or malformed flags, missing
 *   arguments, any OptionError/ShapeError/FormatError, whose message is
 *   printed alone; also a named file that cannot be opened), 1 for any other
 *   failure (printed with its stack);
 * - a bare `--` anywhere is dropped (pnpm passes it through: `pnpm cli -- x`);
 * - flags are `--name value`, `--name=value`, `--no-name` for booleans, and a
 *   one-letter `short` alias; spec keys are camelCase, typed as kebab-case.
 *
 * The bin file is one line: `runMain(cli)`.
 */
import { isInputError, OptionError, PaperkitError } from '../errors.js';
import { checkFlag, kebabCase as kebab, type FlagSpec, type Reproduction } from '../report/define-reproduction.js';
import { runReproduction } from './run-reproduction.js';

/** A command's flag: a reproduce flag spec plus CLI-only extras. */
export type CliFlag = FlagSpec & {
  /** One-letter alias, without the dash (`o` for `-o`). */
  short?: string;
  /** The flag must be given (it has no default). */
  required?: boolean;
  /** Convert the text yourself (e.g. `5GB` -> bytes); throw an OptionError for bad text. */
  parse?: (text: string) => unknown;
};

export interface CliPositional {
  name: string;
  description: string;
  /** Default true. Optional positionals must come after the required ones. */
  required?: boolean;
  /** Takes every remaining positional (the last one only). */
  variadic?: boolean;
}

/** What a command's `run` receives. */
export interface CommandInput {
  /** Flag values by spec key: the given value, else the default, else undefined (false for booleans). */
  flags: Record<string, any>;
  /** Positional values by name (a string[] for a variadic one; undefined when an optional one is absent). */
  args: Record<string, any>;
  log: (line: string) => void;
  error: (line: string) => void;
}

export interface CliCommand {
  summary: string;
  /** Longer text printed under the usage line of `--help`. */
  description?: string;
  positionals?: CliPositional[];
  flags?: Record<string, CliFlag>;
  /** Return the exit code (default 0). */
  run(input: CommandInput): Promise<number | void> | number | void;
}

export interface CliDefinition {
  /** The bin's name, as typed. */
  name: string;
  summary: string;
  /** Adds `reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE]` plus the reproduction's own flags. */
  reproduction?: Reproduction<any>;
  commands?: Record<string, CliCommand>;
  /** The command run when the first argument names none (e.g. `moe-merge config.yaml out/`). */
  defaultCommand?: string;
  /** Extra help text (environment variables, examples), printed at the end of the top-level help. */
  epilog?: string;
}

export interface CliIO {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
}

export interface Cli {
  readonly definition: CliDefinition;
  readonly commands: Readonly<Record<string, CliCommand>>;
  /** Run with `argv` (without node and the script); resolves to the exit code. */
  main(argv: readonly string[], io?: CliIO): Promise<number>;
}

/** A command-line usage mistake (exit 2). */
export class CliUsageError extends OptionError {
  static override readonly code: string = 'CliUsageError';
}


/** The `reproduce` subcommand of a reproduction. */
export function reproduceCommand(reproduction: Reproduction<any>): CliCommand {
  const def = reproduction.definition;
  return {
    summary: `run the paper's reproduction (${def.seeds.full} seeds; --quick: ${def.seeds.quick}, smoke size) and judge the claim`,
    description: `claim: ${def.claim}`,
    flags: {
      quick: { type: 'boolean', description: 'smoke-size run (seconds, for CI)' },
      seeds: { type: 'integer', min: 1, description: `number of seeds, 0..N-1 (default ${def.seeds.full}, quick ${def.seeds.quick})` },
      json: { type: 'string', description: 'write the ReproductionResult JSON here (atomically)' },
      plot: { type: 'string', description: 'write an SVG chart here' },
      ...(def.flags ?? {}),
    },
    async run({ flags, log }) {
      const { quick, seeds, json, plot, ...own } = flags;
      await runReproduction(reproduction, { quick, seeds, json, plot, flags: own, log });
      return 0;
    },
  };
}

/** Define a bin; see the module comment. */
export function defineCli(definition: CliDefinition): Cli {
  const commands: Record<string, CliCommand> = { ...(definition.commands ?? {}) };
  if (definition.reproduction && !commands.reproduce) commands.reproduce = reproduceCommand(definition.reproduction);
  if (definition.defaultCommand !== undefined && !commands[definition.defaultCommand]) {
    throw new OptionError(`${definition.name} defaultCommand`, `one of ${Object.keys(commands).join(', ')}`, definition.defaultCommand);
  }
  return {
    definition,
    commands,
    async main(argv, io = {}) {
      const log = io.stdout ?? ((line: string) => console.log(line));
      const error = io.stderr ?? ((line: string) => console.error(line));
      const tokens = argv.filter((a) => a !== '--');
      try {
        const first = tokens[0];
        if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
          if (first === 'help' && tokens[1] && commands[tokens[1]]) log(commandHelp(definition.name, tokens[1], commands[tokens[1]]));
          else log(topHelp(definition, commands));
          return first === undefined && definition.defaultCommand === undefined ? 2 : 0;
        }
        if (first === '--version' || first === '-V') {
          log(definition.name);
          return 0;
        }
        let name = first;
        let rest = tokens.slice(1);
        if (!commands[first]) {
          if (definition.defaultCommand === undefined || first.startsWith('-') && !tokens.some((t) => !t.startsWith('-'))) {
            throw new CliUsageError('command', `one of ${Object.keys(commands).join(', ')} (see ${definition.name} --help)`, first);
          }
          name = definition.defaultCommand;
          rest = tokens;
        }
        const command = commands[name];
        if (rest.includes('--help') || rest.includes('-h')) {
          log(commandHelp(definition.name, name, command));
          return 0;
        }
        const input = parseCommand(name, command, rest);
        const code = await command.run({ ...input, log, error });
        return typeof code === 'number' ? code : 0;
      } catch (caught) {
        if (isInputError(caught) || isMissingFile(caught)) {
          error(`${definition.name}: ${(caught as Error).message}`);
          return 2;
        }
        error(PaperkitError.isInstance(caught) ? `${definition.name}: ${(caught as Error).message}` : `${definition.name}: ${(caught as Error)?.stack ?? String(caught)}`);
        return 1;
      }
    },
  };
}

/** A file the user named that cannot be opened (no such file, a folder, no permission): bad input too. */
function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ENOENT', 'EISDIR'].includes(code);
}

/** Parse one command's arguments into flag and positional values. */
export function parseCommand(name: string, command: CliCommand, argv: readonly string[]): Pick<CommandInput, 'flags' | 'args'> {
  const specs = command.flags ?? {};
  const byName = new Map<string, string>();
  const byShort = new Map<string, string>();
  for (const [key, spec] of Object.entries(specs)) {
    byName.set(kebab(key), key);
    if (spec.short) byShort.set(spec.short, key);
  }
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const usage = (what: string, got: unknown) => new CliUsageError(`${name}`, what, got);
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('-') || token === '-' || /^-\d/.test(token)) {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const raw = token.startsWith('--') ? token.slice(2, eq < 0 ? undefined : eq) : token.slice(1, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    let key = token.startsWith('--') ? byName.get(raw) : byShort.get(raw);
    let negated = false;
    if (key === undefined && token.startsWith('--') && raw.startsWith('no-')) {
      const plain = byName.get(raw.slice(3));
      if (plain !== undefined && specs[plain].type === 'boolean') {
        key = plain;
        negated = true;
      }
    }
    if (key === undefined) {
      const known = Object.keys(specs).map((k) => `--${kebab(k)}`).join(', ');
      throw usage(known ? `one of the flags ${known}` : 'no flags', token);
    }
    const spec = specs[key];
    const flag = `--${kebab(key)}`;
    if (spec.type === 'boolean') {
      if (inline !== undefined) {
        if (!['true', 'false'].includes(inline)) throw new CliUsageError(flag, 'true or false', inline);
        values[key] = (inline === 'true') !== negated;
      } else values[key] = !negated;
      continue;
    }
    const text = inline ?? argv[++i];
    if (text === undefined || (inline === undefined && text.startsWith('--'))) throw new CliUsageError(flag, `a value (${spec.description})`, text ?? 'nothing');
    values[key] = convert(key, spec, text);
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (values[key] !== undefined) continue;
    if (spec.required) throw new CliUsageError(`--${kebab(key)}`, `a value (${spec.description})`, 'nothing');
    values[key] = spec.default ?? (spec.type === 'boolean' ? false : undefined);
  }
  const args: Record<string, unknown> = {};
  const declared = command.positionals ?? [];
  let at = 0;
  for (const p of declared) {
    if (p.variadic) {
      args[p.name] = positionals.slice(at);
      at = positionals.length;
      if (p.required !== false && (args[p.name] as string[]).length === 0) throw new CliUsageError(`<${p.name}>`, p.description, 'nothing');
      continue;
    }
    const value = positionals[at++];
    if (value === undefined && p.required !== false) throw new CliUsageError(`<${p.name}>`, p.description, 'nothing');
    args[p.name] = value;
  }
  if (at < positionals.length) throw new CliUsageError(name, declared.length ? `at most ${declared.length} argument(s)` : 'no arguments', positionals.slice(at).join(' '));
  return { flags: values, args };
}

function convert(key: string, spec: CliFlag, text: string): unknown {
  if (spec.parse) return spec.parse(text);
  if (spec.type === 'string') return checkFlag(kebab(key), spec, text);
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new CliUsageError(`--${kebab(key)}`, spec.type === 'integer' ? 'an integer' : 'a number', text);
  return checkFlag(kebab(key), spec, n);
}

function topHelp(def: CliDefinition, commands: Record<string, CliCommand>): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length), 4) + 2;
  const lines = [
    `usage: ${def.name} <command> [options]${def.defaultCommand ? `   (default command: ${def.defaultCommand})` : ''}`,
    '',
    def.summary,
    '',
    'commands:',
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}${c.summary}`),
    '',
    `Run \`${def.name} <command> --help\` for a command's arguments and options.`,
  ];
  if (def.epilog) lines.push('', def.epilog.trimEnd());
  return lines.join('\n');
}

/** The `--help` text of one command. */
export function commandHelp(bin: string, name: string, command: CliCommand): string {
  const positionals = (command.positionals ?? []).map((p) => {
    const inner = `${p.name}${p.variadic ? '...' : ''}`;
    return p.required === false ? `[${inner}]` : `<${inner}>`;
  });
  const flags = Object.entries(command.flags ?? {});
  const flagText = flags.map(([key, spec]) => {
    const value = spec.type === 'boolean' ? '' : ` <${spec.type === 'string' ? 'text' : spec.type}>`;
    return `${spec.short ? `-${spec.short}, ` : '    '}--${kebab(key)}${value}`;
  });
  const width = Math.max(12, ...flagText.map((t) => t.length), ...(command.positionals ?? []).map((p) => p.name.length + 4)) + 2;
  const lines = [`usage: ${bin} ${name}${positionals.length ? ` ${positionals.join(' ')}` : ''}${flags.length ? ' [options]' : ''}`, '', command.summary];
  if (command.description) lines.push('', command.description.trimEnd());
  if (command.positionals?.length) {
    lines.push('', 'arguments:');
    for (const p of command.positionals) lines.push(`  ${p.name.padEnd(width)}${p.description}`);
  }
  lines.push('', 'options:');
  flags.forEach(([, spec], i) => {
    const extra = spec.default !== undefined && spec.type !== 'boolean' ? ` (default ${spec.default})` : spec.type === 'boolean' && spec.default === true ? ` (default on; --no-... turns it off)` : spec.required ? ' (required)' : '';
    const choices = spec.type === 'string' && spec.choices ? ` [${spec.choices.join(' | ')}]` : '';
    lines.push(`  ${flagText[i].padEnd(width)}${spec.description}${choices}${extra}`);
  });
  lines.push(`  ${'-h, --help'.padEnd(width)}show this help`);
  return lines.join('\n');
}
