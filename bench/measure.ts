/** Measuring commands: wall time and peak memory (GNU time's max RSS), medians and spread over repeated runs. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sample {
  readonly seconds: number;
  /** Peak resident memory of the largest process of the run, in MB. */
  readonly peakMb: number;
}

export interface CaseResult {
  readonly name: string;
  readonly runs: number;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly medianPeakMb: number;
  readonly extra?: Record<string, string>;
}

const GNU_TIME = '/usr/bin/time';

/** Runs a command once; fails with its output when it exits non-zero (unless `okCodes` lists the code). */
export function sample(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; okCodes?: number[] }): Sample {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing: install GNU time (apt-get install time) to measure peak memory`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const report = join(dir, 'time.txt');
  const started = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ['-f', '%M', '-o', report, command, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const ok = options.okCodes ?? [0];
  if (!ok.includes(result.status ?? -1)) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${(result.stderr || result.stdout).slice(-3000)}`);
  }
  const lines = readFileSync(report, 'utf8').trim().split('\n');
  const peakKb = Number(lines[lines.length - 1]);
  rmSync(dir, { recursive: true, force: true });
  return { seconds, peakMb: peakKb / 1024 };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One warm-up run (not counted), then `runs` measured runs. `before` runs ahead of every run, untimed. */
export function measure(name: string, runs: number, once: () => Sample, hooks: { before?: () => void; warmUp?: boolean } = {}): CaseResult {
  if (hooks.warmUp !== false) {
    hooks.before?.();
    once();
  }
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    hooks.before?.();
    samples.push(once());
    process.stderr.write(`[bench] ${name}: run ${i + 1}/${runs} ${samples[i]!.seconds.toFixed(2)} s, ${samples[i]!.peakMb.toFixed(0)} MB\n`);
  }
  const seconds = samples.map((s) => s.seconds);
  return {
    name,
    runs,
    medianSeconds: median(seconds),
    minSeconds: Math.min(...seconds),
    maxSeconds: Math.max(...seconds),
    medianPeakMb: median(samples.map((s) => s.peakMb)),
  };
}
