/**
 * Measuring commands: wall time, CPU time (user + system, GNU time's: the command and the descendants it waited for)
 * and peak memory (GNU time's max RSS), medians and spread over repeated runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sample {
  readonly seconds: number;
  /** Peak resident memory of the largest process of the run, in MB. */
  readonly peakMb: number;
  /** CPU seconds (user + system) of the command and the descendants it waited for. */
  readonly cpuSeconds: number;
}

export interface CaseResult {
  readonly name: string;
  readonly runs: number;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly medianPeakMb: number;
  readonly medianCpuSeconds: number;
  readonly extra?: Record<string, string>;
}

const GNU_TIME = '/usr/bin/time';

/** Runs a command once; fails with its output when it exits non-zero (unless `okCodes` lists the code). */
export function sample(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; okCodes?: number[] }): Sample {
  if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} is missing: install GNU time (apt-get install time) to measure peak memory`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const report = join(dir, 'time.txt');
  const started = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ['-f', '%M %U %S', '-o', report, command, ...args], {
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
  const [peakKb, user, system] = lines[lines.length - 1]!.split(' ').map(Number) as [number, number, number];
  rmSync(dir, { recursive: true, force: true });
  return { seconds, peakMb: peakKb / 1024, cpuSeconds: user + system };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One warm-up run (not counted), then `runs` measured runs. `before` runs ahead of every run, untimed. */
export function measure(name: string, runs: number, once: () => Sample, hooks: { before?: () => void; warmUp?: boolean } = {}): CaseResult {
  return measureInterleaved([{ name, once, ...hooks }], runs)[0]!;
}

export interface Case {
  readonly name: string;
  readonly once: () => Sample;
  /** Runs ahead of every run of this case, untimed. */
  readonly before?: () => void;
  /** One run that is not counted first (default true). */
  readonly warmUp?: boolean;
}

/**
 * Cases compared with each other run in turns (A B C A B C ...), not one after another: a machine
 * whose speed drifts over minutes then slows or speeds up every case alike, and their ratio holds.
 */
export function measureInterleaved(cases: readonly Case[], runs: number): CaseResult[] {
  for (const c of cases) {
    if (c.warmUp === false) continue;
    c.before?.();
    c.once();
  }
  const samples: Sample[][] = cases.map(() => []);
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, k) => {
      c.before?.();
      const s = c.once();
      samples[k]!.push(s);
      process.stderr.write(`[bench] ${c.name}: run ${i + 1}/${runs} ${s.seconds.toFixed(2)} s, ${s.peakMb.toFixed(0)} MB\n`);
    });
  }
  return cases.map((c, k) => {
    const seconds = samples[k]!.map((s) => s.seconds);
    return {
      name: c.name,
      runs,
      medianSeconds: median(seconds),
      minSeconds: Math.min(...seconds),
      maxSeconds: Math.max(...seconds),
      medianPeakMb: median(samples[k]!.map((s) => s.peakMb)),
      medianCpuSeconds: median(samples[k]!.map((s) => s.cpuSeconds)),
    };
  });
}
