/** Command-line parsing shared by the scripts: environment names, flags, and errors that say what is valid. */
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
 * `<environment>... | --all` plus flags. `known` lists the flags the command takes, with `=` for those
 * that take a value (`--out=`). An unknown flag or environment is a UsageError naming what is valid.
 */
export function parseArgs(argv: readonly string[], known: readonly string[], options: { environmentsRequired?: boolean; positionals?: boolean } = {}): ParsedArgs {
  const valid = listEnvironments();
  const flags = new Map<string, string | true>();
  const environments: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--all') {
      environments.push(...valid);
    } else if (arg.startsWith('--')) {
      const [name, inline] = arg.split('=', 2) as [string, string | undefined];
      if (known.includes(name)) flags.set(name, true);
      else if (known.includes(`${name}=`)) {
        const value = inline ?? argv[++i];
        if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
        flags.set(name, value);
      } else {
        throw new UsageError(`unknown flag ${arg}; valid flags: ${['--all', ...known.map((k) => k.replace(/=$/, ' VALUE'))].join(', ')}`);
      }
    } else if (valid.includes(arg) && positionals.length === 0) {
      environments.push(arg);
    } else if (options.positionals && environments.length > 0) {
      positionals.push(arg);
    } else {
      throw new UsageError(`unknown environment "${arg}"; valid environments: ${valid.join(', ')} (or --all)`);
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
