/**
 * The scripts' argument parsing (scripts/lib/args.ts, on Node's util.parseArgs): environments, flags with and without
 * values, and a usage error that says what is valid for each kind of mistake.
 */
import { parseArgs, UsageError } from '../../scripts/lib/args';

const parsed = (argv: string[], known: string[], options?: Parameters<typeof parseArgs>[2]) => {
  const { environments, flags, positionals } = parseArgs(argv, known, options);
  return { environments, flags: Object.fromEntries(flags), positionals };
};
const usageError = (argv: string[], known: string[], options?: Parameters<typeof parseArgs>[2]): string => {
  try {
    parseArgs(argv, known, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(argv)} parsed without an error`);
};

describe('parseArgs', () => {
  test('environments in order, --all for every one, once each; a value after its flag or after =', () => {
    expect(parsed(['prod', '--out', 'plans', 'dev', 'prod'], ['--out='])).toEqual({ environments: ['prod', 'dev'], flags: { '--out': 'plans' }, positionals: [] });
    expect(parsed(['--out=plans', '--all', '--force'], ['--out=', '--force'])).toEqual({ environments: ['local', 'dev', 'staging', 'prod'], flags: { '--out': 'plans', '--force': true }, positionals: [] });
  });

  test('arguments after the environment, for the commands that take them (unlock: the lock id)', () => {
    expect(parsed(['dev', '14800339-4634-5ee9-ed38-b89152528a27'], ['--force'], { positionals: true }).positionals).toEqual(['14800339-4634-5ee9-ed38-b89152528a27']);
    expect(usageError(['dev', 'extra'], ['--force'])).toBe('unknown environment "extra"; valid environments: local, dev, staging, prod (or --all)');
  });

  test('each mistake is a usage error that says what is valid', () => {
    expect(usageError(['dev', '--env=dev'], ['--out=', '--json'])).toBe('unknown flag --env; valid flags: --all, --out VALUE, --json');
    expect(usageError(['dev', '-x'], [])).toBe('unknown flag -x; valid flags: --all');
    expect(usageError(['dev', '--toString'], ['--json'])).toBe('unknown flag --toString; valid flags: --all, --json'); // no object's own keys
    expect(usageError(['dev', '--out'], ['--out='])).toBe('--out needs a value');
    expect(usageError(['dev', '--out', '--json'], ['--out=', '--json'])).toBe('--out needs a value');
    expect(usageError(['dev', '--json=yes'], ['--json'])).toBe('--json takes no value');
    expect(usageError([], [])).toBe('name an environment (local, dev, staging, prod) or --all');
    expect(parsed([], [], { environmentsRequired: false }).environments).toEqual([]);
  });
});
