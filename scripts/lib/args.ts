/** Command-line parsing shared by the scripts: environment names, flags, and errors that say what is valid. */
import { parseArgs as nodeParseArgs } from 'node:util';
import { listEnvironments } from '../../environments/load';
import { exitCodeOf, InterruptedError } from './interrupt';
import { StepError } from './progress';

export class UsageError extends Error {}

/**
 * The exit code of a usage error (an unknown flag or environment, a missing argument), the same for every command:
 * sysexits' EX_USAGE, since 2 means "changes" to plan and "drift" to drift.
 */
export const EXIT_USAGE = 64;

export interface ParsedArgs {
  readonly environments: string[];
  readonly flags: Map<string, string | true>;
  /** With `positionals`: the arguments after the environment that are neither flags nor environments. */
  readonly positionals: string[];
}

/**
 * `<environment>... | --all` plus flags, on Node's own parser (`util.parseArgs`, strict). `known` lists the flags the
 * command takes, with `=` for those that take a value (`--out=`); the value may follow as `--out=DIR` or `--out DIR`.
 * An unknown flag or environment, or a flag without its value, is a UsageError naming what is valid.
 */
export function parseArgs(argv: readonly string[], known: readonly string[], options: { environmentsRequired?: boolean; positionals?: boolean } = {}): ParsedArgs {
  const valid = listEnvironments();
  const validFlags = `valid flags: ${['--all', ...known.map((k) => k.replace(/=$/, ' VALUE'))].join(', ')}`;
  const definitions: Record<string, { type: 'string' | 'boolean' }> = { all: { type: 'boolean' } };
  for (const flag of known) definitions[flag.replace(/^--/, '').replace(/=$/, '')] = { type: flag.endsWith('=') ? 'string' : 'boolean' };
  let tokens;
  try {
    ({ tokens } = nodeParseArgs({ args: [...argv], options: definitions, strict: true, allowPositionals: true, tokens: true }));
  } catch (error) {
    // Node names the option in its message ("Unknown option '--foo'. ...", "Option '--out <value>' argument missing").
    const code = (error as { code?: string }).code;
    const name = /'(-[^' ]+)/.exec((error as Error).message)?.[1] ?? 'a flag';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown flag ${name}; ${validFlags}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      throw new UsageError(definitions[name.replace(/^--?/, '')]?.type === 'boolean' ? `${name} takes no value` : `${name} needs a value`);
    }
    throw error;
  }
  const flags = new Map<string, string | true>();
  const environments: string[] = [];
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'option') {
      if (token.name === 'all') environments.push(...valid);
      else flags.set(`--${token.name}`, token.value ?? true);
    } else if (token.kind === 'positional') {
      if (valid.includes(token.value) && positionals.length === 0) environments.push(token.value);
      else if (options.positionals && environments.length > 0) positionals.push(token.value);
      else throw new UsageError(`unknown environment "${token.value}"; valid environments: ${valid.join(', ')} (or --all)`);
    }
  }
  if (options.environmentsRequired !== false && environments.length === 0) {
    throw new UsageError(`name an environment (${valid.join(', ')}) or --all`);
  }
  return { environments: [...new Set(environments)], flags, positionals };
}

/** Runs a script's main: usage errors exit EXIT_USAGE, every other error 1, with a message, never a stack trace. */
export function runMain(main: () => Promise<number | void>, help: string): void {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${help.trim()}\n`);
    return;
  }
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      const cause = error instanceof StepError ? error.cause : error;
      if (cause instanceof InterruptedError) {
        process.stderr.write(`interrupted (${cause.signal}): Terraform was asked to stop cleanly, saving its state and releasing its lock\n`);
        process.exitCode = exitCodeOf(cause.signal);
        return;
      }
      if (error instanceof UsageError) {
        process.stderr.write(`error: ${error.message}\n\n${help.trim()}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
